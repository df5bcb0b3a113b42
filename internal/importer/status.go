package importer

import (
	"fmt"
	"strings"

	"github.com/bri-tracker/bri-tracker/ent/project"
)

// Statuses maps AidData's Status values to the project lifecycle. A pledge
// is not yet committed; a commitment is signed; implementation is work under
// way. Any other value makes the row a bad row: guessing a status would put
// a project at the wrong point of its lifecycle.
var Statuses = []struct {
	AidData string
	Status  project.Status
}{
	{"Pipeline: Pledge", project.StatusPIPELINE},
	{"Pipeline: Commitment", project.StatusSIGNED},
	{"Implementation", project.StatusUNDER_CONSTRUCTION},
	{"Completion", project.StatusCOMPLETED},
	{"Suspended", project.StatusSUSPENDED},
	{"Cancelled", project.StatusCANCELLED},
}

var statusByKey = func() map[string]project.Status {
	m := map[string]project.Status{}
	for _, s := range Statuses {
		m[headerKey(s.AidData)] = s.Status
	}
	return m
}()

// mapStatus reads a Status cell, forgiving case and spacing only.
func mapStatus(s string) (project.Status, error) {
	if st, ok := statusByKey[headerKey(s)]; ok {
		return st, nil
	}
	want := make([]string, len(Statuses))
	for i, st := range Statuses {
		want[i] = st.AidData
	}
	if s == "" {
		return "", fmt.Errorf("is empty; want one of %s", strings.Join(want, ", "))
	}
	return "", fmt.Errorf("unknown status %q; want one of %s", clip(s), strings.Join(want, ", "))
}
