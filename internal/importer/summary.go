package importer

import (
	"fmt"
	"io"
)

// WriteProblems writes one line per problem.
func (s *Summary) WriteProblems(w io.Writer) error {
	for _, p := range s.Problems {
		if _, err := fmt.Fprintln(w, p.String()); err != nil {
			return err
		}
	}
	return nil
}

// String is the summary that ends a run: rows, projects created, updated,
// unchanged and skipped, partners, and time taken; then, when there are
// some, the projects left without a location.
func (s *Summary) String() string {
	out := fmt.Sprintf("%d rows: %d created, %d updated, %d unchanged, %d skipped (partners: %d created, %d updated, %d unchanged) in %.2f s",
		s.Rows, s.Created, s.Updated, s.Unchanged, s.Skipped,
		s.Partners.Created, s.Partners.Updated, s.Partners.Unchanged, s.Elapsed.Seconds())
	if s.Unlocated > 0 {
		out += fmt.Sprintf("; %d projects left unlocated: regional or multi-country", s.Unlocated)
	}
	return out
}
