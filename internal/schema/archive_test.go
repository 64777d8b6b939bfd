package schema

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"
)

func testDocs(n int) [][]byte {
	var docs [][]byte
	for i := range n {
		svc := []string{"Alpha", "Beta", "Gamma"}[i%3]
		docs = append(docs, fmt.Appendf(nil, `{
  "typeName": "AWS::%s::Thing%03d",
  "properties": {"Zeta": {"type": "string", "description": %q}, "Alpha": {"type": "integer"}},
  "handlers": {"create": {"permissions": ["x:Create"]}}
}`, svc, i, strings.Repeat("padding ", i*50)))
	}
	return docs
}

func TestWriteArchive_roundTrip(t *testing.T) {
	docs := testDocs(120) // big enough for several blocks per service
	var buf bytes.Buffer
	if err := WriteArchive(&buf, docs); err != nil {
		t.Fatal(err)
	}
	a, err := openArchive(buf.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	if len(a.names) != len(docs) {
		t.Fatalf("%d names, want %d", len(a.names), len(docs))
	}
	blocks := map[int]bool{}
	for _, d := range docs {
		want, _ := Parse(d)
		got, ok, err := a.doc(want.TypeName)
		if err != nil || !ok {
			t.Fatalf("doc(%s) = %v, %v", want.TypeName, ok, err)
		}
		var compact bytes.Buffer
		_ = json.Compact(&compact, d)
		if !bytes.Equal(got, compact.Bytes()) {
			t.Errorf("doc(%s) = %.80s…, want the compacted original", want.TypeName, got)
		}
		r, err := Parse(got)
		if err != nil || r.Properties[0].Name != "Zeta" {
			t.Errorf("doc(%s) lost property order: %v", want.TypeName, err)
		}
		blocks[a.locs[want.TypeName].blockOff] = true
	}
	if len(blocks) < 4 {
		t.Errorf("%d blocks; want several (per service, size-capped)", len(blocks))
	}
	if _, ok, _ := a.doc("AWS::No::Such"); ok {
		t.Error("doc(unknown) found")
	}
	if err := WriteArchive(&bytes.Buffer{}, [][]byte{docs[0], docs[0]}); err == nil {
		t.Error("WriteArchive accepted a type twice")
	}
	if err := WriteArchive(&bytes.Buffer{}, [][]byte{[]byte(`{"x":1}`)}); err == nil {
		t.Error("WriteArchive accepted a document without typeName")
	}
}

func TestOpenArchive_bad(t *testing.T) {
	var good bytes.Buffer
	if err := WriteArchive(&good, testDocs(3)); err != nil {
		t.Fatal(err)
	}
	tests := map[string][]byte{
		"empty":       nil,
		"magic":       []byte("NOTMAGIC\x00\x00\x00\x00"),
		"index long":  []byte("CCQLSCH1\xff\x00\x00\x00"),
		"index field": append([]byte("CCQLSCH1\x08\x00\x00\x00"), "A\tx\t1\t2\n"...),
		"block past":  append([]byte("CCQLSCH1\x0b\x00\x00\x00"), "A\t0\t99\t0\t1\n"...),
	}
	for name, data := range tests {
		if _, err := openArchive(data); !errors.Is(err, ErrBadArchive) {
			t.Errorf("%s: error = %v, want ErrBadArchive", name, err)
		}
	}
	// A corrupt block fails the lookup, not the open.
	b := bytes.Clone(good.Bytes())
	for i := len(b) - 20; i < len(b); i++ {
		b[i] ^= 0xff
	}
	a, err := openArchive(b)
	if err != nil {
		t.Fatal(err)
	}
	var failed bool
	for _, n := range a.names {
		if _, _, err := a.doc(n); err != nil {
			failed = errors.Is(err, ErrBadArchive)
		}
	}
	if !failed {
		t.Error("corrupt block decoded without ErrBadArchive")
	}
}

func FuzzOpenArchive(f *testing.F) {
	var good bytes.Buffer
	if err := WriteArchive(&good, testDocs(2)); err != nil {
		f.Fatal(err)
	}
	f.Add(good.Bytes())
	f.Add([]byte("CCQLSCH1\x00\x00\x00\x00"))
	f.Add(append([]byte("CCQLSCH1\x0a\x00\x00\x00"), "A\t0\t0\t0\t0\n"...))
	f.Fuzz(func(t *testing.T, data []byte) {
		a, err := openArchive(data)
		if err != nil {
			if !errors.Is(err, ErrBadArchive) {
				t.Fatalf("error %v is not ErrBadArchive", err)
			}
			return
		}
		for _, n := range a.names {
			if _, _, err := a.doc(n); err != nil && !errors.Is(err, ErrBadArchive) {
				t.Fatalf("doc(%s) error %v is not ErrBadArchive", n, err)
			}
		}
	})
}
