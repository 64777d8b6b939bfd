//go:build unix

package store

import (
	"fmt"
	"os"
	"path/filepath"
	"syscall"
)

// lockOpen takes an exclusive advisory lock on the directory of the store
// file for the span of Open's checks and schema setup, and returns its
// release. SQLite creates a new store's file before it writes a byte to
// it; without the lock, a second process starting at the same moment
// would see that empty file and refuse it as a store truncated to
// nothing. flock locks belong to the open file description, so two
// openers in one process exclude each other too.
func lockOpen(path string) (func(), error) {
	dir, err := os.Open(filepath.Dir(path))
	if err != nil {
		return nil, fmt.Errorf("open store %s: lock its directory: %w", path, err)
	}
	for {
		err = syscall.Flock(int(dir.Fd()), syscall.LOCK_EX)
		if err != syscall.EINTR {
			break
		}
	}
	if err != nil {
		dir.Close()
		return nil, fmt.Errorf("open store %s: lock its directory: %w", path, err)
	}
	return func() {
		syscall.Flock(int(dir.Fd()), syscall.LOCK_UN) //nolint:errcheck // closing releases it too
		dir.Close()
	}, nil
}
