package awsjson

import (
	"bytes"
	"reflect"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

type exactInner struct {
	Operations []string
	Name       string `json:"name"`
}

type exactInput struct {
	TypeName *string
	Filter   *exactInner
	Items    []exactInner
	ByKey    map[string]exactInner
	Skipped  string `json:"-"`
}

// TestRequest_Decode_exact: member names are matched exactly, at every
// depth; other spellings are unknown members and ignored, as AWS does.
func TestRequest_Decode_exact(t *testing.T) {
	s := func(v string) *string { return &v }
	tests := []struct {
		name, body string
		want       exactInput
	}{
		{"exact", `{"TypeName":"T","Filter":{"Operations":["A"],"name":"n"}}`,
			exactInput{TypeName: s("T"), Filter: &exactInner{Operations: []string{"A"}, Name: "n"}}},
		{"lower case member ignored", `{"typename":"T"}`, exactInput{}},
		{"upper case member ignored", `{"TYPENAME":"T","TypeName":"U"}`, exactInput{TypeName: s("U")}},
		{"exact wins over a later other spelling", `{"TypeName":"U","typeName":"T"}`, exactInput{TypeName: s("U")}},
		{"nested", `{"Filter":{"operations":["A"],"Name":"n"}}`, exactInput{Filter: &exactInner{}}},
		{"in arrays", `{"Items":[{"name":"a"},{"NAME":"b"}]}`, exactInput{Items: []exactInner{{Name: "a"}, {}}}},
		{"in maps", `{"ByKey":{"k":{"Name":"x","name":"y"}}}`, exactInput{ByKey: map[string]exactInner{"k": {Name: "y"}}}},
		{"unknown members ignored", `{"Nope":1,"TypeName":"T"}`, exactInput{TypeName: s("T")}},
		{"json:\"-\" field is no member", `{"Skipped":"x","-":"y"}`, exactInput{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got exactInput
			r := &Request{Body: []byte(tt.body)}
			if err := r.Decode(&got); err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

// FuzzExactMembers: the rewrite never panics, is idempotent, leaves a body
// it does not change byte for byte alone, and decoding the rewrite equals
// decoding the body through Decode.
func FuzzExactMembers(f *testing.F) {
	for _, seed := range []string{
		`{"TypeName":"T","Filter":{"Operations":["A"],"name":"n"}}`,
		`{"typename":"T"}`, `{"Items":[{"name":"a"},{"NAME":"b"}]}`, `{"ByKey":{"k":{"Name":"x"}}}`,
		`[]`, `null`, `{"Filter":[1]}`, `{"Items":{"a":1}}`, `{"TypeName":"\u0054"}`, `{"TypeName":1}`,
	} {
		f.Add(seed)
	}
	typ := reflect.TypeFor[*exactInput]()
	f.Fuzz(func(t *testing.T, body string) {
		once, changed := exactMembers([]byte(body), typ)
		if !changed && !bytes.Equal(once, []byte(body)) {
			t.Fatalf("unchanged but different: %q -> %q", body, once)
		}
		twice, changed2 := exactMembers(once, typ)
		if changed2 || !bytes.Equal(once, twice) {
			t.Fatalf("not idempotent: %q -> %q -> %q", body, once, twice)
		}
		var a exactInput
		errA := (&Request{Body: []byte(body)}).Decode(&a)
		var b exactInput
		errB := (&Request{Body: once}).Decode(&b)
		if (errA == nil) != (errB == nil) {
			t.Fatalf("Decode(%q) = %v, Decode(rewrite) = %v", body, errA, errB)
		}
		if errA == nil && !reflect.DeepEqual(a, b) {
			t.Fatalf("Decode(%q) = %+v, Decode(rewrite %q) = %+v", body, a, once, b)
		}
	})
}

// TestRequest_Decode_trailing: content after the body, a stray closing
// brace or bracket included, is a SerializationException; whitespace is not.
func TestRequest_Decode_trailing(t *testing.T) {
	for body, wantErr := range map[string]bool{
		`{"TypeName":"T"}`:        false,
		`{"TypeName":"T"}` + "\n": false,
		`{"TypeName":"T"} {}`:     true,
		`{"TypeName":"T"} }`:      true,
		`{"TypeName":"T"}]`:       true,
		`{"TypeName":"T"} x`:      true,
	} {
		var got exactInput
		err := (&Request{Body: []byte(body)}).Decode(&got)
		if (err != nil) != wantErr || (err != nil && !strings.Contains(err.Error(), "SerializationException")) {
			t.Errorf("Decode(%q) = %v, want error %v (a SerializationException)", body, err, wantErr)
		}
	}
}
