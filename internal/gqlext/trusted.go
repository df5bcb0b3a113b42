package gqlext

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/errcode"
	"github.com/vektah/gqlparser/v2/gqlerror"
)

// CodePersistedQueryNotAllowed refuses a document outside the manifest.
const CodePersistedQueryNotAllowed = "PERSISTED_QUERY_NOT_ALLOWED"

func init() {
	errcode.RegisterErrorType(CodePersistedQueryNotAllowed, errcode.KindProtocol)
}

// TrustedDocuments runs only the operations of a manifest, for production
// servers whose clients are all known: a request names a document by its
// SHA-256 (Apollo's extensions.persistedQuery.sha256Hash) or sends a
// document whose hash is in the manifest; anything else is refused.
type TrustedDocuments struct {
	byHash map[string]string
}

// LoadManifest reads a manifest: either a JSON object from SHA-256 (hex) to
// document, or an Apollo persisted query manifest
// ({"format":"apollo-persisted-query-manifest","operations":[{"id","body"}]}).
// Every hash must match its document. The documents of builtin, manifests
// the server carries for its own pages (the dashboard's), are trusted too.
func LoadManifest(path string, builtin ...[]byte) (*TrustedDocuments, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("persisted documents: %w", err)
	}
	docs, err := parseManifest(raw)
	if err != nil {
		return nil, fmt.Errorf("persisted documents %s: %w", path, err)
	}
	for i, b := range builtin {
		more, err := parseManifest(b)
		if err != nil {
			return nil, fmt.Errorf("persisted documents: the server's own manifest %d: %w", i+1, err)
		}
		for hash, doc := range more {
			docs[hash] = doc
		}
	}
	return &TrustedDocuments{byHash: docs}, nil
}

// parseManifest reads a manifest's documents, checking their hashes.
func parseManifest(raw []byte) (map[string]string, error) {
	docs := map[string]string{}
	var apollo struct {
		Format     string `json:"format"`
		Operations []struct {
			ID   string `json:"id"`
			Body string `json:"body"`
		} `json:"operations"`
	}
	if err := json.Unmarshal(raw, &apollo); err == nil && apollo.Format != "" {
		for _, op := range apollo.Operations {
			docs[op.ID] = op.Body
		}
	} else if err := json.Unmarshal(raw, &docs); err != nil {
		return nil, fmt.Errorf("want a JSON object of hash to document, or an Apollo manifest: %w", err)
	}
	if len(docs) == 0 {
		return nil, errors.New("the manifest lists no document")
	}
	for hash, doc := range docs {
		if sha(doc) != hash {
			return nil, fmt.Errorf("%s is not the SHA-256 of its document", hash)
		}
	}
	return docs, nil
}

func sha(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:])
}

var (
	_ graphql.HandlerExtension          = (*TrustedDocuments)(nil)
	_ graphql.OperationParameterMutator = (*TrustedDocuments)(nil)
)

// ExtensionName names the extension for gqlgen.
func (*TrustedDocuments) ExtensionName() string { return "TrustedDocuments" }

// Validate has nothing to check.
func (*TrustedDocuments) Validate(graphql.ExecutableSchema) error { return nil }

// MutateOperationParameters resolves a hash to its document and refuses
// documents outside the manifest.
func (t *TrustedDocuments) MutateOperationParameters(_ context.Context, p *graphql.RawParams) *gqlerror.Error {
	hash := ""
	if pq, ok := p.Extensions["persistedQuery"].(map[string]any); ok {
		hash, _ = pq["sha256Hash"].(string)
	}
	if p.Query == "" {
		doc, ok := t.byHash[hash]
		if !ok {
			return refuse("no trusted document has this hash: this server runs only the operations of its manifest")
		}
		p.Query = doc
		return nil
	}
	if _, ok := t.byHash[sha(p.Query)]; !ok {
		return refuse("this server runs only the operations of its manifest: send a trusted document or its hash")
	}
	return nil
}

func refuse(msg string) *gqlerror.Error {
	return &gqlerror.Error{Message: msg, Extensions: map[string]any{"code": CodePersistedQueryNotAllowed}}
}
