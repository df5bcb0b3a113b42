// Package schemadoc completes the descriptions of the GraphQL schema that
// entgql generates, so that every type, field, argument and enum value is
// documented. entc runs Hook after generating ent.graphqls (see ent/entc.go):
// field and edge comments of the ent schemas, the enum value texts below and
// rules for the generated inputs and filters fill what entgql leaves empty.
package schemadoc

import (
	"fmt"
	"sort"
	"strings"

	"github.com/bri-tracker/bri-tracker/internal/names"

	"entgo.io/contrib/entgql"
	"entgo.io/ent/entc/gen"
	"github.com/vektah/gqlparser/v2/ast"
)

// Hook fills every empty description of the generated schema, and fails
// when one remains empty, so that generation stops until it is written.
func Hook(g *gen.Graph, s *ast.Schema) error {
	edges := edgeComments(g)
	fields := fieldComments(g)
	types := typeComments(g)
	for name, def := range s.Types {
		if def.Description == "" {
			def.Description = types[name]
		}
		if def.Description == "" {
			def.Description = typeDescription(name, def)
		}
		for _, f := range def.Fields {
			if f.Description == "" {
				f.Description = fieldDescription(name, def, f.Name, edges, fields)
			}
			for _, a := range f.Arguments {
				if a.Description == "" {
					a.Description = argumentDescription(a.Name)
				}
			}
		}
		for _, v := range def.EnumValues {
			if v.Description == "" {
				v.Description = enumValueDescription(name, v.Name)
			}
		}
	}
	var missing []string
	for name, def := range s.Types {
		if def.Description == "" {
			missing = append(missing, name)
		}
		for _, f := range def.Fields {
			if f.Description == "" {
				missing = append(missing, name+"."+f.Name)
			}
		}
		for _, v := range def.EnumValues {
			if v.Description == "" {
				missing = append(missing, name+"."+v.Name)
			}
		}
	}
	if len(missing) > 0 {
		sort.Strings(missing)
		return fmt.Errorf("schemadoc: no description for %s", strings.Join(missing, ", "))
	}
	return nil
}

// typeComments maps GraphQL type names to the ent schemas' comments
// (schema.Comment annotations).
func typeComments(g *gen.Graph) map[string]string {
	out := map[string]string{"Query": "The root of all reads."}
	for _, t := range g.Nodes {
		if raw, ok := t.Annotations["Comment"].(map[string]any); ok {
			out[gqlName(t)], _ = raw["Text"].(string)
		}
	}
	return out
}

// edgeComments maps "GraphQLType.edgeName" to the ent edge's comment.
func edgeComments(g *gen.Graph) map[string]string {
	out := map[string]string{}
	for _, t := range g.Nodes {
		typ := gqlName(t)
		for _, e := range t.Edges {
			c := e.Comment()
			if c == "" && e.Type.IsEdgeSchema() {
				for _, other := range e.Type.Edges {
					if other.Type != t {
						c = fmt.Sprintf("One record for each %s this %s is linked to, with the link's own fields (such as the role and share).", other.Type.Name, typ)
					}
				}
			}
			out[typ+"."+names.LowerCamel(e.Name)] = c
		}
	}
	return out
}

// fieldComments maps "GraphQLType.fieldName" to the ent field's comment.
func fieldComments(g *gen.Graph) map[string]string {
	out := map[string]string{}
	for _, t := range g.Nodes {
		typ := gqlName(t)
		for _, f := range t.Fields {
			out[typ+"."+names.LowerCamel(f.Name)] = f.Comment()
		}
	}
	return out
}

func gqlName(t *gen.Type) string {
	ant := &entgql.Annotation{}
	if raw, ok := t.Annotations[ant.Name()]; ok {
		if err := ant.Decode(raw); err == nil && ant.Type != "" {
			return ant.Type
		}
	}
	return t.Name
}
