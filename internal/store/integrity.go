package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
)

// DamagedError is returned by Open for a store file that is not a sound
// SQLite database: empty, overwritten, truncated, or failing SQLite's
// quick_check. Nothing is written to the file.
type DamagedError struct {
	Path   string // the store file
	Damage string // what is wrong, in SQLite's words where it has some
}

// Error names the file, the damage and what to do.
func (e *DamagedError) Error() string {
	return fmt.Sprintf("store %s is damaged: %s. ccql will not start on it. "+
		"Restore a snapshot with `ccql state load SNAPSHOT --data-dir DIR` (which replaces the damaged file), "+
		"or move the file away to start with an empty store; "+
		"to salvage what is readable, see docs/state.md (sqlite3 .recover)", e.Path, e.Damage)
}

// maxDamageLines bounds how much of quick_check's report goes into the error.
const maxDamageLines = 5

// checkIntegrity runs SQLite's quick_check (O(N) in the file's size, but
// much cheaper than integrity_check: it skips index-content checks) and
// turns any complaint, or a file SQLite cannot read at all, into a
// *DamagedError.
func checkIntegrity(ctx context.Context, c *sql.Conn, path string) error {
	rows, err := c.QueryContext(ctx, "PRAGMA quick_check")
	if err != nil {
		return damaged(path, err)
	}
	defer rows.Close()
	var problems []string
	for rows.Next() {
		var line string
		if err := rows.Scan(&line); err != nil {
			return damaged(path, err)
		}
		if line != "ok" && len(problems) < maxDamageLines {
			problems = append(problems, line)
		}
	}
	if err := rows.Err(); err != nil {
		return damaged(path, err)
	}
	if len(problems) > 0 {
		return &DamagedError{Path: path, Damage: "SQLite's quick_check reports: " + strings.Join(problems, "; ")}
	}
	return nil
}

// damaged classifies an error from reading the file: SQLite's "not a
// database" and "malformed" errors are damage; anything else (a lock, a
// permission) is returned as it is.
func damaged(path string, err error) error {
	msg := err.Error()
	for _, sign := range []string{"not a database", "malformed", "SQLITE_CORRUPT", "SQLITE_NOTADB", "disk image"} {
		if strings.Contains(msg, sign) {
			return &DamagedError{Path: path, Damage: msg}
		}
	}
	return fmt.Errorf("open store %s: integrity check: %w", path, err)
}

// IsDamaged reports whether err is (or wraps) a *DamagedError.
func IsDamaged(err error) bool {
	var d *DamagedError
	return errors.As(err, &d)
}
