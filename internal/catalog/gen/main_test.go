package main

import (
	"archive/tar"
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/klauspost/compress/zstd"
)

// writeSet writes a .tar.zst schema set of the given files.
func writeSet(t *testing.T, files map[string]string) string {
	t.Helper()
	var tb bytes.Buffer
	tw := tar.NewWriter(&tb)
	for name, body := range files {
		if err := tw.WriteHeader(&tar.Header{Name: "./" + name, Mode: 0o644, Size: int64(len(body)), Typeflag: tar.TypeReg}); err != nil {
			t.Fatal(err)
		}
		if _, err := tw.Write([]byte(body)); err != nil {
			t.Fatal(err)
		}
	}
	if err := tw.Close(); err != nil {
		t.Fatal(err)
	}
	enc, _ := zstd.NewWriter(nil)
	path := filepath.Join(t.TempDir(), "set.tar.zst")
	if err := os.WriteFile(path, enc.EncodeAll(tb.Bytes(), nil), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestRun(t *testing.T) {
	set := writeSet(t, map[string]string{
		"aws-location-placeindex.json": `{"typeName":"AWS::Location::PlaceIndex","properties":{"IndexName":{"type":"string"}},
			"primaryIdentifier":["/properties/IndexName"],
			"handlers":{"create":{"permissions":["geo:CreatePlaceIndex"]},"list":{"permissions":["geo:ListPlaceIndexes"]}}}`,
		"aws-x-readonly.json":    `{"typeName":"AWS::X::ReadOnly","properties":{},"handlers":{"read":{"permissions":["x:Get"]}}}`,
		"alexa-ask-skill.json":   `{"typeName":"Alexa::ASK::Skill","properties":{},"handlers":{"create":{"permissions":["ask:Create"]}}}`,
		"aws-x-emptycreate.json": `{"typeName":"AWS::X::EmptyCreate","properties":{},"handlers":{"create":{"permissions":[]}}}`,
	})
	dir := t.TempDir()
	schemaOut, namesOut := filepath.Join(dir, "schemas.bin"), filepath.Join(dir, "awscc.tsv")
	var log bytes.Buffer
	if err := run([]string{"-archive", set, "-schema-out", schemaOut, "-names-out", namesOut}, &log); err != nil {
		t.Fatal(err)
	}
	names, err := os.ReadFile(namesOut)
	if err != nil {
		t.Fatal(err)
	}
	// The place index plus the six hand-checked Cognito types; not the
	// read-only, empty-create or Alexa types.
	lines := strings.Split(strings.TrimSpace(string(names)), "\n")
	if len(lines) != 7 {
		t.Errorf("%d names, want 7:\n%s", len(lines), names)
	}
	if !strings.Contains(string(names), "AWS::Location::PlaceIndex\tlocation\tplace_indices\tL\n") {
		t.Errorf("no place_indices line in:\n%s", names)
	}
	if !strings.Contains(string(names), "AWS::Cognito::UserPoolDomain\tcognito\tuser_pool_domains\t-\n") {
		t.Errorf("no user_pool_domains line in:\n%s", names)
	}
	bin, err := os.ReadFile(schemaOut)
	if err != nil || !bytes.HasPrefix(bin, []byte("CCQLSCH1")) {
		t.Errorf("schema archive: %v, %.8q", err, bin)
	}
	if !strings.Contains(log.String(), "7 of 10 schemas") {
		t.Errorf("log = %q", log.String())
	}
}

func TestRun_noArchive(t *testing.T) {
	t.Setenv("CCQL_CFN_ARCHIVE", "")
	if err := run(nil, &bytes.Buffer{}); err == nil || !strings.Contains(err.Error(), "CCQL_CFN_ARCHIVE") {
		t.Errorf("error = %v, want one naming CCQL_CFN_ARCHIVE", err)
	}
}
