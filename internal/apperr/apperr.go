// Package apperr defines the errors that clients see: each has a code (sent as
// extensions.code), the input field it concerns, and a message fit to show.
package apperr

import (
	"errors"
	"fmt"
)

// Code is the machine-readable kind of an error.
type Code string

// The codes the API returns.
const (
	BadUserInput        Code = "BAD_USER_INPUT"
	NotFound            Code = "NOT_FOUND"
	Conflict            Code = "CONFLICT"
	Unauthenticated     Code = "UNAUTHENTICATED"
	Forbidden           Code = "FORBIDDEN"
	InternalServerError Code = "INTERNAL_SERVER_ERROR"
)

// Error is an error meant for the client.
type Error struct {
	Code Code
	// Field is the GraphQL name of the input field at fault, if one is.
	Field   string
	Message string
	// Extensions are added to the error's extensions beside code and field.
	Extensions map[string]any
	// Cause is the error behind this one, for errors.Is (for example ent's
	// privacy.Deny, which makes ent refuse the operation).
	Cause error
}

// Unwrap returns the cause.
func (e *Error) Unwrap() error { return e.Cause }

func (e *Error) Error() string {
	if e.Field != "" {
		return e.Field + ": " + e.Message
	}
	return e.Message
}

func newf(code Code, field, format string, args ...any) *Error {
	return &Error{Code: code, Field: field, Message: fmt.Sprintf(format, args...)}
}

// Invalid reports bad input in field.
func Invalid(field, format string, args ...any) *Error {
	return newf(BadUserInput, field, format, args...)
}

// Missing reports that field refers to an object that does not exist.
func Missing(field, format string, args ...any) *Error {
	return newf(NotFound, field, format, args...)
}

// Conflicting reports that a change conflicts with the stored state.
func Conflicting(field, format string, args ...any) *Error {
	return newf(Conflict, field, format, args...)
}

// As returns the *Error in err's chain, if any.
func As(err error) (*Error, bool) {
	var e *Error
	ok := errors.As(err, &e)
	return e, ok
}
