package httpapi

import (
	"context"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/bri-tracker/bri-tracker/ent"
	"github.com/bri-tracker/bri-tracker/ent/apikey"
	"github.com/bri-tracker/bri-tracker/ent/privacy"
	"github.com/bri-tracker/bri-tracker/internal/apperr"
	"github.com/bri-tracker/bri-tracker/internal/auth"
	"github.com/bri-tracker/bri-tracker/internal/outage"
	"github.com/bri-tracker/bri-tracker/internal/requestid"
)

// lastUsedResolution bounds how often a key's last-used time is written.
const lastUsedResolution = time.Minute

// authenticate puts the request's actor in its context: the API key's, from
// `Authorization: Bearer <key>`, or an anonymous one when no key is sent and
// public read is on. An unknown, revoked or malformed key is refused with 401
// before any GraphQL runs.
func authenticate(client *ent.Client, publicRead bool, log *slog.Logger, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		header := r.Header.Get("Authorization")
		if header == "" {
			if !publicRead {
				refuse(w, "an API key is required: send Authorization: Bearer <key>")
				return
			}
			next.ServeHTTP(w, r.WithContext(auth.WithActor(r.Context(), &auth.Actor{Role: auth.Anonymous})))
			return
		}
		scheme, secret, _ := strings.Cut(header, " ")
		if !strings.EqualFold(scheme, "Bearer") || !auth.LooksLikeSecret(strings.TrimSpace(secret)) {
			refuse(w, "the Authorization header must be Bearer <key>, with a key issued by this server")
			return
		}
		actor, err := lookupKey(r.Context(), client, log, strings.TrimSpace(secret))
		if err != nil {
			if ae, ok := apperr.As(err); ok {
				refuse(w, ae.Message)
				return
			}
			if outage.Is(err) {
				writeUnavailable(w)
				return
			}
			log.ErrorContext(r.Context(), "api key lookup failed", "error", err)
			writeError(w, http.StatusInternalServerError, "INTERNAL_SERVER_ERROR", "internal server error (request "+requestid.From(r.Context())+")")
			return
		}
		next.ServeHTTP(w, r.WithContext(auth.WithActor(r.Context(), actor)))
	})
}

// lookupKey finds the live key with the secret's hash and notes its use.
func lookupKey(ctx context.Context, client *ent.Client, log *slog.Logger, secret string) (*auth.Actor, error) {
	ctx = privacy.DecisionContext(ctx, privacy.Allow) // the key table is admin-only
	k, err := client.APIKey.Query().Where(apikey.SecretHash(auth.Hash(secret))).Only(ctx)
	switch {
	case ent.IsNotFound(err):
		return nil, &apperr.Error{Code: apperr.Unauthenticated, Message: "unknown API key"}
	case err != nil:
		return nil, err
	case k.RevokedAt != nil:
		return nil, &apperr.Error{Code: apperr.Unauthenticated, Message: "this API key was revoked"}
	}
	now := time.Now()
	if k.LastUsedAt == nil || now.Sub(*k.LastUsedAt) >= lastUsedResolution {
		// a bookkeeping write: its failure (a busy database, a serialization
		// conflict) must not fail the request
		err := client.APIKey.Update().Where(apikey.ID(k.ID)).SetLastUsedAt(now.Truncate(time.Second)).Exec(ctx)
		if err != nil {
			log.WarnContext(ctx, "noting an API key's last use", "error", err)
		}
	}
	a := &auth.Actor{Role: auth.Role(k.Role), Name: k.Name, KeyID: k.ID}
	if k.PartnerID != nil {
		a.PartnerID = *k.PartnerID
	}
	return a, nil
}

// refuse answers 401 with a GraphQL-shaped error.
func refuse(w http.ResponseWriter, msg string) {
	w.Header().Set("WWW-Authenticate", `Bearer realm="bri-tracker"`)
	writeError(w, http.StatusUnauthorized, string(apperr.Unauthenticated), msg)
}
