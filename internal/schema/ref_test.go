package schema_test

import (
	"encoding/json"
	"errors"
	"testing"

	"github.com/ccql/ccql/internal/schema"
)

const nestedDoc = `{
  "typeName": "AWS::Test::Thing",
  "definitions": {
    "Schedule": {"type": "object", "properties": {"ScheduleId": {"$ref": "#/definitions/Id"}}},
    "Id": {"type": "string", "description": "an id"},
    "Loop": {"$ref": "#/definitions/Loop"},
    "a/b": {"type": "integer"}
  },
  "properties": {
    "Schedule": {"$ref": "#/definitions/Schedule"},
    "Slashed": {"$ref": "#/definitions/a~1b"},
    "Loop": {"$ref": "#/definitions/Loop"},
    "Plain": {"type": "boolean"}
  },
  "primaryIdentifier": ["/properties/Schedule/ScheduleId"]
}`

func typeOf(t *testing.T, raw json.RawMessage) string {
	t.Helper()
	var h struct {
		Type string `json:"type"`
	}
	if err := json.Unmarshal(raw, &h); err != nil {
		t.Fatal(err)
	}
	return h.Type
}

func TestResource_PropertyAt(t *testing.T) {
	r, err := schema.Parse([]byte(nestedDoc))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct{ path, wantType string }{
		{"/properties/Schedule/ScheduleId", "string"},
		{"/properties/Schedule", "object"},
		{"/properties/Slashed", "integer"},
		{"/properties/Plain", "boolean"},
	}
	for _, tt := range tests {
		frag, err := r.PropertyAt(tt.path)
		if err != nil {
			t.Fatalf("PropertyAt(%s): %v", tt.path, err)
		}
		d, err := r.Deref(frag)
		if err != nil {
			t.Fatalf("Deref(%s): %v", tt.path, err)
		}
		if got := typeOf(t, d); got != tt.wantType {
			t.Errorf("PropertyAt(%s) type = %q, want %q", tt.path, got, tt.wantType)
		}
	}
	for _, bad := range []string{"/properties/Nope", "/properties/Schedule/Nope", "Schedule", "/properties/Plain/X"} {
		if _, err := r.PropertyAt(bad); !errors.Is(err, schema.ErrBadPointer) {
			t.Errorf("PropertyAt(%q) error = %v, want ErrBadPointer", bad, err)
		}
	}
	loop, _ := r.PropertyAt("/properties/Loop")
	if _, err := r.Deref(loop); !errors.Is(err, schema.ErrBadPointer) {
		t.Errorf("Deref(cycle) error = %v, want ErrBadPointer", err)
	}
	if _, err := r.Pointer("#/definitions/Missing"); !errors.Is(err, schema.ErrBadPointer) {
		t.Errorf("Pointer(missing) error = %v", err)
	}
}

func FuzzResource_Pointer(f *testing.F) {
	for _, s := range []string{"#/definitions/Id", "/properties/Schedule", "#", "", "x", "/a~1b", "/~0/~1~"} {
		f.Add(s)
	}
	r, err := schema.Parse([]byte(nestedDoc))
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, ptr string) {
		raw, err := r.Pointer(ptr)
		if err == nil && !json.Valid(raw) {
			t.Fatalf("Pointer(%q) returned invalid JSON %q", ptr, raw)
		}
		if err != nil && !errors.Is(err, schema.ErrBadPointer) {
			t.Fatalf("Pointer(%q) error %v is not ErrBadPointer", ptr, err)
		}
	})
}
