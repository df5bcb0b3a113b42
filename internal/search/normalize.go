// Package search finds partners, projects and policies by words: case- and
// accent-insensitive, in any order, ranked by where the words match. Each
// searchable row keeps a normalized copy of its text (kept up to date by an
// ent hook); on PostgreSQL a trigram index serves the substring matching.
package search

import (
	"strings"
	"unicode"

	"golang.org/x/text/runes"
	"golang.org/x/text/transform"
	"golang.org/x/text/unicode/norm"
)

// Normalize lowercases text, strips accents and turns everything that is not
// a letter or a digit into single spaces: "Côte d'Ivoire" becomes
// "cote d ivoire". Chinese and other scripts keep their characters.
func Normalize(parts ...string) string {
	s := strings.Join(parts, " ")
	t := transform.Chain(norm.NFD, runes.Remove(runes.In(unicode.Mn)), norm.NFC)
	if out, _, err := transform.String(t, s); err == nil {
		s = out
	}
	var b strings.Builder
	space := true
	for _, r := range s {
		switch {
		case unicode.IsLetter(r) || unicode.IsDigit(r):
			b.WriteRune(unicode.ToLower(r))
			space = false
		case !space:
			b.WriteByte(' ')
			space = true
		}
	}
	return strings.TrimSpace(b.String())
}
