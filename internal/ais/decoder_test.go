package ais

import (
	"testing"
	"unsafe"
)

// intern hands out one string per receiver, whichever way it is found
// (the recent few, the table, or new), with the receiver's name.
func TestIntern(t *testing.T) {
	var d Decoder
	names := []string{"rx1", "rx2", "", "USCG-NAIS-HOU", "rx3", "rx4", "rx5", "rx1"}
	first := map[string]string{}
	for round := range 5 {
		for i, n := range names {
			if round%2 == 1 && i%2 == 0 {
				continue // another order of turns
			}
			got := d.intern([]byte(n))
			if got != n {
				t.Fatalf("intern(%q) = %q", n, got)
			}
			if f, ok := first[n]; !ok {
				first[n] = got
			} else if n != "" && unsafe.StringData(f) != unsafe.StringData(got) {
				t.Fatalf("intern(%q) returned a new copy in round %d", n, round)
			}
		}
	}
}
