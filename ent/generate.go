// Package ent holds the generated ent client; the hand-written schemas are in
// ./schema, and the templates that override some of ent's and entgql's in
// ./template. Both generators run from here so that entc always runs before
// gqlgen, which loads the ent package it produces. gqlgen runs through
// internal/codegen/gqlgenerate, which checks the number of object types that
// resolve in order and of list marshallers it substitutes (see its doc).
package ent

//go:generate go run -mod=mod ./entc.go
//go:generate sh -c "cd .. && go run ./internal/codegen/gqlgenerate -objects 44 -marshal-sites 43"
