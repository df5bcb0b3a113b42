// Package names turns the database's snake_case names into the API's
// lowerCamelCase, as entgql does: host_country_id becomes hostCountryID.
package names

import "strings"

// LowerCamel converts a snake_case name; a trailing or inner "id" part
// becomes "ID".
func LowerCamel(s string) string {
	parts := strings.Split(s, "_")
	for i := 1; i < len(parts); i++ {
		switch {
		case parts[i] == "id":
			parts[i] = "ID"
		case parts[i] != "":
			parts[i] = strings.ToUpper(parts[i][:1]) + parts[i][1:]
		}
	}
	return strings.Join(parts, "")
}
