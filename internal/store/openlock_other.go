//go:build !unix

package store

// lockOpen is a no-op where flock is not available: two processes that
// create the same new store at the same moment may then see each other's
// empty file as damaged (see openlock_unix.go).
func lockOpen(string) (func(), error) { return func() {}, nil }
