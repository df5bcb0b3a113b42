// Package inorder is a gqlgen plugin that makes the executor resolve the
// fields of the object types marked @disableConcurrency one after another
// in the goroutine that marshals the object, rather than each field with a
// resolver or a context-taking method in a goroutine of its own.
//
// Our resolvers never wait on a sibling: ent loads a page's edges before
// its elements are marshalled, and fields batched under lists are fetched
// for every element by the first element to ask. A goroutine per field
// only costs its start, its stack and the synchronisation, which on list
// queries is much of the server's CPU (docs/performance.md).
//
// gqlgen's proposal #4321 (pull request #4322) adds this directive to
// gqlgen itself with the same name and meaning on OBJECT. The schema
// declares and applies it already, so adopting gqlgen's is a configuration
// change: drop this plugin from internal/codegen/gqlgenerate and the
// directive's declaration from schema.graphqls (gqlgen then declares it).
// Until then the directive is a marker with no runtime code (skip_runtime
// in gqlgen.yml); this plugin reads it from the schema.
package inorder

import (
	"fmt"

	"github.com/99designs/gqlgen/codegen"
)

// Directive is the directive that marks an object type.
const Directive = "disableConcurrency"

// Plugin sets codegen.Object.DisableConcurrency on the marked object types.
type Plugin struct {
	// Marked is set by GenerateCode to the number of object types marked.
	Marked int
}

// Name names the plugin in gqlgen's errors.
func (*Plugin) Name() string { return "inorder" }

// GenerateCode runs before gqlgen writes the executor: gqlgen's
// Field.IsConcurrent is false for every field of an object whose
// DisableConcurrency is set, and the executor then resolves it inline.
func (p *Plugin) GenerateCode(data *codegen.Data) error {
	p.Marked = 0
	for _, o := range data.Objects {
		for _, f := range o.Definition.Fields {
			if f.Directives.ForName(Directive) != nil {
				return fmt.Errorf("inorder: @%s on the field %s.%s: gqlgen's public API can order whole objects only; mark the object", Directive, o.Name, f.Name)
			}
		}
		if o.Definition.Directives.ForName(Directive) == nil {
			continue
		}
		if data.Schema.Subscription != nil && o.Definition == data.Schema.Subscription {
			return fmt.Errorf("inorder: @%s on %s: a subscription's fields stream and cannot resolve in order", Directive, o.Name)
		}
		o.DisableConcurrency = true
		p.Marked++
	}
	return nil
}
