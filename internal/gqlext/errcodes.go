package gqlext

import (
	"github.com/99designs/gqlgen/graphql/errcode"

	"github.com/bri-tracker/bri-tracker/internal/apperr"
)

// Requests refused before execution (too complex, pages too large) are
// request errors, like validation failures: GraphQL over HTTP answers them
// with 422 (application/json) or 400 (application/graphql-response+json),
// not 200.
func init() {
	errcode.RegisterErrorType(CodeQueryTooComplex, errcode.KindProtocol)
	errcode.RegisterErrorType(string(apperr.BadUserInput), errcode.KindProtocol)
}
