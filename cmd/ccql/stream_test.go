package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/ccql/ccql"
	"github.com/ccql/ccql/emulator"
)

// firstWrite is a stdout that records, at its first write, how many
// ListResources calls the endpoint had answered.
type firstWrite struct {
	bytes.Buffer
	lists *atomic.Int64
	at    int64 // -1 until the first write
}

func (w *firstWrite) Write(p []byte) (int, error) {
	if w.at < 0 {
		w.at = w.lists.Load()
	}
	return w.Buffer.Write(p)
}

// TestExec_streamsOutput: `ccql exec -o jsonl` (and json, csv, text) over
// thousands of log groups writes its first rows when Cloud Control has
// answered one ListResources page, long before the last: the rows stream
// from the pages to the output instead of being collected first.
func TestExec_streamsOutput(t *testing.T) {
	const total = 2500
	srv, err := emulator.NewServer(emulator.Options{DataDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	var lists atomic.Int64
	hs := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasSuffix(r.Header.Get("X-Amz-Target"), ".ListResources") {
			lists.Add(1)
		}
		srv.Handler().ServeHTTP(w, r)
	}))
	t.Cleanup(hs.Close)
	t.Setenv("AWS_ACCESS_KEY_ID", "test")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "test")

	ctx := context.Background()
	eng, err := ccql.Open(ctx, ccql.Config{Endpoint: hs.URL, Region: "us-east-1", Wait: true})
	if err != nil {
		t.Fatal(err)
	}
	for start := 0; start < total; start += 500 {
		var vals []string
		for i := start; i < start+500; i++ {
			vals = append(vals, fmt.Sprintf("('/exec/g%05d', 'us-east-1')", i))
		}
		if _, err := eng.Query(ctx, "INSERT INTO awscc.logs.log_groups (LogGroupName, region) VALUES "+strings.Join(vals, ", ")); err != nil {
			t.Fatal(err)
		}
	}
	eng.Close()

	const stmt = `SELECT log_group_name, region FROM awscc.logs.log_groups_list_only WHERE region = 'us-east-1'`
	for _, tc := range []struct {
		format string
		lines  int // lines a complete output has
	}{
		{"jsonl", total},
		{"json", 1},
		{"csv", total + 1},
		{"text", total},
		{"table", total + 4}, // borders above and below the header, and below the rows
	} {
		t.Run(tc.format, func(t *testing.T) {
			lists.Store(0)
			out := &firstWrite{lists: &lists, at: -1}
			var stderr bytes.Buffer
			code := run(ctx, []string{"exec", "--endpoint", hs.URL, "--region", "us-east-1", "-o", tc.format, stmt}, strings.NewReader(""), out, &stderr)
			if code != 0 {
				t.Fatalf("exit %d: %s", code, stderr.String())
			}
			pages := lists.Load()
			if pages < 3 {
				t.Fatalf("ListResources calls = %d: the list was not paged", pages)
			}
			if out.at < 1 || out.at >= pages {
				t.Errorf("output began after %d of %d ListResources calls, want before the last", out.at, pages)
			}
			if n := strings.Count(out.String(), "\n"); n != tc.lines {
				t.Errorf("%d output lines, want %d", n, tc.lines)
			}
			if tc.format == "jsonl" {
				sc := bufio.NewScanner(strings.NewReader(out.String()))
				seen := map[string]bool{}
				for sc.Scan() {
					var row struct {
						Name string `json:"log_group_name"`
					}
					if err := json.Unmarshal(sc.Bytes(), &row); err != nil || seen[row.Name] {
						t.Fatalf("line %q: %v (or seen before)", sc.Text(), err)
					}
					seen[row.Name] = true
				}
			}
			if tc.format == "table" {
				lines := strings.Split(strings.TrimSuffix(out.String(), "\n"), "\n")
				for _, l := range lines {
					if len(l) != len(lines[0]) {
						t.Fatalf("table line %q is not as wide as the border %q", l, lines[0])
					}
				}
				if lines[0] != lines[len(lines)-1] || !strings.Contains(out.String(), "| /exec/g02499   | us-east-1 |") {
					t.Errorf("table does not end with its border or lacks the last row:\n%s", strings.Join(lines[len(lines)-3:], "\n"))
				}
			}
			if tc.format == "json" {
				var rows []map[string]any
				if err := json.Unmarshal(out.Bytes(), &rows); err != nil || len(rows) != total {
					t.Fatalf("json output: %d rows, %v", len(rows), err)
				}
			}
		})
	}
}
