// Package ent holds the generated ent client; the hand-written schemas are in
// ./schema. Both generators run from here so that entc always runs before
// gqlgen, which loads the ent package it produces; gqlpatch then adjusts
// gqlgen's executor (lists marshalled in order, see its doc).
package ent

//go:generate go run -mod=mod ./entc.go
//go:generate sh -c "cd .. && go tool gqlgen generate"
//go:generate go run ../internal/codegen/gqlpatch ../graph/generated.go
