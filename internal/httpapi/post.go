package httpapi

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"reflect"
	"strings"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/errcode"
	"github.com/99designs/gqlgen/graphql/handler/transport"
	"github.com/vektah/gqlparser/v2/gqlerror"
)

// postTransport answers GraphQL requests sent by POST as gqlgen's
// transport.POST does (the same media types, statuses and bodies), except
// for how it writes a response: the data, which the executor has already
// marshalled to JSON, is copied into the body as it is, where
// encoding/json would scan it again byte by byte to compact and check it.
// That scan cost about 7% of the server's CPU on the benchmark's largest
// answers.
type postTransport struct{ transport.POST }

var _ graphql.Transport = postTransport{}

// Do runs one request.
func (postTransport) Do(w http.ResponseWriter, r *http.Request, exec graphql.GraphExecutor) {
	ctx := r.Context()
	contentType := responseMediaType(r.Header.Get("Accept"))
	w.Header().Set("Content-Type", contentType)
	start := graphql.Now()

	body, err := io.ReadAll(r.Body)
	if err != nil {
		writeResponse(w, exec.DispatchError(ctx, gqlerror.List{gqlerror.Errorf("could not read request body: %+v", err)}))
		return
	}
	var params graphql.RawParams
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	if err := dec.Decode(&params); err != nil {
		w.WriteHeader(http.StatusBadRequest)
		writeResponse(w, exec.DispatchError(ctx, gqlerror.List{badBody(err)}))
		return
	}
	params.Headers = r.Header
	params.ReadTime = graphql.TraceTiming{Start: start, End: graphql.Now()}

	oc, opErr := exec.CreateOperationContext(ctx, &params)
	if opErr != nil {
		status := http.StatusOK
		if errcode.GetErrorKind(opErr) == errcode.KindProtocol {
			status = http.StatusUnprocessableEntity
			if contentType == mediaGraphQLResponse {
				status = http.StatusBadRequest
			}
		}
		w.WriteHeader(status)
		writeResponse(w, exec.DispatchError(graphql.WithOperationContext(ctx, oc), opErr))
		return
	}
	responses, ctx := exec.DispatchOperation(ctx, oc)
	writeResponse(w, responses(ctx))
}

const (
	mediaJSON            = "application/json"
	mediaGraphQLResponse = "application/graphql-response+json"
)

// responseMediaType picks the response's media type from the request's
// Accept header as gqlgen's transports do: the first of application/json and
// application/graphql-response+json listed, application/json for */*,
// application/* or no header, and application/graphql-response+json when
// the header lists none of these.
func responseMediaType(accept string) string {
	if accept == "" {
		return mediaJSON
	}
	for part := range strings.SplitSeq(accept, ",") {
		mt, _, err := mime.ParseMediaType(strings.TrimSpace(part))
		if err != nil {
			continue
		}
		switch mt {
		case "*/*", "application/*", mediaJSON:
			return mediaJSON
		case mediaGraphQLResponse:
			return mediaGraphQLResponse
		}
	}
	return mediaGraphQLResponse
}

// writeResponse writes a response as encoding/json would (the same members
// in the same order, data always present), with its data copied as it is.
// The executor's JSON differs from encoding/json's only in that it leaves
// <, > and & in strings unescaped, which JSON allows.
func writeResponse(w io.Writer, rsp *graphql.Response) {
	if rsp == nil {
		rsp = &graphql.Response{}
	}
	b := make([]byte, 0, len(rsp.Data)+128)
	b = append(b, '{')
	member := func(name string, v any) {
		enc, err := json.Marshal(v)
		if err != nil {
			// Errors, paths and extensions are plain values; this cannot
			// happen short of a bug, which must not produce broken JSON.
			panic(err)
		}
		b = append(b, '"')
		b = append(b, name...)
		b = append(b, `":`...)
		b = append(b, enc...)
		b = append(b, ',')
	}
	if len(rsp.Errors) > 0 {
		member("errors", rsp.Errors)
	}
	b = append(b, `"data":`...)
	if rsp.Data == nil {
		b = append(b, "null"...)
	} else {
		b = append(b, rsp.Data...)
	}
	b = append(b, ',')
	if rsp.Label != "" {
		member("label", rsp.Label)
	}
	if len(rsp.Path) > 0 {
		member("path", rsp.Path)
	}
	if rsp.HasNext != nil {
		member("hasNext", *rsp.HasNext)
	}
	if len(rsp.Extensions) > 0 {
		member("extensions", rsp.Extensions)
	}
	b[len(b)-1] = '}'
	// A held response (see withTimeout) takes the bytes over rather than
	// copying them.
	if h, ok := w.(*heldResponse); ok && h.body.Len() == 0 {
		h.body = *bytes.NewBuffer(b)
		return
	}
	_, _ = w.Write(b)
}

// CodeBadRequest is the code of a request the server cannot read as a
// GraphQL request at all: a body that is not JSON, parameters of the wrong
// type, a malformed URL query.
const CodeBadRequest = "BAD_REQUEST"

// badBody describes why a body is not a GraphQL request, by position and
// member, never by quoting it: the body may hold what its sender would not
// want in a log or on a screen, and a reflected body is a vector for
// content injection.
func badBody(err error) *gqlerror.Error {
	msg := "the request body is not a JSON object with query, variables, operationName and extensions"
	var syntax *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.As(err, &syntax):
		msg = fmt.Sprintf("the request body is not valid JSON (syntax error at byte %d)", syntax.Offset)
	case errors.As(err, &typ) && typ.Field != "":
		msg = fmt.Sprintf("the request body's %s must be %s, not a JSON %s", typ.Field, jsonKind(typ.Type), typ.Value)
	case errors.Is(err, io.EOF):
		msg = "the request body is empty"
	case errors.Is(err, io.ErrUnexpectedEOF):
		msg = "the request body ends before its JSON does"
	}
	return &gqlerror.Error{Message: msg, Extensions: map[string]any{"code": CodeBadRequest}}
}

// jsonKind names the JSON kind a Go type decodes from.
func jsonKind(t reflect.Type) string {
	switch t.Kind() {
	case reflect.String:
		return "a string"
	case reflect.Map, reflect.Struct:
		return "an object"
	default:
		return "of another type"
	}
}
