package demo

import (
	"testing"

	"github.com/lookout-maritime/lookout/internal/sanctions/load"
)

// The bundled list is the full SDN list with the three case vessels.
func TestBundledSDN(t *testing.T) {
	l, err := load.Reader(SDNFile, SDN())
	if err != nil {
		t.Fatal(err)
	}
	if len(l.Entities) != 14965 || load.Vessels(l) != 851 {
		t.Fatalf("%d entities, %d vessels", len(l.Entities), load.Vessels(l))
	}
	want := map[uint32]string{9179842: "ANGARA", 9358010: "MAIA-1", 8517839: "MARIA"}
	for _, e := range l.Entities {
		if e.Vessel != nil && want[e.Vessel.IMO] == e.Name {
			delete(want, e.Vessel.IMO)
		}
	}
	if len(want) != 0 {
		t.Fatalf("missing %v", want)
	}
}
