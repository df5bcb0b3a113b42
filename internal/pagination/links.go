package pagination

import "fmt"

// A many-to-many edge under a list (each project's policies) is loaded in
// one query over the join table, whose rows come in each parent's order
// (per-parent pages) and repeat a child once per parent it has. ent's
// generated loader scans each child once, then hands every child to its
// parents in the order the children were first met, which is not each
// parent's order when parents share children: a project whose newer policy
// was met under an earlier project got it before its older ones (and the
// page's cursors with it). The templates in ent/template make the loaders
// record the rows' pairs here and assign them in row order.

// Links are the (parent, child) key pairs of a many-to-many edge's rows, in
// the order the query returned them. Join tables hold each pair once.
type Links struct {
	seen  map[int]struct{}
	pairs [][2]int
}

// Add records a row's pair and reports whether its child is met for the
// first time (and is to be scanned).
func (l *Links) Add(parent, child int) bool {
	l.pairs = append(l.pairs, [2]int{parent, child})
	if l.seen == nil {
		l.seen = make(map[int]struct{})
	}
	if _, ok := l.seen[child]; ok {
		return false
	}
	l.seen[child] = struct{}{}
	return true
}

// AssignLinks hands each parent its children in the order of the rows. The
// children are the scanned ones, after the query's interceptors: a child
// that no row names is an error (edge names the edge), and rows whose child
// is not among them are skipped.
func AssignLinks[P, C any](l *Links, parents map[int]P, children []C, id func(C) int, assign func(P, C), edge string) error {
	byID := make(map[int]C, len(children))
	for _, c := range children {
		k := id(c)
		if _, ok := l.seen[k]; !ok {
			return fmt.Errorf("unexpected %q node returned %v", edge, k)
		}
		byID[k] = c
	}
	for _, p := range l.pairs {
		if c, ok := byID[p[1]]; ok {
			assign(parents[p[0]], c)
		}
	}
	return nil
}
