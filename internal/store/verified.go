package store

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
)

// The full integrity check (quick_check) reads the whole file: about 7 s
// of CPU for a store of a million resources, on every ccql exec. So Open
// runs it only when the file may have changed since an open that ran it
// and found the file sound. That open records the file's stamp beside it
// (VerifiedSuffix); a later open whose file has the same stamp, and no
// write-ahead log to replay, skips the full check and runs only the
// header checks (checkHeader).
//
// The stamp is what the file system says changes with any write: size,
// modification time, change time (which no user can set back, on Linux),
// device and inode (a file replaced by a rename is a new inode), plus a
// digest of SQLite's 100-byte header (whose change counter every commit
// in rollback mode bumps). Writing to the file by any means, ccql's own
// commits included, changes the stamp, so the next open runs the full
// check again. What the stamp cannot see is damage that bypasses the
// file system (a failing disk flipping bits under an unchanged file);
// SQLite still reports such pages as malformed when a read reaches them,
// and removing the stamp file forces the full check.

// VerifiedSuffix names the file, beside the store file, that records the
// stamp of the store as it was when the full integrity check last passed.
const VerifiedSuffix = "-verified"

// fileStamp identifies one state of a file; see above.
type fileStamp struct {
	Size   int64  `json:"size"`
	MTime  int64  `json:"mtimeNs"`
	CTime  int64  `json:"ctimeNs,omitempty"`
	Dev    uint64 `json:"dev,omitempty"`
	Inode  uint64 `json:"inode,omitempty"`
	Header string `json:"header"` // sha256 of the first 100 bytes
}

// stampOf returns the stamp of the store file at path.
func stampOf(path string) (fileStamp, error) {
	f, err := os.Open(path)
	if err != nil {
		return fileStamp{}, err
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return fileStamp{}, err
	}
	hdr := make([]byte, sqliteHeaderSize)
	n, err := io.ReadFull(f, hdr)
	if err != nil && !errors.Is(err, io.ErrUnexpectedEOF) && !errors.Is(err, io.EOF) {
		return fileStamp{}, err
	}
	sum := sha256.Sum256(hdr[:n])
	st := fileStamp{Size: fi.Size(), MTime: fi.ModTime().UnixNano(), Header: hex.EncodeToString(sum[:])}
	st.CTime, st.Dev, st.Inode = sysStamp(fi)
	return st, nil
}

// verifiedUnchanged reports whether the store file at path still has the
// stamp recorded by the last passing full check, with no write-ahead log
// holding changes that are not in the file yet.
func verifiedUnchanged(path string) bool {
	if walPending(path) {
		return false
	}
	b, err := os.ReadFile(path + VerifiedSuffix)
	if err != nil {
		return false
	}
	var rec fileStamp
	if json.Unmarshal(b, &rec) != nil {
		return false
	}
	now, err := stampOf(path)
	return err == nil && now == rec
}

// walPending reports whether the store has a write-ahead log with frames
// in it (a process crashed, or still runs, with changes not checkpointed).
func walPending(path string) bool {
	fi, err := os.Stat(path + "-wal")
	return err == nil && fi.Size() > 0
}

// recordVerified writes the stamp of the store file beside it, atomically
// (a torn record reads as no record: the next open runs the full check).
// Failing to record is not an error: the next open checks fully.
func recordVerified(path string) {
	st, err := stampOf(path)
	if err != nil {
		return
	}
	b, err := json.Marshal(st)
	if err != nil {
		return
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+VerifiedSuffix+"-*")
	if err != nil {
		return
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(b); err != nil {
		tmp.Close()
		return
	}
	if err := tmp.Close(); err != nil {
		return
	}
	os.Rename(tmp.Name(), path+VerifiedSuffix) //nolint:errcheck // see above
}

const sqliteHeaderSize = 100

var sqliteMagic = []byte("SQLite format 3\x00")

// checkHeader checks what SQLite's 100-byte header promises about the
// file, without reading past it: the magic string, a valid page size, and,
// when the header's page count is current, that the file holds that many
// pages. It catches a file overwritten at its start or truncated, at the
// cost of one small read, on every open. With a write-ahead log to replay
// the page count is not checked: a checkpoint cut short may have written
// page 1 before growing the file, and the log completes it.
func checkHeader(path string, walPending bool) error {
	f, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("open store %s: %w", path, err)
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return fmt.Errorf("open store %s: %w", path, err)
	}
	hdr := make([]byte, sqliteHeaderSize)
	if _, err := io.ReadFull(f, hdr); err != nil {
		return &DamagedError{Path: path, Damage: fmt.Sprintf("the file is %d bytes, shorter than a SQLite header", fi.Size())}
	}
	if !bytes.Equal(hdr[:16], sqliteMagic) {
		return &DamagedError{Path: path, Damage: "file is not a database (no SQLite header)"}
	}
	pageSize := int64(binary.BigEndian.Uint16(hdr[16:18]))
	if pageSize == 1 {
		pageSize = 65536
	}
	if pageSize < 512 || pageSize&(pageSize-1) != 0 {
		return &DamagedError{Path: path, Damage: fmt.Sprintf("the header's page size %d is not a power of two from 512 to 65536", pageSize)}
	}
	pages := int64(binary.BigEndian.Uint32(hdr[28:32]))
	changeCounter, validFor := binary.BigEndian.Uint32(hdr[24:28]), binary.BigEndian.Uint32(hdr[92:96])
	if !walPending && pages > 0 && changeCounter == validFor && fi.Size() < pages*pageSize {
		return &DamagedError{Path: path, Damage: fmt.Sprintf("the file is %d bytes, but its header counts %d pages of %d bytes (truncated)", fi.Size(), pages, pageSize)}
	}
	return nil
}
