package emulator

import (
	"context"
	"math/rand/v2"
	"path/filepath"
	"testing"
	"time"

	"github.com/ccql/ccql/emulator/internal/cognito"
	"github.com/ccql/ccql/internal/handler"
	"github.com/ccql/ccql/internal/schema"
	"github.com/ccql/ccql/internal/store"
)

// The private types of the client-id index (emulator/internal/cognito/client_index.go).
const (
	clientIndexType = "ccql::Cognito::ClientIndex"
	indexStateType  = "ccql::Cognito::IndexState"
)

// writeOldClients stores a pool with three app clients in the store file
// at path as an older ccql did: without client-id index records.
func writeOldClients(t *testing.T, path string, p store.Partition) {
	t.Helper()
	ctx := context.Background()
	st, err := store.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	env := handler.Env{Account: p.Account, Region: p.Region, Now: time.Date(2026, 12, 2, 10, 0, 0, 0, time.UTC), Rand: rand.NewChaCha8([32]byte{3})}
	hs := map[string]handler.Handler{}
	for _, h := range cognito.Handlers(nil) {
		hs[h.TypeName()] = h
	}
	err = st.Update(ctx, func(stx store.Tx) error {
		tx := store.Scope(stx, p)
		create := func(typeName string, m map[string]any) (map[string]any, error) {
			m, err := hs[typeName].Prepare(env, m)
			if err != nil {
				return nil, err
			}
			return hs[typeName].Create(ctx, env, tx, m)
		}
		pool, err := create("AWS::Cognito::UserPool", map[string]any{"UserPoolName": "old"})
		if err != nil {
			return err
		}
		for range 3 {
			if _, err := create(cognito.ClientTypeName, map[string]any{"UserPoolId": pool["UserPoolId"], "ClientName": "app"}); err != nil {
				return err
			}
		}
		for _, typ := range []string{clientIndexType, indexStateType} {
			recs, err := tx.List(typ, "")
			if err != nil {
				return err
			}
			for _, r := range recs {
				if err := tx.Delete(typ, r.Identifier); err != nil {
					return err
				}
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// indexEntries counts p's client-id index entries and markers.
func indexEntries(t *testing.T, st store.Store, p store.Partition) (entries, markers int) {
	t.Helper()
	err := st.View(context.Background(), func(stx store.Tx) error {
		tx := store.Scope(stx, p)
		var err error
		if entries, err = tx.Count(clientIndexType, ""); err != nil {
			return err
		}
		markers, err = tx.Count(indexStateType, "")
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return entries, markers
}

// TestCognitoIndexes_BuiltOnOpenAndLoad: a data dir and a snapshot
// written by an older ccql (clients, no client-id index) get their index
// when the server opens the store and when the snapshot is loaded.
func TestCognitoIndexes_BuiltOnOpenAndLoad(t *testing.T) {
	p := store.Partition{Account: "111122223333", Region: "eu-west-1"}
	dir := t.TempDir()
	writeOldClients(t, filepath.Join(dir, store.FileName), p)
	snap := filepath.Join(t.TempDir(), "old.db")
	writeOldClients(t, snap, p)

	reg := schema.NewRegistry()
	s, err := newServer(Options{DataDir: dir}, reg, cognito.Handlers(reg), cognito.Operations())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	if entries, markers := indexEntries(t, s.st, p); entries != 3 || markers != 1 {
		t.Fatalf("after opening an old data dir: %d index entries and %d markers, want 3 and 1", entries, markers)
	}
	var built bool
	if err := s.st.View(context.Background(), func(tx store.Tx) (err error) {
		built, err = cognito.IndexesBuilt(store.Scope(tx, store.Partition{}))
		return err
	}); err != nil || !built {
		t.Fatalf("the store-wide marker is not set after the backfill (%v)", err)
	}
	if err := s.LoadState(context.Background(), snap); err != nil {
		t.Fatal(err)
	}
	if entries, markers := indexEntries(t, s.st, p); entries != 3 || markers != 1 {
		t.Fatalf("after loading an old snapshot: %d index entries and %d markers, want 3 and 1", entries, markers)
	}
}
