// Command gen regenerates the embedded awscc catalog from the published
// CloudFormation resource schemas:
//
//	internal/schema/archive/schemas.bin  every provisionable schema, compressed, indexed
//	internal/catalog/awscc.tsv           StackQL's service and resource name of each type
//
// Run it through go generate with the schema set's path in CCQL_CFN_ARCHIVE
// (a .tar.zst or .tar of aws-*.json files, as AWS publishes them):
//
//	CCQL_CFN_ARCHIVE=/path/cfn-all-2026-08-03.tar.zst go generate ./internal/catalog/...
//
// Only AWS:: types with a create handler are kept (Cloud Control can
// provision only those). The hand-checked schemas under internal/schema/data
// replace their archive versions. Builds never read the archive; only this
// command does.
package main

import (
	"archive/tar"
	"bytes"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/ccql/ccql/internal/catalog"
	"github.com/ccql/ccql/internal/schema"
	"github.com/klauspost/compress/zstd"
)

func main() {
	if err := run(os.Args[1:], os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "gen:", err)
		os.Exit(1)
	}
}

func run(args []string, log io.Writer) error {
	fs := flag.NewFlagSet("gen", flag.ContinueOnError)
	archivePath := fs.String("archive", os.Getenv("CCQL_CFN_ARCHIVE"), "schema set (.tar.zst or .tar); default $CCQL_CFN_ARCHIVE")
	schemaOut := fs.String("schema-out", "../schema/archive/schemas.bin", "schema archive to write")
	namesOut := fs.String("names-out", "awscc.tsv", "name index to write")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *archivePath == "" {
		return errors.New("no schema set: pass -archive or set CCQL_CFN_ARCHIVE")
	}
	docs, err := readSchemaSet(*archivePath)
	if err != nil {
		return err
	}

	// The hand-checked schemas win over the published ones.
	hand := schema.NewRegistry()
	for _, tn := range hand.TypeNames() {
		r, err := hand.Lookup(tn)
		if err != nil {
			return err
		}
		docs[tn] = r.Raw
	}

	names := make([]string, 0, len(docs))
	for tn := range docs {
		names = append(names, tn)
	}
	sort.Strings(names)
	var keep [][]byte
	var parsed []*schema.Resource
	for _, tn := range names {
		r, err := schema.Parse(docs[tn])
		if err != nil {
			return fmt.Errorf("%s: %w", tn, err)
		}
		if !catalog.Provisionable(r) {
			continue
		}
		keep = append(keep, docs[tn])
		parsed = append(parsed, r)
	}

	var sb, nb bytes.Buffer
	if err := schema.WriteArchive(&sb, keep); err != nil {
		return err
	}
	if err := catalog.WriteNames(&nb, parsed); err != nil {
		return err
	}
	if err := writeFile(*schemaOut, sb.Bytes()); err != nil {
		return err
	}
	if err := writeFile(*namesOut, nb.Bytes()); err != nil {
		return err
	}
	fmt.Fprintf(log, "gen: %d of %d schemas are provisionable; %s %d bytes, %s %d bytes\n",
		len(keep), len(docs), *schemaOut, sb.Len(), *namesOut, nb.Len())
	return nil
}

// readSchemaSet returns the documents of a .tar.zst or .tar by type name.
// A type published twice (us-east-1 then us-west-2) keeps its first copy.
func readSchemaSet(path string) (map[string][]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("open schema set: %w", err)
	}
	defer f.Close()
	var r io.Reader = f
	if strings.HasSuffix(path, ".zst") {
		zr, err := zstd.NewReader(f)
		if err != nil {
			return nil, fmt.Errorf("open schema set: %w", err)
		}
		defer zr.Close()
		r = zr
	}
	tr := tar.NewReader(r)
	out := map[string][]byte{}
	for {
		h, err := tr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("read schema set %s: %w", path, err)
		}
		base := filepath.Base(h.Name)
		if h.Typeflag != tar.TypeReg || !strings.HasSuffix(base, ".json") {
			continue
		}
		b, err := io.ReadAll(tr)
		if err != nil {
			return nil, fmt.Errorf("read %s: %w", h.Name, err)
		}
		res, err := schema.Parse(b)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", h.Name, err)
		}
		if _, dup := out[res.TypeName]; !dup {
			out[res.TypeName] = b
		}
	}
	return out, nil
}

// writeFile replaces path atomically, so an interrupted run leaves the old
// file whole.
func writeFile(path string, data []byte) error {
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, data, 0o644); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := os.Rename(tmp, path); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	return nil
}
