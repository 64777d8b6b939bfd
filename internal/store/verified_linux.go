//go:build linux

package store

import (
	"os"
	"syscall"
)

// sysStamp returns the change time, device and inode of a file.
func sysStamp(fi os.FileInfo) (ctimeNs int64, dev, inode uint64) {
	st, ok := fi.Sys().(*syscall.Stat_t)
	if !ok {
		return 0, 0, 0
	}
	return st.Ctim.Nano(), uint64(st.Dev), st.Ino //nolint:unconvert // Dev's type differs by architecture
}
