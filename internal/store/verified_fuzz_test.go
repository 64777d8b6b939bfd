package store

import (
	"bytes"
	"encoding/binary"
	"os"
	"path/filepath"
	"testing"
)

// FuzzCheckHeader: any file start is either refused as damage or has the
// SQLite magic and a valid page size; checkHeader never panics, and a
// header it passes whose page count is current fits the file.
func FuzzCheckHeader(f *testing.F) {
	good := make([]byte, 4096)
	copy(good, sqliteMagic)
	binary.BigEndian.PutUint16(good[16:], 4096)
	binary.BigEndian.PutUint32(good[28:], 1)
	f.Add(good, false)
	f.Add(good[:50], false)
	f.Add([]byte("SQLite format 3\x00\x00\x01"), true)
	f.Add([]byte{}, false)
	f.Fuzz(func(t *testing.T, b []byte, wal bool) {
		path := filepath.Join(t.TempDir(), FileName)
		if err := os.WriteFile(path, b, 0o600); err != nil {
			t.Fatal(err)
		}
		err := checkHeader(path, wal)
		if err == nil {
			if len(b) < sqliteHeaderSize || !bytes.Equal(b[:16], sqliteMagic) {
				t.Fatalf("passed a file without a SQLite header: %q", b[:min(len(b), 20)])
			}
			ps := int(binary.BigEndian.Uint16(b[16:18]))
			if ps == 1 {
				ps = 65536
			}
			if ps < 512 || ps&(ps-1) != 0 {
				t.Fatalf("passed page size %d", ps)
			}
			return
		}
		if !IsDamaged(err) {
			t.Fatalf("error %v is not a *DamagedError", err)
		}
	})
}
