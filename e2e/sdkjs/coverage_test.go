package sdkjs_test

import (
	"reflect"
	"testing"
)

// TestCoverageProblems checks the judgement of the coverage check without
// a server: each case is one way the suite and the server can disagree.
func TestCoverageProblems(t *testing.T) {
	sdk := []string{"A", "B", "C"}
	srv := surface{served: map[string]bool{"A": true, "B": true}, anonymous: map[string]bool{"B": true}}
	pending := notServed + "elsewhere"
	tests := []struct {
		name    string
		out     result
		excused map[string]string
		named   map[string][]string
		want    []string
	}{
		{
			name:    "all exercised, the unserved one excused",
			out:     result{Operations: []string{"A", "B"}, Signed: map[string]bool{"A": true, "B": false}},
			excused: map[string]string{"C": pending},
		},
		{
			name:    "a served operation no group exercises",
			out:     result{Operations: []string{"A"}},
			excused: map[string]string{"C": pending},
			want:    []string{"B is served but no group of groups/ exercises it"},
		},
		{
			name: "an unserved operation not listed",
			out:  result{Operations: []string{"A", "B"}},
			want: []string{"C is not served and not listed in notExercised"},
		},
		{
			name:    "an excused operation that ran",
			out:     result{Operations: []string{"A", "B"}},
			excused: map[string]string{"B": "why", "C": pending},
			want:    []string{"B is exercised now: remove it from notExercised (why)"},
		},
		{
			name:    "listed as not served, but served",
			out:     result{Operations: []string{"A"}},
			excused: map[string]string{"B": pending, "C": pending},
			want:    []string{`B is served now: exercise it in a group of groups/ (notExercised says "not served: elsewhere")`},
		},
		{
			name:    "signed an anonymous operation, and left an admin one unsigned",
			out:     result{Operations: []string{"A", "B"}, Signed: map[string]bool{"A": false, "B": true}},
			excused: map[string]string{"C": pending},
			want: []string{
				"A: the SDK signed it: false; the server serves it anonymously: false",
				"B: the SDK signed it: true; the server serves it anonymously: true",
			},
		},
		{
			name:    "a group names an operation that only failed in it",
			out:     result{Operations: []string{"A", "B"}, Groups: map[string][]string{"g": {"A"}}},
			excused: map[string]string{"C": pending},
			named:   map[string][]string{"g": {"A", "B"}},
			want:    []string{"groups/g.cjs names B, which never succeeded in that group"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := coverageProblems(tt.out, srv, sdk, tt.excused, tt.named)
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got %q\nwant %q", got, tt.want)
			}
		})
	}
}
