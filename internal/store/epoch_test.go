package store_test

import (
	"context"
	"encoding/json"
	"path/filepath"
	"testing"

	"github.com/ccql/ccql/internal/store"
)

// stableEpoch calls Epoch until it reports no change (each read
// connection reports one on its first call) and fails if any call after
// a change returned notAfter as stable.
func stableEpoch(t *testing.T, s *store.SQLite, notAfter uint64, checkNotAfter bool) uint64 {
	t.Helper()
	for range 64 {
		e, stable, err := s.Epoch(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		if stable {
			if checkNotAfter && e <= notAfter {
				t.Fatalf("Epoch = (%d, stable) after a commit; the epoch before it was %d", e, notAfter)
			}
			return e
		}
	}
	t.Fatal("Epoch never became stable")
	return 0
}

func TestSQLite_Epoch(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), store.FileName)
	s, err := store.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	// A second handle on the file stands for another process.
	other, err := store.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	p := store.Partition{Account: "000000000000", Region: "us-east-1"}
	put := func(st *store.SQLite, id string) {
		t.Helper()
		if err := st.Update(ctx, func(tx store.Tx) error { return tx.PutModel(p, "T::T::T", id, json.RawMessage(`{}`)) }); err != nil {
			t.Fatal(err)
		}
	}

	e0 := stableEpoch(t, s, 0, false)
	if again := stableEpoch(t, s, 0, false); again != e0 {
		t.Errorf("epoch moved from %d to %d with no commit", e0, again)
	}
	tests := []struct {
		name  string
		write func()
	}{
		{"own commit", func() { put(s, "a") }},
		{"another handle's commit", func() { put(other, "b") }},
		{"a failed update still counts as a possible change", func() {
			s.Update(ctx, func(tx store.Tx) error { return context.Canceled }) //nolint:errcheck
		}},
	}
	prev := e0
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.write()
			e := stableEpoch(t, s, prev, true)
			prev = e
		})
	}
	s.Close()
	if _, _, err := s.Epoch(ctx); err == nil {
		t.Error("Epoch after Close: no error")
	}
}
