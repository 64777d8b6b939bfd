package emulator

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/ccql/ccql/internal/schema"
	"github.com/ccql/ccql/internal/store"
)

// rawTypeInfo returns the type info of AWS::Logs::LogGroup on a fresh core.
func rawTypeInfo(tb testing.TB) *typeInfo {
	tb.Helper()
	st, err := store.Open(tb.Context(), "")
	if err != nil {
		tb.Fatal(err)
	}
	c := newCore(st, schema.NewFullRegistry(), nil, Options{Now: time.Now})
	tb.Cleanup(func() {
		c.work.drain()
		st.Close()
	})
	ti, err := c.typeInfo(logGroupType)
	if err != nil {
		tb.Fatal(err)
	}
	return ti
}

// checkRawSame: for any JSON object — as the generic handler stores it
// (json.Marshal of the decoded model) or written some other way — the
// list fast path's marshalRaw writes exactly what marshalModel writes
// after decoding it.
func checkRawSame(t *testing.T, ti *typeInfo, doc []byte) {
	t.Helper()
	var m map[string]any
	if json.Unmarshal(doc, &m) != nil || m == nil {
		if _, err := ti.marshalRaw(doc); err == nil {
			t.Errorf("marshalRaw(%q): no error for a document that is not an object", doc)
		}
		return
	}
	stored, err := json.Marshal(m)
	if err != nil {
		return
	}
	for _, in := range [][]byte{doc, stored} {
		var decoded map[string]any
		if err := json.Unmarshal(in, &decoded); err != nil {
			t.Fatal(err)
		}
		want, err := ti.marshalModel(decoded)
		if err != nil {
			t.Fatal(err)
		}
		got, err := ti.marshalRaw(in)
		if err != nil {
			t.Fatalf("marshalRaw(%q): %v", in, err)
		}
		if got != want {
			t.Errorf("marshalRaw(%q)\n got %s\nwant %s", in, got, want)
		}
	}
}

var rawSeeds = []string{
	`{}`,
	`{"LogGroupName":"/a","Arn":"arn:aws:logs:us-east-1:000000000000:log-group:/a:*","RetentionInDays":7}`,
	`{"RetentionInDays":7,"LogGroupName":"/a","Zeta":1,"Alpha":[1,2,{"b":1,"a":null}]}`,
	`{"LogGroupName":"<&>\u2028","Tags":[{"Key":"k","Value":"v"}],"DataProtectionPolicy":{"z":{"y":1.5e300,"x":-0.0}}}`,
	`{"KmsKeyId":null,"RetentionInDays":12345678901234567890,"LogGroupClass":"STANDARD"}`,
	`{"a":1e21,"b":1e-7,"c":100,"d":"\ud83d\ude00","e":true,"f":false}`,
	` { "a" : -0 , "b":1.0, "c" :"x\/y", "d":[ ], "e":{ }, "LogGroupName" : "n", "a":2 } `,
	`{"k\u0041":1,"n":-12,"z":007}`,
	`{"a":"caf\u00e9","b":"\u2028","c":123456789012345678}`,
	`[1]`, `"s"`, `null`, `{`,
}

func TestMarshalRaw_sameAsMarshalModel(t *testing.T) {
	ti := rawTypeInfo(t)
	for _, s := range rawSeeds {
		checkRawSame(t, ti, []byte(s))
	}
}

func FuzzMarshalRaw(f *testing.F) {
	for _, s := range rawSeeds {
		f.Add([]byte(s))
	}
	ti := rawTypeInfo(f)
	f.Fuzz(func(t *testing.T, doc []byte) {
		checkRawSame(t, ti, doc)
	})
}
