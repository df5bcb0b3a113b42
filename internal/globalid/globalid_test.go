package globalid

import "testing"

func TestRoundTripAndTypes(t *testing.T) {
	for id, typ := range map[int]string{1<<32 + 7: Partner, 2<<32 + 1: Project, 3 << 32: Policy, 4<<32 + 99: ProjectParticipant} {
		g := Encode(id)
		back, err := Decode(g)
		if err != nil || back != id || TypeOf(id) != typ {
			t.Fatalf("%d: %s -> %d %v (type %s)", id, g, back, err, TypeOf(id))
		}
	}
	for _, bad := range []string{"", "1", "UGFydG5lcjox" /* Partner:1, outside its range */, "UHJvamVjdDo0Mjk0OTY3Mjk3" /* Project:<a partner id> */, "!!"} {
		if id, err := Decode(bad); err == nil {
			t.Errorf("%q decoded to %d", bad, id)
		}
	}
}
