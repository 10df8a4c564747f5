package duckdb

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/lookout-maritime/lookout/internal/store"
	"github.com/lookout-maritime/lookout/internal/store/storetest"
)

func testConfig(path string) Config {
	return Config{Path: path, MemoryLimit: "2GB"}
}

func TestConformance(t *testing.T) {
	storetest.Run(t, storetest.Backend{
		NewLocation: func(t *testing.T) string { return filepath.Join(t.TempDir(), "lookout.duckdb") },
		Open: func(t *testing.T, loc string) (store.Store, error) {
			return Open(context.Background(), testConfig(loc))
		},
	})
}
