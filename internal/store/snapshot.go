package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"net/url"
	"os"
	"path/filepath"
	"strings"
)

// Snapshots are whole-database copies: every table of the store (models
// of every type, private ones such as signing keys and users included, and
// the request ledger) as one SQLite file that Open can open as a store.

// Snapshot writes a consistent copy of the store to dst with SQLite's
// VACUUM INTO, while the store keeps serving (it reads one snapshot of the
// WAL, like any reader). dst is replaced atomically: the copy is written
// beside it and renamed over it.
func (s *SQLite) Snapshot(ctx context.Context, dst string) error {
	s.mu.RLock()
	closed := s.closed
	s.mu.RUnlock()
	if closed {
		return ErrClosed
	}
	return snapshotFile(ctx, s.path, dst)
}

func fileURI(path string, query string) string {
	return "file:" + (&url.URL{Path: path}).EscapedPath() + "?" + query
}

func snapshotFile(ctx context.Context, src, dst string) error {
	tmp, err := os.CreateTemp(filepath.Dir(dst), "."+filepath.Base(dst)+".tmp-*")
	if err != nil {
		return fmt.Errorf("snapshot to %s: %w", dst, err)
	}
	tmpName := tmp.Name()
	tmp.Close()
	// VACUUM INTO wants a file that does not exist (or is empty).
	os.Remove(tmpName)
	defer os.Remove(tmpName)
	db, err := sql.Open("sqlite", fileURI(src, fmt.Sprintf("_pragma=busy_timeout(%d)", DefaultBusyTimeout)))
	if err != nil {
		return fmt.Errorf("snapshot %s: %w", src, err)
	}
	defer db.Close()
	if _, err := db.ExecContext(ctx, "VACUUM INTO ?", tmpName); err != nil {
		return fmt.Errorf("snapshot %s to %s: %w", src, dst, err)
	}
	if err := syncFile(tmpName); err != nil {
		return fmt.Errorf("snapshot to %s: %w", dst, err)
	}
	if err := os.Rename(tmpName, dst); err != nil {
		return fmt.Errorf("snapshot to %s: %w", dst, err)
	}
	return nil
}

func syncFile(path string) error {
	f, err := os.OpenFile(path, os.O_RDWR, 0)
	if err != nil {
		return err
	}
	defer f.Close()
	return f.Sync()
}

// ErrNotSnapshot is returned (wrapped) when a file given as a snapshot is
// not a ccql store.
var ErrNotSnapshot = errors.New("not a ccql snapshot")

// CheckSnapshot verifies that path is a sound ccql store of this schema
// version: SQLite's quick_check passes and it has the store's tables.
func CheckSnapshot(ctx context.Context, path string) error {
	fi, err := os.Stat(path)
	if err != nil {
		return fmt.Errorf("snapshot: %w", err)
	}
	if fi.Size() == 0 {
		return fmt.Errorf("snapshot %s: the file is empty: %w", path, ErrNotSnapshot)
	}
	db, err := sql.Open("sqlite", fileURI(path, "mode=ro"))
	if err != nil {
		return fmt.Errorf("snapshot %s: %w", path, err)
	}
	defer db.Close()
	c, err := db.Conn(ctx)
	if err != nil {
		return fmt.Errorf("snapshot %s: %w", path, err)
	}
	defer c.Close()
	if err := checkIntegrity(ctx, c, path); err != nil {
		return fmt.Errorf("snapshot: %w", err)
	}
	var v int
	if err := c.QueryRowContext(ctx, "PRAGMA user_version").Scan(&v); err != nil {
		return fmt.Errorf("snapshot %s: %w", path, err)
	}
	if v != schemaVersion {
		return fmt.Errorf("snapshot %s: schema version %d, this ccql reads %d: %w", path, v, schemaVersion, ErrNotSnapshot)
	}
	var n int
	if err := c.QueryRowContext(ctx, `SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name IN ('models', 'requests')`).Scan(&n); err != nil || n != 2 {
		return fmt.Errorf("snapshot %s: no models and requests tables: %w", path, ErrNotSnapshot)
	}
	return nil
}

// Restore replaces everything in the store with the snapshot's contents,
// in one transaction: readers see the old state or the new one, never a
// mix. It works while the store serves, and while other processes share
// the file (they see the change as any commit).
func (s *SQLite) Restore(ctx context.Context, src string) error {
	if err := CheckSnapshot(ctx, src); err != nil {
		return err
	}
	return s.exclusive(ctx, func(ctx context.Context, c *sql.Conn) error {
		if _, err := c.ExecContext(ctx, "ATTACH DATABASE ? AS snap", fileURI(src, "mode=ro")); err != nil {
			return fmt.Errorf("restore %s: %w", src, err)
		}
		defer c.ExecContext(context.Background(), "DETACH DATABASE snap") //nolint:errcheck // best effort; the next ATTACH reuses no name
		if err := copyTables(ctx, c); err != nil {
			return fmt.Errorf("restore %s: %w", src, err)
		}
		return nil
	})
}

// copyTables replaces every table of main with the same table of snap
// (empty when snap lacks it), in one transaction.
func copyTables(ctx context.Context, c *sql.Conn) (err error) {
	rows, err := c.QueryContext(ctx, `SELECT name FROM main.sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name`)
	if err != nil {
		return err
	}
	var tables []string
	for rows.Next() {
		var name string
		if err := rows.Scan(&name); err != nil {
			rows.Close()
			return err
		}
		tables = append(tables, name)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	if _, err := c.ExecContext(ctx, "BEGIN IMMEDIATE"); err != nil {
		return err
	}
	defer func() {
		if err != nil {
			c.ExecContext(context.Background(), "ROLLBACK") //nolint:errcheck // the first error matters
		}
	}()
	for _, t := range tables {
		q := `"` + strings.ReplaceAll(t, `"`, `""`) + `"`
		if _, err := c.ExecContext(ctx, "DELETE FROM main."+q); err != nil {
			return err
		}
		var n int
		if err := c.QueryRowContext(ctx, `SELECT count(*) FROM snap.sqlite_master WHERE type = 'table' AND name = ?`, t).Scan(&n); err != nil {
			return err
		}
		if n == 0 {
			continue
		}
		if _, err := c.ExecContext(ctx, "INSERT INTO main."+q+" SELECT * FROM snap."+q); err != nil {
			return err
		}
	}
	_, err = c.ExecContext(ctx, "COMMIT")
	return err
}

// RestoreFile puts a copy of the snapshot src in place of the store file
// at path, without opening it: the remedy for a damaged store, which Open
// refuses. No process may have the store open.
func RestoreFile(ctx context.Context, src, path string) error {
	if err := CheckSnapshot(ctx, src); err != nil {
		return err
	}
	in, err := os.Open(src)
	if err != nil {
		return fmt.Errorf("restore: %w", err)
	}
	defer in.Close()
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return fmt.Errorf("restore: %w", err)
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return fmt.Errorf("restore: %w", err)
	}
	defer os.Remove(tmp.Name())
	if _, err := io.Copy(tmp, in); err != nil {
		tmp.Close()
		return fmt.Errorf("restore: %w", err)
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return fmt.Errorf("restore: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("restore: %w", err)
	}
	// The damaged file's WAL and shared memory belong to it, not to the
	// snapshot.
	for _, ext := range []string{"-wal", "-shm"} {
		if err := os.Remove(path + ext); err != nil && !errors.Is(err, os.ErrNotExist) {
			return fmt.Errorf("restore: %w", err)
		}
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("restore: %w", err)
	}
	return nil
}
