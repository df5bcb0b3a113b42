package graph_test

import (
	"strings"
	"testing"

	"github.com/bri-tracker/bri-tracker/graph"
)

// TestEverySchemaElementIsDescribed: the schema is the API's documentation,
// so every type, field, argument and enum value must say what it is.
func TestEverySchemaElementIsDescribed(t *testing.T) {
	s := graph.NewExecutableSchema(graph.Config{}).Schema()
	var missing []string
	for name, def := range s.Types {
		if def.BuiltIn || strings.HasPrefix(name, "__") {
			continue
		}
		if strings.TrimSpace(def.Description) == "" {
			missing = append(missing, "type "+name)
		}
		for _, f := range def.Fields {
			if strings.HasPrefix(f.Name, "__") {
				continue
			}
			if strings.TrimSpace(f.Description) == "" {
				missing = append(missing, "field "+name+"."+f.Name)
			}
			for _, a := range f.Arguments {
				if strings.TrimSpace(a.Description) == "" {
					missing = append(missing, "argument "+name+"."+f.Name+"("+a.Name+")")
				}
			}
		}
		for _, v := range def.EnumValues {
			if strings.TrimSpace(v.Description) == "" {
				missing = append(missing, "enum value "+name+"."+v.Name)
			}
		}
	}
	if len(missing) > 0 {
		t.Fatalf("%d schema elements have no description:\n%s", len(missing), strings.Join(missing, "\n"))
	}
	for _, name := range []string{"Partner", "Project", "Policy", "ProjectParticipant", "Mutation", "Decimal", "Date"} {
		if s.Types[name] == nil {
			t.Fatalf("type %s is missing", name)
		}
	}
}
