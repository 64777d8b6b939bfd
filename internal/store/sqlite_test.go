package store_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/ccql/ccql/internal/store"
	"github.com/ccql/ccql/internal/store/storetest"
)

func TestSQLite_Conformance(t *testing.T) {
	t.Run("File", func(t *testing.T) {
		storetest.Run(t, func(t *testing.T) store.Store {
			s, err := store.Open(context.Background(), filepath.Join(t.TempDir(), "sub", store.FileName))
			if err != nil {
				t.Fatal(err)
			}
			return s
		})
	})
	t.Run("Temporary", func(t *testing.T) {
		storetest.Run(t, func(t *testing.T) store.Store {
			s, err := store.Open(context.Background(), "")
			if err != nil {
				t.Fatal(err)
			}
			return s
		})
	})
}

func TestSQLite_ReopenKeepsData(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), store.FileName)
	p := store.Partition{Account: "000000000000", Region: "us-east-1"}
	s, err := store.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Update(ctx, func(tx store.Tx) error {
		return tx.PutModel(p, "AWS::Test::Thing", "a", json.RawMessage(`{"A":1}`))
	}); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if err := s.Update(ctx, func(store.Tx) error { return nil }); !errors.Is(err, store.ErrClosed) {
		t.Errorf("Update after Close err = %v, want ErrClosed", err)
	}
	s2, err := store.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer s2.Close()
	if err := s2.View(ctx, func(tx store.Tx) error {
		m, err := tx.Model(p, "AWS::Test::Thing", "a")
		if err != nil {
			return err
		}
		if string(m) != `{"A":1}` {
			t.Errorf("model after reopen = %s", m)
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
}

// Two handles on one file stand for two processes (ccql serve and ccql
// exec): each sees the other's commits and their writes do not collide.
func TestSQLite_TwoHandlesShareFile(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), store.FileName)
	p := store.Partition{Account: "000000000000", Region: "us-east-1"}
	var handles [2]*store.SQLite
	for i := range handles {
		s, err := store.Open(ctx, path)
		if err != nil {
			t.Fatal(err)
		}
		defer s.Close()
		handles[i] = s
	}
	var wg sync.WaitGroup
	var failures atomic.Int32
	for i := range 100 {
		wg.Go(func() {
			s := handles[i%2]
			if err := s.Update(ctx, func(tx store.Tx) error {
				return tx.PutModel(p, "AWS::Test::Thing", fmt.Sprintf("%03d", i), json.RawMessage(`{}`))
			}); err != nil {
				t.Errorf("Update %d: %v", i, err)
				failures.Add(1)
			}
		})
	}
	wg.Wait()
	for i, s := range handles {
		if err := s.View(ctx, func(tx store.Tx) error {
			n, err := tx.CountModels(p, "AWS::Test::Thing", "")
			if err != nil {
				return err
			}
			if n != 100 {
				t.Errorf("handle %d sees %d models, want 100", i, n)
			}
			return nil
		}); err != nil {
			t.Fatal(err)
		}
	}
}

func TestSQLite_CanceledContext(t *testing.T) {
	s, err := store.Open(context.Background(), "")
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	ran := false
	err = s.Update(ctx, func(store.Tx) error { ran = true; return nil })
	if !errors.Is(err, context.Canceled) || ran {
		t.Errorf("Update with canceled ctx: err = %v, ran = %v", err, ran)
	}
}

// BenchmarkSQLite_DurableUpdate measures durable (fsynced) single-row
// commits with many concurrent writers, as the emulator's creates do.
func BenchmarkSQLite_DurableUpdate(b *testing.B) {
	ctx := context.Background()
	s, err := store.Open(ctx, filepath.Join(b.TempDir(), store.FileName))
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	p := store.Partition{Account: "000000000000", Region: "us-east-1"}
	var n atomic.Int64
	b.SetParallelism(32)
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			id := fmt.Sprint(n.Add(1))
			if err := s.Update(ctx, func(tx store.Tx) error {
				return tx.PutModel(p, "AWS::Test::Thing", id, json.RawMessage(`{"ClientName":"x"}`))
			}); err != nil {
				b.Error(err)
			}
		}
	})
}

func BenchmarkSQLite_View(b *testing.B) {
	ctx := context.Background()
	s, err := store.Open(ctx, filepath.Join(b.TempDir(), store.FileName))
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	p := store.Partition{Account: "000000000000", Region: "us-east-1"}
	if err := s.Update(ctx, func(tx store.Tx) error {
		return tx.PutModel(p, "AWS::Test::Thing", "a", json.RawMessage(`{"ClientName":"x"}`))
	}); err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for b.Loop() {
		if err := s.View(ctx, func(tx store.Tx) error {
			_, err := tx.Model(p, "AWS::Test::Thing", "a")
			return err
		}); err != nil {
			b.Fatal(err)
		}
	}
}
