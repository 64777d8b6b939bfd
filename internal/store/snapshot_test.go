package store_test

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/ccql/ccql/internal/store"
)

// dump reads every model and request of the partitions the tests use.
func dump(t *testing.T, s store.Store) map[string]any {
	t.Helper()
	out := map[string]any{}
	err := s.View(context.Background(), func(tx store.Tx) error {
		for _, p := range []store.Partition{{Account: "000000000000", Region: "us-east-1"}, {Account: "111111111111", Region: "eu-west-1"}} {
			for _, typ := range []string{"AWS::Logs::LogGroup", "ccql::Cognito::User"} {
				recs, err := tx.Models(p, typ, "")
				if err != nil {
					return err
				}
				out[p.Account+"/"+typ] = recs
			}
			reqs, err := tx.Requests(p, store.RequestFilter{Limit: 1000})
			if err != nil {
				return err
			}
			out[p.Account+"/requests"] = reqs
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// TestSnapshot_roundTrip: a snapshot taken while the store serves, loaded
// back after changes, restores every model (private types included) and
// every request exactly, and nothing else.
func TestSnapshot_roundTrip(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	s, err := store.Open(ctx, filepath.Join(dir, store.FileName))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	pa := store.Partition{Account: "000000000000", Region: "us-east-1"}
	pb := store.Partition{Account: "111111111111", Region: "eu-west-1"}
	now := time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)
	put := func(p store.Partition, typ, id, model string) {
		t.Helper()
		if err := s.Update(ctx, func(tx store.Tx) error { return tx.PutModel(p, typ, id, json.RawMessage(model)) }); err != nil {
			t.Fatal(err)
		}
	}
	put(pa, "AWS::Logs::LogGroup", "a", `{"LogGroupName":"a"}`)
	put(pb, "AWS::Logs::LogGroup", "b", `{"LogGroupName":"b"}`)
	put(pa, "ccql::Cognito::User", "pool|alice", `{"Username":"alice","PasswordHash":"x"}`)
	err = s.Update(ctx, func(tx store.Tx) error {
		return tx.PutRequest(&store.Request{Token: "t1", Partition: pa, Operation: "CREATE", Status: store.StatusSuccess,
			TypeName: "AWS::Logs::LogGroup", Identifier: "a", Payload: json.RawMessage(`{"model":{}}`), Created: now, Updated: now, Due: now})
	})
	if err != nil {
		t.Fatal(err)
	}
	want := dump(t, s)
	snap := filepath.Join(t.TempDir(), "snap.db")
	if err := s.Snapshot(ctx, snap); err != nil {
		t.Fatal(err)
	}
	// Change everything: a new model, a deleted one, a changed one, a new request.
	put(pa, "AWS::Logs::LogGroup", "new", `{"LogGroupName":"new"}`)
	put(pa, "ccql::Cognito::User", "pool|alice", `{"Username":"alice","PasswordHash":"changed"}`)
	if err := s.Update(ctx, func(tx store.Tx) error {
		if err := tx.DeleteModel(pb, "AWS::Logs::LogGroup", "b"); err != nil {
			return err
		}
		return tx.PutRequest(&store.Request{Token: "t2", Partition: pa, Operation: "DELETE", Status: store.StatusInProgress,
			TypeName: "AWS::Logs::LogGroup", Identifier: "a", Created: now, Updated: now, Due: now})
	}); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(want, dump(t, s)); diff == "" {
		t.Fatal("the changes changed nothing")
	}
	if err := s.Restore(ctx, snap); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(want, dump(t, s)); diff != "" {
		t.Errorf("after Restore (-snapshot +store):\n%s", diff)
	}
	// The store keeps working after a restore.
	put(pa, "AWS::Logs::LogGroup", "after", `{}`)
	// A snapshot opens as a store of its own.
	s2, err := store.Open(ctx, snap)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(want, dump(t, s2)); diff != "" {
		t.Errorf("snapshot opened as a store (-want +got):\n%s", diff)
	}
	s2.Close()
}

// TestRestore_refusesNonSnapshots: a damaged, empty or foreign file is
// refused and the store is left as it was.
func TestRestore_refusesNonSnapshots(t *testing.T) {
	ctx := context.Background()
	path := filledStore(t)
	s, err := store.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	before := dump(t, s)
	dir := t.TempDir()
	empty := filepath.Join(dir, "empty.db")
	os.WriteFile(empty, nil, 0o600)
	text := filepath.Join(dir, "text.db")
	os.WriteFile(text, []byte("not a database at all, but long enough to look like a header......................................................"), 0o600)
	damagedSnap := filledStore(t)
	overwrite(t, damagedSnap, 3*4096, make([]byte, 4096))
	for _, src := range []string{empty, text, damagedSnap, filepath.Join(dir, "missing.db")} {
		if err := s.Restore(ctx, src); err == nil {
			t.Errorf("Restore(%s) succeeded", src)
		}
	}
	if diff := cmp.Diff(before, dump(t, s)); diff != "" {
		t.Errorf("a refused restore changed the store:\n%s", diff)
	}
}

// TestRestoreFile_damaged: the documented remedy for a damaged store.
func TestRestoreFile_damaged(t *testing.T) {
	ctx := context.Background()
	good := filledStore(t)
	s, _ := store.Open(ctx, good)
	want := dump(t, s)
	snap := filepath.Join(t.TempDir(), "snap.db")
	if err := s.Snapshot(ctx, snap); err != nil {
		t.Fatal(err)
	}
	s.Close()
	overwrite(t, good, 0, make([]byte, 4096))
	if _, err := store.Open(ctx, good); !store.IsDamaged(err) {
		t.Fatalf("damaged store: %v", err)
	}
	if err := store.RestoreFile(ctx, snap, good); err != nil {
		t.Fatal(err)
	}
	s, err := store.Open(ctx, good)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if diff := cmp.Diff(want, dump(t, s)); diff != "" {
		t.Errorf("restored store (-want +got):\n%s", diff)
	}
	if err := store.RestoreFile(ctx, good+".nope", good); err == nil || errors.Is(err, store.ErrNotSnapshot) {
		t.Errorf("RestoreFile of a missing snapshot: %v", err)
	}
}
