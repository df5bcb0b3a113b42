package schemadoc

import (
	"strings"

	"github.com/vektah/gqlparser/v2/ast"
)

func typeDescription(name string, def *ast.Definition) string {
	switch {
	case strings.HasSuffix(name, "OrderField"):
		return "Properties by which " + strings.TrimSuffix(name, "OrderField") + " connections can be ordered."
	case strings.HasSuffix(name, "Order"):
		return "Ordering options for " + strings.TrimSuffix(name, "Order") + " connections."
	}
	return ""
}

func argumentDescription(name string) string {
	switch name {
	case "after":
		return "Returns the elements in the list that come after the specified cursor."
	case "before":
		return "Returns the elements in the list that come before the specified cursor."
	case "first":
		return "Returns the first _n_ elements from the list (20 when neither first nor last is given; at most 100)."
	case "last":
		return "Returns the last _n_ elements from the list (at most 100)."
	}
	return ""
}

// predicateSuffixes explain the generated filter operators, longest first.
var predicateSuffixes = []struct{ suffix, text string }{
	{"ContainsFold", "contains the given text, ignoring case"},
	{"EqualFold", "equals the given text, ignoring case"},
	{"HasPrefix", "starts with the given text"},
	{"HasSuffix", "ends with the given text"},
	{"Contains", "contains the given text"},
	{"NotNil", "is set"},
	{"IsNil", "is not set"},
	{"NotIn", "is none of the given values"},
	{"NEQ", "differs from the given value"},
	{"GTE", "is greater than or equal to the given value"},
	{"LTE", "is less than or equal to the given value"},
	{"GT", "is greater than the given value"},
	{"LT", "is less than the given value"},
	{"In", "is one of the given values"},
}

func fieldDescription(typeName string, def *ast.Definition, field string, edges, fields map[string]string) string {
	if field == "id" {
		if def.Kind == ast.InputObject {
			return "The id equals the given value."
		}
		return "The object's global id: opaque, and all that `node(id:)` needs to find it."
	}
	switch {
	case strings.HasSuffix(typeName, "WhereInput"):
		return whereDescription(strings.TrimSuffix(typeName, "WhereInput"), def, field, edges)
	case strings.HasPrefix(typeName, "Create") && strings.HasSuffix(typeName, "Input"),
		strings.HasPrefix(typeName, "Update") && strings.HasSuffix(typeName, "Input"):
		obj := strings.TrimSuffix(strings.TrimPrefix(strings.TrimPrefix(typeName, "Create"), "Update"), "Input")
		return inputDescription(obj, field, edges, fields)
	}
	if d := edges[typeName+"."+field]; d != "" {
		return d
	}
	return fields[typeName+"."+field]
}

func whereDescription(obj string, def *ast.Definition, field string, edges map[string]string) string {
	switch field {
	case "not":
		return "Keeps " + obj + " objects that do not match the given filter."
	case "and":
		return "Keeps " + obj + " objects that match every one of the given filters."
	case "or":
		return "Keeps " + obj + " objects that match at least one of the given filters."
	}
	if strings.HasPrefix(field, "has") && len(field) > 3 {
		edge := strings.ToLower(field[3:4]) + field[4:]
		if strings.HasSuffix(edge, "With") {
			edge = strings.TrimSuffix(edge, "With")
			return "Keeps " + obj + " objects with a `" + edge + "` link that matches all the given filters."
		}
		if _, ok := edges[obj+"."+edge]; ok {
			return "Keeps " + obj + " objects with (true) or without (false) a `" + edge + "` link."
		}
	}
	for _, p := range predicateSuffixes {
		base := strings.TrimSuffix(field, p.suffix)
		if base != field && def.Fields.ForName(base) != nil {
			return "Keeps " + obj + " objects whose `" + base + "` " + p.text + "."
		}
	}
	if def.Fields.ForName(field+"NEQ") != nil || def.Fields.ForName(field+"IsNil") != nil {
		return "Keeps " + obj + " objects whose `" + field + "` equals the given value."
	}
	return ""
}

func inputDescription(obj, field string, edges, fields map[string]string) string {
	if d := fields[obj+"."+field]; d != "" {
		return d
	}
	name, verb := field, ""
	for _, prefix := range []string{"clear", "add", "remove"} {
		if strings.HasPrefix(field, prefix) && len(field) > len(prefix) && field[len(prefix)] >= 'A' && field[len(prefix)] <= 'Z' {
			verb = prefix
			name = strings.ToLower(field[len(prefix):len(prefix)+1]) + field[len(prefix)+1:]
			break
		}
	}
	if verb == "clear" {
		if d := edges[obj+"."+name]; d != "" {
			return "Removes every `" + name + "` link. (" + d + ")"
		}
		return "Sets `" + name + "` to null."
	}
	if strings.HasSuffix(name, "IDs") {
		edge := findEdge(obj, strings.TrimSuffix(name, "IDs"), edges)
		switch verb {
		case "add":
			return "Ids to link as `" + edge + "`, beside the current links. (" + edges[obj+"."+edge] + ")"
		case "remove":
			return "Ids to unlink from `" + edge + "`."
		default:
			return "Ids to link as `" + edge + "`. (" + edges[obj+"."+edge] + ")"
		}
	}
	return ""
}

// findEdge finds the edge whose input fields are named after singular, e.g.
// policy → policies, supersede → supersedes, hostedProject → hostedProjects.
func findEdge(obj, singular string, edges map[string]string) string {
	for _, plural := range []string{singular + "s", strings.TrimSuffix(singular, "y") + "ies", singular + "es", singular} {
		if _, ok := edges[obj+"."+plural]; ok {
			return plural
		}
	}
	return singular
}
