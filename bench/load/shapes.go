package main

import "github.com/bri-tracker/bri-tracker/bench/internal/queries"

// The shapes are in bench/internal/queries, shared with bench/scaleout.
type shape = queries.Shape

var shapes = queries.Shapes

var globalID = queries.GlobalID

// checkedKeys are the JSON keys whose values the data check compares across
// the targets (ids differ by design: global ids, integers).
var checkedKeys = map[string]bool{
	"title": true, "name": true, "kind": true, "countryCode": true, "sector": true,
	"status": true, "amountUsd": true, "count": true, "commitmentYear": true, "role": true,
}
