package store_test

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/ccql/ccql/internal/store"
)

// filledStore writes a store of a few hundred models (dozens of pages)
// and closes it, so that its file stands alone (WAL checkpointed).
func filledStore(t *testing.T) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), store.FileName)
	s, err := store.Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	p := store.Partition{Account: "000000000000", Region: "us-east-1"}
	err = s.Update(context.Background(), func(tx store.Tx) error {
		for i := range 500 {
			m := json.RawMessage(fmt.Sprintf(`{"Name":"group-%04d","Pad":%q}`, i, strings.Repeat("x", 200)))
			if err := tx.PutModel(p, "AWS::Logs::LogGroup", fmt.Sprintf("group-%04d", i), m); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	return path
}

// TestOpen_Damaged: each kind of damage is refused at open with a message
// that names the file, the damage and what to do, and the file is left as
// it was.
func TestOpen_Damaged(t *testing.T) {
	const page = 4096
	tests := []struct {
		name   string
		damage func(t *testing.T, path string)
		want   string // in the damage description
	}{
		{"zeroed page", func(t *testing.T, path string) {
			overwrite(t, path, 3*page, make([]byte, page))
		}, "quick_check"},
		{"random bytes at the start", func(t *testing.T, path string) {
			b := make([]byte, page)
			r := rand.New(rand.NewPCG(1, 2))
			for i := range b {
				b[i] = byte(r.UintN(256))
			}
			overwrite(t, path, 0, b)
		}, "not a database"},
		{"truncated to nothing", func(t *testing.T, path string) {
			if err := os.Truncate(path, 0); err != nil {
				t.Fatal(err)
			}
		}, "the file is empty (0 bytes)"},
		{"truncated by half", func(t *testing.T, path string) {
			fi, err := os.Stat(path)
			if err != nil {
				t.Fatal(err)
			}
			if err := os.Truncate(path, fi.Size()/2/page*page); err != nil {
				t.Fatal(err)
			}
		}, ""},
	}
	for _, tt := range tests {
		for _, mode := range []string{"", "after a verified open, mtime kept"} {
			name := tt.name
			if mode != "" {
				name += ", " + mode
			}
			t.Run(name, func(t *testing.T) {
				path := filledStore(t)
				if mode != "" {
					if runtime.GOOS != "linux" {
						t.Skip("the stamp relies on the change time, which Linux alone exposes")
					}
					// An open that runs the full check and records the
					// file as verified, then damage behind its back that
					// sets the modification time back.
					openClose(t, path, true)
					openClose(t, path, false)
					fi, err := os.Stat(path)
					if err != nil {
						t.Fatal(err)
					}
					tt.damage(t, path)
					if err := os.Chtimes(path, fi.ModTime(), fi.ModTime()); err != nil {
						t.Fatal(err)
					}
				} else {
					tt.damage(t, path)
				}
				checkRefused(t, path, tt.want)
			})
		}
	}
}

// checkRefused opens the damaged store at path and checks the error.
func checkRefused(t *testing.T, path, want string) {
	t.Helper()
	before, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	s, err := store.Open(context.Background(), path)
	if err == nil {
		s.Close()
		t.Fatal("a damaged store opened")
	}
	var d *store.DamagedError
	if !errors.As(err, &d) || !store.IsDamaged(err) {
		t.Fatalf("error %v is not a *store.DamagedError", err)
	}
	if d.Path != path || !strings.Contains(d.Damage, want) {
		t.Errorf("DamagedError = %+v, want path %s and damage containing %q", d, path, want)
	}
	msg := err.Error()
	for _, part := range []string{path, "damaged", "ccql state load", "docs/state.md"} {
		if !strings.Contains(msg, part) {
			t.Errorf("message %q lacks %q", msg, part)
		}
	}
	after, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if string(before) != string(after) {
		t.Error("opening changed the damaged file")
	}
}

// openClose opens and closes the store at path, checking whether the open
// ran the full integrity check.
func openClose(t *testing.T, path string, wantFull bool) {
	t.Helper()
	s, err := store.Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	if s.FullCheck() != wantFull {
		t.Errorf("FullCheck() = %v, want %v", s.FullCheck(), wantFull)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
}

// TestOpen_fullCheckWhenChanged: the full integrity check runs on the
// first open of a file, is skipped while the file stays as that open left
// it, and runs again after any change: a commit, a replaced file, a lost
// or garbled record.
func TestOpen_fullCheckWhenChanged(t *testing.T) {
	path := filledStore(t)
	openClose(t, path, true)
	openClose(t, path, false)
	openClose(t, path, false)

	s, err := store.Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	p := store.Partition{Account: "000000000000", Region: "us-east-1"}
	if err := s.Update(context.Background(), func(tx store.Tx) error {
		return tx.PutModel(p, "AWS::Logs::LogGroup", "group-new", json.RawMessage(`{}`))
	}); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	openClose(t, path, true)
	openClose(t, path, false)

	// The same bytes under a new inode (a restored copy): checked.
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path+".copy", b, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(path+".copy", path); err != nil {
		t.Fatal(err)
	}
	openClose(t, path, runtime.GOOS == "linux")

	openClose(t, path, false)
	if err := os.WriteFile(path+store.VerifiedSuffix, []byte(`{"size":`), 0o600); err != nil {
		t.Fatal(err)
	}
	openClose(t, path, true)
	if err := os.Remove(path + store.VerifiedSuffix); err != nil {
		t.Fatal(err)
	}
	openClose(t, path, true)
}

func overwrite(t *testing.T, path string, off int64, b []byte) {
	t.Helper()
	f, err := os.OpenFile(path, os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := f.WriteAt(b, off); err != nil {
		t.Fatal(err)
	}
}

// TestOpen_newFile: a path where no file exists is a new, empty store
// (only an existing empty file is refused).
func TestOpen_newFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "new", store.FileName)
	s, err := store.Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if s, err = store.Open(context.Background(), path); err != nil {
		t.Fatalf("reopening a sound store: %v", err)
	}
	s.Close()
}

// TestOpen_concurrentCreate: processes that start together on a fresh
// data directory (a test's poller beside the ccql exec it watches) all
// open the store. The file another opener has just created, still empty,
// is a store being made, not a store truncated to nothing.
func TestOpen_concurrentCreate(t *testing.T) {
	const rounds, openers = 40, 4
	for round := range rounds {
		path := filepath.Join(t.TempDir(), store.FileName)
		errs := make(chan error, openers)
		start := make(chan struct{})
		for range openers {
			go func() {
				<-start
				s, err := store.Open(context.Background(), path)
				if err == nil {
					err = s.Close()
				}
				errs <- err
			}()
		}
		close(start)
		for range openers {
			if err := <-errs; err != nil {
				t.Fatalf("round %d: %v", round, err)
			}
		}
	}
}

// TestModelsAfter_seeks: a page after a cursor is a seek in the primary
// key, never a scan from the start of the type (which would make each
// page cost O(position)). The plan is SQLite's own.
func TestModelsAfter_seeks(t *testing.T) {
	path := filledStore(t)
	db, err := sql.Open("sqlite", "file:"+path+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for _, q := range []string{
		store.ModelsAfterSQL(false, false),
		store.ModelsAfterSQL(true, false),
		store.ModelsAfterSQL(true, true),
	} {
		rows, err := db.Query("EXPLAIN QUERY PLAN "+q, "a", "r", "t", "x", "y", 10)
		if err != nil {
			t.Fatal(err)
		}
		var plan []string
		for rows.Next() {
			var id, parent, unused int
			var detail string
			if err := rows.Scan(&id, &parent, &unused, &detail); err != nil {
				t.Fatal(err)
			}
			plan = append(plan, detail)
		}
		rows.Close()
		got := strings.Join(plan, "; ")
		if !strings.Contains(got, "SEARCH models USING PRIMARY KEY (account=? AND region=? AND type_name=? AND identifier>") || strings.Contains(got, "TEMP B-TREE") {
			t.Errorf("%s:\nplan %q, want a primary key seek with no sort", q, got)
		}
	}
}
