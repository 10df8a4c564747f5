package source

import (
	"errors"
	"io"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestAISStreamFileGolden(t *testing.T) {
	path := filepath.Join("testdata", "aisstream", "messages.jsonl")
	a, err := OpenAISStreamFile(path, nil, AISStreamFileConfig{Name: "messages.jsonl"})
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	obs, rej := drain(t, a)
	for _, r := range rej {
		if r.Reason == "" || r.Line == 0 || r.Err == nil {
			t.Errorf("reject without reason or place: %+v", r)
		}
	}
	golden(t, filepath.Join("aisstream", "messages.jsonl.golden"), render(obs, rej)+renderCounts("skipped", a.Skipped()))
	if done, total := a.Progress(); done != total || total <= 0 {
		t.Errorf("progress %d/%d", done, total)
	}
}

func TestParseAISStreamTime(t *testing.T) {
	want := time.Date(2023, 11, 14, 22, 13, 20, 123456789, time.UTC)
	for _, tc := range []struct {
		in string
		ok bool
		at time.Time
	}{
		{"2023-11-14 22:13:20.123456789 +0000 UTC", true, want},
		{"2023-11-14 22:13:20.123456789 +0000 UTC m=+0.000000001", true, want},
		{"2023-11-14 23:13:20.123456789 +0100 CET", true, want},
		{"2023-11-14 22:13:20 +0000 UTC", true, want.Truncate(time.Second)},
		{"2023-11-14T22:13:20.123456789Z", true, want},
		{"2023-11-14", false, time.Time{}},
		{"", false, time.Time{}},
	} {
		got, ok := parseAISStreamTime(tc.in)
		if ok != tc.ok || !got.Equal(tc.at) || (ok && got.Location() != time.UTC) {
			t.Errorf("%q: %v %v", tc.in, got, ok)
		}
	}
}

// TestAISStreamServerError: an error frame is ErrAISStreamServer, so the
// live source can stop on it.
func TestAISStreamServerError(t *testing.T) {
	_, _, err := decodeAISStream([]byte(`{"error":"Api Key Is Not Valid"}`), "x", time.Time{})
	if !errors.Is(err, ErrAISStreamServer) || !strings.Contains(err.Error(), "Api Key Is Not Valid") {
		t.Errorf("error %v", err)
	}
	a := NewAISStreamFile(io.NopCloser(strings.NewReader(`{"error":"Api Key Is Not Valid"}`)), "e.jsonl", -1)
	_, rej := drain(t, a)
	if len(rej) != 1 || rej[0].Reason != "server_error" || !errors.Is(rej[0], ErrAISStreamServer) {
		t.Errorf("rejects %+v", rej)
	}
}
