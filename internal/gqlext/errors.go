package gqlext

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"regexp"
	"runtime/debug"
	"strconv"
	"strings"

	"github.com/bri-tracker/bri-tracker/internal/names"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"github.com/bri-tracker/bri-tracker/ent"
	"github.com/bri-tracker/bri-tracker/ent/privacy"
	"github.com/bri-tracker/bri-tracker/internal/apperr"
	"github.com/bri-tracker/bri-tracker/internal/globalid"
	"github.com/bri-tracker/bri-tracker/internal/outage"
	"github.com/bri-tracker/bri-tracker/internal/requestid"
	"github.com/bri-tracker/bri-tracker/internal/txretry"
)

// PresentError turns any error into what the client may see: a message, a
// path and extensions.code. Errors the client caused say what to fix; any
// other error is logged with the request id and reaches the client only as
// INTERNAL_SERVER_ERROR with that id, never with SQL, paths or stacks.
func PresentError(log *slog.Logger) graphql.ErrorPresenterFunc {
	return func(ctx context.Context, err error) *gqlerror.Error {
		gqlErr := graphql.DefaultErrorPresenter(ctx, err)
		if gqlErr.Extensions == nil {
			gqlErr.Extensions = map[string]any{}
		}
		var (
			appErr *apperr.Error
			valErr *ent.ValidationError
			cstErr *ent.ConstraintError
			nfErr  *ent.NotFoundError
		)
		switch {
		case errors.As(err, &appErr):
			field := appErr.Field
			if field == "" {
				// A scalar's parser does not know the field; the path does.
				field = inputField(gqlErr.Path)
			}
			gqlErr.Message = appErr.Message
			if field != "" {
				gqlErr.Message = field + ": " + appErr.Message
				gqlErr.Extensions["field"] = field
			}
			gqlErr.Extensions["code"] = string(appErr.Code)
			for k, v := range appErr.Extensions {
				gqlErr.Extensions[k] = v
			}
		case txretry.Note(ctx, err):
			gqlErr.Message = "the write collided with a concurrent one and was rolled back: send it again"
			gqlErr.Extensions["code"] = string(apperr.Conflict)
			gqlErr.Extensions["retryable"] = true
		case outage.Note(ctx, err):
			gqlErr.Message = fmt.Sprintf("the database is unavailable: retry in %d s", outage.RetryAfter)
			if errors.Is(err, errCommitUnknown) {
				gqlErr.Message = "the database connection was lost while the write committed: it may or may not have been written; send it again with the same Idempotency-Key to get its answer exactly once"
			}
			gqlErr.Extensions["code"] = outage.Code
			gqlErr.Extensions["retryable"] = true
		case errors.Is(err, context.DeadlineExceeded) || isStatementTimeout(err):
			gqlErr.Message = "the request took too long and was stopped"
			gqlErr.Extensions["code"] = CodeRequestTimeout
		case errors.Is(err, privacy.Deny):
			gqlErr.Message = "not allowed"
			gqlErr.Extensions["code"] = string(apperr.Forbidden)
		case errors.As(err, &valErr):
			field := names.LowerCamel(valErr.Name)
			gqlErr.Message = fmt.Sprintf("%s: %s", field, validationReason(valErr))
			gqlErr.Extensions["code"] = string(apperr.BadUserInput)
			gqlErr.Extensions["field"] = field
		case errors.As(err, &nfErr):
			gqlErr.Message = "the object was not found"
			gqlErr.Extensions["code"] = string(apperr.NotFound)
		case errors.As(err, &cstErr):
			gqlErr.Message = "the change conflicts with stored data (a unique value is taken or a linked object is missing)"
			gqlErr.Extensions["code"] = string(apperr.Conflict)
		case gqlErr.Extensions["code"] == "NOT_FOUND":
			gqlErr.Message = nodeNotFoundMessage(gqlErr.Message)
		case emptyFilter.MatchString(err.Error()):
			field := emptyFilterPath(err.Error())
			gqlErr.Message = field + ": an empty filter ({}) has no condition to apply: leave it out, or give it one"
			gqlErr.Extensions["code"] = string(apperr.BadUserInput)
			gqlErr.Extensions["field"] = field
		case gqlErr.Message == "operation  not found":
			gqlErr.Message = "the document holds more than one operation: name the one to run in operationName"
		case gqlErr.Extensions["code"] != nil:
			// Parse and validation failures keep gqlgen's own code and message.
		case gqlErr.Err == nil:
			// Errors gqlgen raises itself while coercing input.
			gqlErr.Extensions["code"] = string(apperr.BadUserInput)
		default:
			id := requestid.From(ctx)
			log.ErrorContext(ctx, "request failed", "request_id", id, "error", err.Error())
			gqlErr.Message = "internal server error (request " + id + ")"
			gqlErr.Extensions["code"] = string(apperr.InternalServerError)
			gqlErr.Extensions["requestId"] = id
		}
		if len(gqlErr.Extensions) == 0 {
			gqlErr.Extensions = nil
		}
		return gqlErr
	}
}

// validationReason is the innermost error of a validator, without ent's
// prefixes, in the API's words.
func validationReason(e *ent.ValidationError) string {
	var inner error = e
	for u := errors.Unwrap(inner); u != nil; u = errors.Unwrap(inner) {
		inner = u
	}
	switch msg := inner.Error(); {
	case inner == error(e):
		return "is not valid"
	case msg == "value is less than the required length":
		return "must not be empty"
	case msg == "value is greater than the required length":
		return "is too long"
	default:
		return msg
	}
}

// inputField is the last named element of an input error's path.
func inputField(path ast.Path) string {
	for i := len(path) - 1; i >= 0; i-- {
		if name, ok := path[i].(ast.PathName); ok {
			return string(name)
		}
	}
	return ""
}

// CodeRequestTimeout is the code of requests stopped at their deadline.
const CodeRequestTimeout = "REQUEST_TIMEOUT"

// isStatementTimeout reports PostgreSQL's query_canceled (SQLSTATE 57014),
// raised when statement_timeout stops a statement.
func isStatementTimeout(err error) bool {
	var state interface{ SQLState() string }
	return errors.As(err, &state) && state.SQLState() == "57014"
}

// emptyFilter matches entgql's error for an empty where input nested in
// and, or, not or a has...With filter (at the top, an empty where is no
// filter at all); each level it passed through adds ": field 'name'".
var (
	emptyFilter      = regexp.MustCompile(`ent: empty predicate \w+WhereInput`)
	emptyFilterLevel = regexp.MustCompile(`field '(\w+)'`)
)

// emptyFilterPath is the path of the empty filter within its where
// argument (where.hasParticipationsWith.and).
func emptyFilterPath(msg string) string {
	levels := emptyFilterLevel.FindAllStringSubmatch(msg, -1)
	path := "where"
	for i := len(levels) - 1; i >= 0; i-- {
		name := levels[i][1] // HasParticipationsWith: the Go field
		path += "." + strings.ToLower(name[:1]) + name[1:]
	}
	return path
}

var nodeNotFound = regexp.MustCompile(`global id of '(\d+)'`)

// nodeNotFoundMessage rewrites entgql's not-found message, which shows the
// internal integer id, with the client's global id.
func nodeNotFoundMessage(msg string) string {
	m := nodeNotFound.FindStringSubmatch(msg)
	if m == nil {
		return msg
	}
	id, err := strconv.Atoi(m[1])
	if err != nil {
		return msg
	}
	return "no object has the id " + globalid.Encode(id)
}

// Recover turns a panic in a resolver into INTERNAL_SERVER_ERROR, logging the
// stack with the request id.
func Recover(log *slog.Logger) graphql.RecoverFunc {
	return func(ctx context.Context, v any) error {
		id := requestid.From(ctx)
		log.ErrorContext(ctx, "panic in resolver", "request_id", id, "panic", fmt.Sprint(v), "stack", string(debug.Stack()))
		return &gqlerror.Error{
			Message:    "internal server error (request " + id + ")",
			Extensions: map[string]any{"code": string(apperr.InternalServerError), "requestId": id},
		}
	}
}
