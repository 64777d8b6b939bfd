package emulator

import "testing"

// TestDecoders_trailingContent: a desired state or PatchDocument followed
// by anything but whitespace (a stray '}' or ']' included) is refused.
func TestDecoders_trailingContent(t *testing.T) {
	for _, tc := range []struct {
		doc     string
		wantErr bool
	}{
		{`{"a":1}`, false},
		{"{\"a\":1}\n ", false},
		{`{"a":1} {}`, true},
		{`{"a":1} }`, true},
		{`{"a":1}]`, true},
	} {
		if _, err := decodeObject(tc.doc); (err != nil) != tc.wantErr {
			t.Errorf("decodeObject(%q) error = %v, want error %v", tc.doc, err, tc.wantErr)
		}
	}
	for _, tc := range []struct {
		doc     string
		wantErr bool
	}{
		{`[{"op":"remove","path":"/a"}]`, false},
		{`[{"op":"remove","path":"/a"}] []`, true},
		{`[{"op":"remove","path":"/a"}]]`, true},
		{`[{"op":"remove","path":"/a"}] }`, true},
	} {
		if _, err := parsePatch(tc.doc); (err != nil) != tc.wantErr {
			t.Errorf("parsePatch(%q) error = %v, want error %v", tc.doc, err, tc.wantErr)
		}
	}
}
