package generic_test

import (
	"encoding/json"
	"testing"

	"github.com/ccql/ccql/emulator/internal/generic"
	"github.com/ccql/ccql/internal/schema"
)

// TestHandler_defaultsBesideRef checks the defaults real schemas state next
// to a $ref ("StreamModeDetails": {"$ref": …, "default": {…}}) are applied
// on create.
func TestHandler_defaultsBesideRef(t *testing.T) {
	reg := schema.NewFullRegistry()
	const agent = "arn:aws:datasync:us-east-1:123456789012:agent/agent-0123456789abcdef0"
	tests := []struct {
		typeName string
		desired  map[string]any
		prop     string
		want     string
	}{
		{"AWS::Kinesis::Stream", map[string]any{"Name": "st2"}, "StreamModeDetails", `{"StreamMode":"PROVISIONED"}`},
		{"AWS::DataSync::LocationSMB", map[string]any{"AgentArns": []any{agent}}, "MountOptions", `{"Version":"AUTOMATIC"}`},
		{"AWS::DataSync::LocationNFS", map[string]any{"OnPremConfig": map[string]any{"AgentArns": []any{agent}}}, "MountOptions", `{"Version":"AUTOMATIC"}`},
		{"AWS::SSMIncidents::ReplicationSet", map[string]any{"Regions": []any{map[string]any{"RegionName": "us-east-1"}}}, "DeletionProtected", `false`},
	}
	for _, tt := range tests {
		t.Run(tt.typeName, func(t *testing.T) {
			res, err := reg.Lookup(tt.typeName)
			if err != nil {
				t.Fatal(err)
			}
			h, err := generic.New(res)
			if err != nil {
				t.Fatal(err)
			}
			m := create(t, h, testEnv("us-east-1"), memTx{}, tt.desired)
			v, ok := m[tt.prop]
			if !ok {
				t.Fatalf("%s not set; model %v", tt.prop, m)
			}
			got, _ := json.Marshal(v)
			if string(got) != tt.want {
				t.Errorf("%s = %s, want %s", tt.prop, got, tt.want)
			}
		})
	}
}
