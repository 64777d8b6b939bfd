package generic_test

import (
	"context"
	"encoding/json"
	"errors"
	"math/rand/v2"
	"regexp"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/ccql/ccql/emulator/internal/generic"
	"github.com/ccql/ccql/internal/handler"
	"github.com/ccql/ccql/internal/schema"
)

// widgetSchema is a made-up type with one of everything the handler
// treats specially.
const widgetSchema = `{
  "typeName": "Test::Shop::WidgetPart",
  "properties": {
    "ParentId": {"type": "string", "pattern": "^p-[a-z]+$"},
    "PartId": {"type": "string", "pattern": "^wp-[0-9a-f]{8}$"},
    "Arn": {"type": "string"},
    "Name": {"type": "string", "minLength": 1},
    "Size": {"type": "integer", "default": 5},
    "Colour": {"type": "string", "enum": ["RED", "BLUE"], "default": "RED"},
    "Nothing": {"type": "string", "default": null},
    "CreatedAt": {"type": "string", "format": "date-time"},
    "State": {"type": "string", "enum": ["PENDING", "READY"]},
    "Secret": {"type": "string"},
    "Tags": {"type": "array", "items": {"type": "object", "properties": {"Key": {"type": "string"}, "Value": {"type": "string"}}}}
  },
  "additionalProperties": false,
  "required": ["ParentId", "Name"],
  "readOnlyProperties": ["/properties/PartId", "/properties/Arn", "/properties/CreatedAt", "/properties/State"],
  "createOnlyProperties": ["/properties/ParentId"],
  "writeOnlyProperties": ["/properties/Secret"],
  "primaryIdentifier": ["/properties/ParentId", "/properties/PartId"],
  "handlers": {"create": {}, "read": {}, "update": {}, "delete": {}, "list": {"handlerSchema": {"properties": {}, "required": ["ParentId"]}}}
}`

// memTx is a handler.Tx over a map.
type memTx map[string]json.RawMessage

func (m memTx) Get(tn, id string) (json.RawMessage, error) {
	b, ok := m[tn+"\x00"+id]
	if !ok {
		return nil, handler.ErrNotFound
	}
	return b, nil
}

func (m memTx) Put(tn, id string, model json.RawMessage) error {
	m[tn+"\x00"+id] = model
	return nil
}

func (m memTx) Delete(tn, id string) error {
	if _, ok := m[tn+"\x00"+id]; !ok {
		return handler.ErrNotFound
	}
	delete(m, tn+"\x00"+id)
	return nil
}

func (m memTx) List(tn, prefix string) ([]handler.Record, error) {
	var out []handler.Record
	for k, v := range m {
		t, id, _ := strings.Cut(k, "\x00")
		if t == tn && strings.HasPrefix(id, prefix) {
			out = append(out, handler.Record{Identifier: id, Model: v})
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Identifier < out[j].Identifier })
	return out, nil
}

func (m memTx) Count(tn, prefix string) (int, error) {
	l, err := m.List(tn, prefix)
	return len(l), err
}

// randReader is a deterministic io.Reader.
type randReader struct{ r *rand.Rand }

func (r randReader) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = byte(r.r.Uint32())
	}
	return len(p), nil
}

var now = time.Date(2026, 8, 3, 12, 0, 0, 0, time.UTC)

func testEnv(region string) handler.Env {
	return handler.Env{Account: "123456789012", Region: region, Now: now, Rand: randReader{rand.New(rand.NewPCG(1, 2))}}
}

func newHandler(t *testing.T, doc string) *generic.Handler {
	t.Helper()
	res, err := schema.Parse([]byte(doc))
	if err != nil {
		t.Fatal(err)
	}
	h, err := generic.New(res)
	if err != nil {
		t.Fatal(err)
	}
	return h
}

func create(t *testing.T, h *generic.Handler, env handler.Env, tx handler.Tx, desired map[string]any) map[string]any {
	t.Helper()
	prepared, err := h.Prepare(env, desired)
	if err != nil {
		t.Fatalf("Prepare: %v", err)
	}
	m, err := h.Create(context.Background(), env, tx, prepared)
	if err != nil {
		t.Fatalf("Create: %v", err)
	}
	return m
}

func TestHandler_Create(t *testing.T) {
	h := newHandler(t, widgetSchema)
	tx := memTx{}
	m := create(t, h, testEnv("us-east-1"), tx, map[string]any{"ParentId": "p-one", "Name": "w", "Secret": "s", "Tags": []any{map[string]any{"Key": "k", "Value": "v"}}})

	checks := []struct {
		prop string
		re   string
	}{
		{"PartId", `^wp-[0-9a-f]{8}$`},
		{"Arn", `^arn:aws:shop:us-east-1:123456789012:widget-part/wp-[0-9a-f]{8}$`},
		{"CreatedAt", `^2026-08-03T12:00:00Z$`},
		{"State", `^READY$`},
	}
	for _, c := range checks {
		s, _ := m[c.prop].(string)
		if !regexp.MustCompile(c.re).MatchString(s) {
			t.Errorf("%s = %q, want %s", c.prop, s, c.re)
		}
	}
	if !strings.HasSuffix(m["Arn"].(string), m["PartId"].(string)) {
		t.Errorf("Arn %s does not end with the PartId %s", m["Arn"], m["PartId"])
	}
	// Defaults are applied, null defaults are not, tags and write-only values are kept.
	for k, want := range map[string]string{"Size": "5", "Colour": `"RED"`, "Secret": `"s"`, "Tags": `[{"Key":"k","Value":"v"}]`} {
		got, _ := json.Marshal(m[k])
		if string(got) != want {
			t.Errorf("%s = %s, want %s", k, got, want)
		}
	}
	if _, ok := m["Nothing"]; ok {
		t.Error("a null default was applied")
	}
	id := "p-one|" + m["PartId"].(string)
	read, err := h.Read(context.Background(), testEnv("us-east-1"), tx, id)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(jsonRound(m), read); diff != "" {
		t.Errorf("Read(%s) differs from the created model (-created +read):\n%s", id, diff)
	}
}

func jsonRound(v any) map[string]any {
	b, _ := json.Marshal(v)
	var m map[string]any
	_ = json.Unmarshal(b, &m)
	return m
}

func TestHandler_partitions(t *testing.T) {
	h := newHandler(t, widgetSchema)
	for region, prefix := range map[string]string{
		"cn-north-1":    "arn:aws-cn:shop:cn-north-1:123456789012:widget-part/",
		"us-gov-west-1": "arn:aws-us-gov:shop:us-gov-west-1:123456789012:widget-part/",
		"eu-west-3":     "arn:aws:shop:eu-west-3:123456789012:widget-part/",
	} {
		m := create(t, h, testEnv(region), memTx{}, map[string]any{"ParentId": "p-a", "Name": "w"})
		if arn := m["Arn"].(string); !strings.HasPrefix(arn, prefix) {
			t.Errorf("in %s, Arn = %s, want prefix %s", region, arn, prefix)
		}
	}
}

func TestHandler_alreadyExists(t *testing.T) {
	// A type whose identifier the user chooses.
	doc := strings.Replace(widgetSchema, `"/properties/PartId", "/properties/Arn"`, `"/properties/Arn"`, 1)
	h := newHandler(t, doc)
	tx := memTx{}
	desired := func() map[string]any { return map[string]any{"ParentId": "p-a", "PartId": "wp-0000000a", "Name": "w"} }
	create(t, h, testEnv("us-east-1"), tx, desired())
	env := testEnv("us-east-1")
	prepared, err := h.Prepare(env, desired())
	if err != nil {
		t.Fatal(err)
	}
	_, err = h.Create(context.Background(), env, tx, prepared)
	var he *handler.Error
	if !errors.As(err, &he) || he.Code != handler.AlreadyExists {
		t.Fatalf("second Create: %v, want AlreadyExists", err)
	}
	if want := "Resource of type 'Test::Shop::WidgetPart' with identifier 'p-a|wp-0000000a' already exists."; he.Message != want {
		t.Errorf("message %q, want %q", he.Message, want)
	}
}

func TestHandler_Update(t *testing.T) {
	h := newHandler(t, widgetSchema)
	tx := memTx{}
	env := testEnv("us-east-1")
	m := create(t, h, env, tx, map[string]any{"ParentId": "p-a", "Name": "w", "Size": float64(9)})
	id := "p-a|" + m["PartId"].(string)
	// The core passes the patched model; a handler must not trust its read-only values.
	desired := map[string]any{"ParentId": "p-a", "PartId": "wp-ffffffff", "Name": "renamed", "Arn": "arn:forged", "State": "PENDING"}
	got, err := h.Update(context.Background(), env, tx, id, desired)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]any{
		"ParentId": "p-a", "PartId": m["PartId"], "Arn": m["Arn"], "CreatedAt": m["CreatedAt"], "State": "READY",
		"Name": "renamed", "Size": float64(5), "Colour": "RED", // omitted properties return to their defaults
	}
	if diff := cmp.Diff(want, jsonRound(got)); diff != "" {
		t.Errorf("Update (-want +got):\n%s", diff)
	}
	if _, err := h.Update(context.Background(), env, tx, "p-a|wp-00000000", desired); !isCode(err, handler.NotFound) {
		t.Errorf("Update of a missing resource: %v, want NotFound", err)
	}
}

func isCode(err error, code handler.Code) bool {
	var he *handler.Error
	return errors.As(err, &he) && he.Code == code
}

func TestHandler_ListAndDelete(t *testing.T) {
	h := newHandler(t, widgetSchema)
	tx := memTx{}
	env := testEnv("us-east-1")
	var ids []string
	for _, parent := range []string{"p-a", "p-a", "p-b"} {
		m := create(t, h, env, tx, map[string]any{"ParentId": parent, "Name": "w"})
		ids = append(ids, parent+"|"+m["PartId"].(string))
	}
	list := func(parent string) []string {
		t.Helper()
		ms, err := h.List(context.Background(), env, tx, map[string]any{"ParentId": parent})
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, m := range ms {
			out = append(out, m["ParentId"].(string)+"|"+m["PartId"].(string))
		}
		sort.Strings(out)
		return out
	}
	wantA := []string{ids[0], ids[1]}
	sort.Strings(wantA)
	if diff := cmp.Diff(wantA, list("p-a")); diff != "" {
		t.Errorf("List p-a (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{ids[2]}, list("p-b")); diff != "" {
		t.Errorf("List p-b (-want +got):\n%s", diff)
	}
	if err := h.Delete(context.Background(), env, tx, ids[0]); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{ids[1]}, list("p-a")); diff != "" {
		t.Errorf("List p-a after delete (-want +got):\n%s", diff)
	}
	if err := h.Delete(context.Background(), env, tx, ids[0]); !isCode(err, handler.NotFound) {
		t.Errorf("second Delete: %v, want NotFound", err)
	}
	if _, err := h.Read(context.Background(), env, tx, ids[0]); !isCode(err, handler.NotFound) {
		t.Errorf("Read after Delete: %v, want NotFound", err)
	}
}

// TestHandler_realSchemas checks generated identifiers of real types
// against the shapes AWS uses.
func TestHandler_realSchemas(t *testing.T) {
	reg := schema.NewFullRegistry()
	tests := []struct {
		typeName string
		desired  map[string]any
		prop     string
		re       string
	}{
		{"AWS::EC2::VPC", map[string]any{"CidrBlock": "10.0.0.0/16"}, "VpcId", `^vpc-[0-9a-f]{17}$`},
		{"AWS::EC2::SecurityGroup", map[string]any{"GroupDescription": "d"}, "GroupId", `^sg-[0-9a-f]{17}$`},
		{"AWS::EC2::VPC", map[string]any{"CidrBlock": "10.0.0.0/16"}, "DefaultSecurityGroup", `^sg-[0-9a-f]{17}$`},
		{"AWS::EC2::VPC", map[string]any{"CidrBlock": "10.0.0.0/16"}, "DefaultNetworkAcl", `^acl-[0-9a-f]{17}$`},
		{"AWS::Logs::LogGroup", map[string]any{}, "LogGroupName", `^log-group-[A-Z0-9]{12}$`},
		{"AWS::Logs::LogGroup", map[string]any{"LogGroupName": "mine"}, "Arn", `^arn:aws:logs:us-east-1:123456789012:log-group:mine:\*$`},
		{"AWS::IAM::Role", map[string]any{"AssumeRolePolicyDocument": map[string]any{}}, "Arn", `^arn:aws:iam::123456789012:role/`},
		{"AWS::S3::Bucket", map[string]any{"BucketName": "my-bucket"}, "Arn", `^arn:aws:s3:::my-bucket$`},
		{"AWS::ECS::Service", map[string]any{"Cluster": "c1", "ServiceName": "s1"}, "Name", `^s1$`},
		{"AWS::Lambda::EventSourceMapping", map[string]any{"FunctionName": "f"}, "Id", `^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`},
	}
	for _, tt := range tests {
		t.Run(tt.typeName+"/"+tt.prop, func(t *testing.T) {
			res, err := reg.Lookup(tt.typeName)
			if err != nil {
				t.Fatal(err)
			}
			h, err := generic.New(res)
			if err != nil {
				t.Fatal(err)
			}
			m := create(t, h, testEnv("us-east-1"), memTx{}, tt.desired)
			s, _ := m[tt.prop].(string)
			if !regexp.MustCompile(tt.re).MatchString(s) {
				t.Errorf("%s = %q, want %s", tt.prop, s, tt.re)
			}
		})
	}
}
