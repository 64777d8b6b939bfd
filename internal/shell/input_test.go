package shell_test

import (
	"bytes"
	"errors"
	"io"
	"strings"
	"testing"

	"github.com/ccql/ccql/internal/shell"
	"github.com/google/go-cmp/cmp"
)

func TestPipeReader_ReadLine(t *testing.T) {
	tests := []struct {
		name    string
		in      string
		prompts bool
		want    []string
		shown   string
	}{
		{name: "lines", in: "a\nb\n", want: []string{"a", "b"}},
		{name: "last line without break", in: "a\nb", want: []string{"a", "b"}},
		{name: "CRLF", in: "a\r\nb\r\n", want: []string{"a", "b"}},
		{name: "blank lines kept", in: "\n\na\n", want: []string{"", "", "a"}},
		{name: "empty", in: "", want: nil},
		{name: "prompts shown", in: "a\nb\n", prompts: true, want: []string{"a", "b"}, shown: "> > > "},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var shown bytes.Buffer
			var r *shell.PipeReader
			if tt.prompts {
				r = shell.NewPipeReader(strings.NewReader(tt.in), &shown)
			} else {
				r = shell.NewPipeReader(strings.NewReader(tt.in), nil)
			}
			var got []string
			for {
				line, err := r.ReadLine("> ")
				if errors.Is(err, io.EOF) {
					break
				}
				if err != nil {
					t.Fatal(err)
				}
				got = append(got, line)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("lines (-want +got):\n%s", diff)
			}
			if shown.String() != tt.shown {
				t.Errorf("prompts shown = %q, want %q", shown.String(), tt.shown)
			}
		})
	}
}
