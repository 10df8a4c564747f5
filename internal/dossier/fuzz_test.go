package dossier

import (
	"testing"
)

func FuzzParseManifest(f *testing.F) {
	f.Add([]byte(`{"format":"lookout-dossier/1","case":"C0","title":"t","generated":"2023-12-20T12:00:00Z","files":[{"path":"a/b.txt","sha256":"e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855","size":0}]}`))
	f.Add([]byte(`{"format":"lookout-dossier/1","files":[{"path":"../x","sha256":"00","size":-1}]}`))
	f.Add([]byte(`{}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		m, err := ParseManifest(data)
		if err != nil {
			return
		}
		seen := map[string]bool{}
		for _, f := range m.Files {
			if seen[f.Path] || f.Size < 0 || len(f.SHA256) != 64 || f.Path == ManifestPath {
				t.Fatalf("accepted bad file entry %+v", f)
			}
			seen[f.Path] = true
		}
	})
}

func FuzzParseProof(f *testing.F) {
	f.Add([]byte(`{"item":"E2","index":2,"tree_size":8,"leaf_hash":"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=","hashes":["AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="],"entry":"proofs/E2.entry.json","file":"evidence/E2.png"}`))
	f.Add([]byte(`{"index":-1,"tree_size":0}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		pf, _, proof, err := ParseProof(data)
		if err != nil {
			return
		}
		if pf.Index < 0 || pf.Index >= pf.TreeSize || len(proof) != len(pf.Hashes) {
			t.Fatalf("accepted bad proof %+v", pf)
		}
	})
}

func FuzzLandRings(f *testing.F) {
	f.Add([]byte(`{"type":"FeatureCollection","features":[{"type":"Feature","geometry":{"type":"Polygon","coordinates":[[[130,42],[131,42],[131,43],[130,42]]]}}]}`))
	f.Add([]byte(`{"type":"MultiPolygon","coordinates":[[[[1,2],[3,4],[5,6]]]]}`))
	f.Add([]byte(`{"type":"Feature","geometry":null}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		rings, err := landRings(data)
		if err != nil {
			return
		}
		// Whatever parses draws without panicking.
		c := &Case{ID: "C0", Title: "t", LandGeoJSON: data, Ports: []Port{{Name: "p", Lat: 42, Lon: 130}}}
		if _, err := buildMap(c, 1000, nil); err != nil && rings != nil {
			t.Fatal(err)
		}
	})
}
