package schema

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"sort"
	"strconv"
	"strings"
	"sync"

	"github.com/klauspost/compress/zstd"
)

// The archive holds every provisionable CloudFormation resource schema in
// one embedded file, so that listing type names touches only a small plain
// index and reading one schema decompresses one small block:
//
//	"CCQLSCH1"             magic
//	uint32 little-endian   length of the index
//	index                  one line per type, sorted by type name:
//	                       TypeName \t blockOffset \t blockLength \t offset \t length \n
//	blocks                 zstd frames; blockOffset counts from the end of the index,
//	                       offset/length locate the compact JSON document inside
//	                       the decompressed block
//
// Documents are json.Compact'ed originals: key order (and so column order)
// is kept. WriteArchive makes it (internal/catalog/gen runs it).

const archiveMagic = "CCQLSCH1"

// ErrBadArchive is returned for a schema archive that cannot be read.
var ErrBadArchive = errors.New("bad schema archive")

// archiveBlockSize is the decompressed size a block is filled up to. Small
// blocks keep one lookup cheap (a few hundred microseconds to inflate);
// large ones compress better. 256 KiB costs about 10% in size over one
// stream of everything.
const archiveBlockSize = 256 << 10

// WriteArchive writes the documents (any order; each must parse) as a
// schema archive. Documents that share a block are grouped by service
// (the type name's second segment) so related types inflate together.
func WriteArchive(w io.Writer, docs [][]byte) error {
	type item struct {
		typeName string
		doc      []byte
	}
	items := make([]item, 0, len(docs))
	seen := map[string]bool{}
	for _, d := range docs {
		r, err := Parse(d)
		if err != nil {
			return fmt.Errorf("write archive: %w", err)
		}
		if seen[r.TypeName] {
			return fmt.Errorf("write archive: %s twice", r.TypeName)
		}
		seen[r.TypeName] = true
		var buf bytes.Buffer
		if err := json.Compact(&buf, d); err != nil {
			return fmt.Errorf("write archive: %s: %w", r.TypeName, err)
		}
		items = append(items, item{r.TypeName, buf.Bytes()})
	}
	sort.Slice(items, func(i, j int) bool { return items[i].typeName < items[j].typeName })

	enc, err := zstd.NewWriter(nil, zstd.WithEncoderLevel(zstd.SpeedBestCompression), zstd.WithEncoderConcurrency(1))
	if err != nil {
		return fmt.Errorf("write archive: %w", err)
	}
	defer enc.Close()

	var index strings.Builder
	var blocks, block bytes.Buffer
	var pending []string // index lines of the open block, missing the block location
	flush := func() {
		if block.Len() == 0 {
			return
		}
		off := blocks.Len()
		blocks.Write(enc.EncodeAll(block.Bytes(), nil))
		for _, p := range pending {
			name, rest, _ := strings.Cut(p, "\t")
			fmt.Fprintf(&index, "%s\t%d\t%d\t%s\n", name, off, blocks.Len()-off, rest)
		}
		block.Reset()
		pending = pending[:0]
	}
	service := func(tn string) string {
		parts := strings.Split(tn, "::")
		if len(parts) < 2 {
			return tn
		}
		return parts[1]
	}
	for i, it := range items {
		if block.Len() > 0 && (block.Len()+len(it.doc) > archiveBlockSize || service(it.typeName) != service(items[i-1].typeName)) {
			flush()
		}
		pending = append(pending, fmt.Sprintf("%s\t%d\t%d", it.typeName, block.Len(), len(it.doc)))
		block.Write(it.doc)
	}
	flush()

	var hdr [12]byte
	copy(hdr[:8], archiveMagic)
	binary.LittleEndian.PutUint32(hdr[8:], uint32(index.Len()))
	for _, b := range [][]byte{hdr[:], []byte(index.String()), blocks.Bytes()} {
		if _, err := w.Write(b); err != nil {
			return fmt.Errorf("write archive: %w", err)
		}
	}
	return nil
}

// archiveLoc locates one document.
type archiveLoc struct {
	blockOff, blockLen, off, len int
}

// archive reads a schema archive held in memory (the embedded file).
type archive struct {
	blocks []byte
	locs   map[string]archiveLoc
	names  []string // sorted

	decOnce sync.Once
	dec     *zstd.Decoder
	decErr  error
}

func openArchive(data []byte) (*archive, error) {
	if len(data) < 12 || string(data[:8]) != archiveMagic {
		return nil, fmt.Errorf("%w: no header", ErrBadArchive)
	}
	n := int(binary.LittleEndian.Uint32(data[8:12]))
	if n < 0 || n > len(data)-12 {
		return nil, fmt.Errorf("%w: index length %d beyond %d bytes", ErrBadArchive, n, len(data))
	}
	index := string(data[12 : 12+n])
	lines := strings.Count(index, "\n")
	a := &archive{blocks: data[12+n:], locs: make(map[string]archiveLoc, lines), names: make([]string, 0, lines)}
	for index != "" {
		line, rest, _ := strings.Cut(index, "\n")
		index = rest
		name, f, _ := strings.Cut(line, "\t")
		var nums [4]int
		for i := range nums {
			var field string
			field, f, _ = strings.Cut(f, "\t")
			v, err := strconv.Atoi(field)
			if err != nil || v < 0 {
				return nil, fmt.Errorf("%w: index line %q", ErrBadArchive, line)
			}
			nums[i] = v
		}
		loc := archiveLoc{nums[0], nums[1], nums[2], nums[3]}
		if name == "" || f != "" || loc.blockLen > len(a.blocks) || loc.blockOff > len(a.blocks)-loc.blockLen {
			return nil, fmt.Errorf("%w: index line %q", ErrBadArchive, line)
		}
		a.locs[name] = loc
		a.names = append(a.names, name)
	}
	sort.Strings(a.names)
	return a, nil
}

// loc returns where typeName's document is; a nil archive has none.
func (a *archive) loc(typeName string) (archiveLoc, bool) {
	if a == nil {
		return archiveLoc{}, false
	}
	l, ok := a.locs[typeName]
	return l, ok
}

// decoder returns the zstd decoder, made on first use: listing type names
// needs none.
func (a *archive) decoder() (*zstd.Decoder, error) {
	a.decOnce.Do(func() {
		a.dec, a.decErr = zstd.NewReader(nil, zstd.WithDecoderConcurrency(1), zstd.WithDecoderLowmem(true))
	})
	return a.dec, a.decErr
}

// doc returns the compact JSON document of typeName, or ok=false.
func (a *archive) doc(typeName string) (doc []byte, ok bool, err error) {
	loc, ok := a.locs[typeName]
	if !ok {
		return nil, false, nil
	}
	dec, err := a.decoder()
	if err != nil {
		return nil, true, fmt.Errorf("%w: %w", ErrBadArchive, err)
	}
	block, err := dec.DecodeAll(a.blocks[loc.blockOff:loc.blockOff+loc.blockLen], nil)
	if err != nil {
		return nil, true, fmt.Errorf("%w: %s: %w", ErrBadArchive, typeName, err)
	}
	if loc.off+loc.len > len(block) {
		return nil, true, fmt.Errorf("%w: %s: document beyond its block", ErrBadArchive, typeName)
	}
	// Clone so the parsed Resource does not pin the whole inflated block.
	return bytes.Clone(block[loc.off : loc.off+loc.len]), true, nil
}
