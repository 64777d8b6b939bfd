//go:build linux

package benchmark

import (
	"os"
	"path/filepath"
	"testing"
)

// TestReadHWM reads this process's own peak RSS, and refuses what is not
// a status file.
func TestReadHWM(t *testing.T) {
	mb, ok := readHWM("/proc/self/status")
	if !ok || mb <= 1 {
		t.Errorf("readHWM(/proc/self/status) = %v, %v; want a peak of over 1 MB", mb, ok)
	}
	bad := filepath.Join(t.TempDir(), "status")
	if err := os.WriteFile(bad, []byte("Name:\tx\nVmHWM:\tlots\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if mb, ok := readHWM(bad); ok {
		t.Errorf("readHWM of a garbled file = %v, ok", mb)
	}
	if _, ok := readHWM(filepath.Join(t.TempDir(), "missing")); ok {
		t.Error("readHWM of a missing file: ok")
	}
}
