package shell

import (
	"bufio"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
)

// DefaultHistoryLimit is how many entries a history file keeps.
const DefaultHistoryLimit = 1000

// sensitive matches text that may carry a secret: a Cognito client secret
// (the property, its column, or a PatchDocument that sets it), AWS secret
// keys and passwords. A false positive only costs a history entry.
var sensitive = regexp.MustCompile(`(?i)client_?secret|secret_?access_?key|password|session_?token`)

// Sensitive reports whether a history entry may carry a secret and must not
// be written to the history file.
func Sensitive(entry string) bool { return sensitive.MatchString(entry) }

// History is the shell's command history, kept in a file with one entry per
// line. Entries are appended to the file as they are added, so concurrent
// shells on one data dir interleave rather than overwrite each other, and a
// shell that is killed loses nothing; the file is cut back to the limit when
// it is opened and closed.
type History struct {
	path    string
	limit   int
	entries []string
}

// OpenHistory loads the history file at path (a missing file is an empty
// history), creating its directory if needed. The file is made private
// (0600), since statements name real resources. limit <= 0 means
// DefaultHistoryLimit.
func OpenHistory(path string, limit int) (*History, error) {
	if limit <= 0 {
		limit = DefaultHistoryLimit
	}
	h := &History{path: path, limit: limit}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, fmt.Errorf("history: %w", err)
	}
	entries, total, err := readLast(path, limit)
	if err != nil {
		return nil, err
	}
	h.entries = entries
	if total == 0 {
		return h, nil
	}
	if err := os.Chmod(path, 0o600); err != nil {
		return nil, fmt.Errorf("history: %w", err)
	}
	if total > limit {
		if err := h.rewrite(entries); err != nil {
			return nil, err
		}
	}
	return h, nil
}

// Path returns the history file's path.
func (h *History) Path() string { return h.path }

// Entries returns the entries, oldest first. The slice is the History's own;
// do not modify it.
func (h *History) Entries() []string { return h.entries }

// Add records an entry: a statement (flattened by HistoryEntry) or a
// meta-command line. Empty entries, a repeat of the last entry and
// entries that may carry a secret (see Sensitive) are not recorded; added
// reports whether it was. The entry is appended to the file at once.
func (h *History) Add(entry string) (added bool, err error) {
	entry = HistoryEntry(entry)
	if entry == "" || Sensitive(entry) || len(h.entries) > 0 && h.entries[len(h.entries)-1] == entry {
		return false, nil
	}
	h.entries = append(h.entries, entry)
	if len(h.entries) > h.limit {
		h.entries = h.entries[len(h.entries)-h.limit:]
	}
	f, err := os.OpenFile(h.path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o600)
	if err != nil {
		return true, fmt.Errorf("history: %w", err)
	}
	if _, err := f.WriteString(entry + "\n"); err != nil {
		f.Close()
		return true, fmt.Errorf("history: %w", err)
	}
	if err := f.Close(); err != nil {
		return true, fmt.Errorf("history: %w", err)
	}
	return true, nil
}

// Close cuts the file back to the last limit entries, if it has grown past
// them. It reads the file again rather than writing what this History
// holds, so that entries appended by another shell meanwhile are kept.
func (h *History) Close() error {
	entries, total, err := readLast(h.path, h.limit)
	if err != nil || total <= h.limit {
		return err
	}
	return h.rewrite(entries)
}

// readLast returns the last limit non-blank lines of the file at path and
// how many it has in all; a missing file has none.
func readLast(path string, limit int) (entries []string, total int, err error) {
	f, err := os.Open(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, 0, nil
	}
	if err != nil {
		return nil, 0, fmt.Errorf("history: %w", err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 0, 64*1024), 16*1024*1024)
	for sc.Scan() {
		line := sc.Text()
		if strings.TrimSpace(line) == "" {
			continue
		}
		entries = append(entries, line)
		total++
		if len(entries) > 2*limit { // keep memory bounded on a huge file
			entries = append(entries[:0], entries[len(entries)-limit:]...)
		}
	}
	if err := sc.Err(); err != nil {
		return nil, 0, fmt.Errorf("history %s: %w", path, err)
	}
	if len(entries) > limit {
		entries = entries[len(entries)-limit:]
	}
	return entries, total, nil
}

// rewrite replaces the file with entries, atomically (a temporary file
// renamed over it), private to the user.
func (h *History) rewrite(entries []string) error {
	tmp, err := os.CreateTemp(filepath.Dir(h.path), ".history-*")
	if err != nil {
		return fmt.Errorf("history: %w", err)
	}
	defer os.Remove(tmp.Name()) // a no-op after the rename
	w := bufio.NewWriter(tmp)
	for _, e := range entries {
		w.WriteString(e)
		w.WriteByte('\n')
	}
	if err := w.Flush(); err != nil {
		tmp.Close()
		return fmt.Errorf("history: %w", err)
	}
	if err := tmp.Close(); err != nil { // CreateTemp makes the file 0600
		return fmt.Errorf("history: %w", err)
	}
	if err := os.Rename(tmp.Name(), h.path); err != nil {
		return fmt.Errorf("history: %w", err)
	}
	return nil
}
