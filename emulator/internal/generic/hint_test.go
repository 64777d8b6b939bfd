package generic_test

import (
	"context"
	"regexp"
	"strings"
	"testing"

	"github.com/ccql/ccql/emulator/internal/generic"
	"github.com/ccql/ccql/internal/handler"
	"github.com/ccql/ccql/internal/schema"
)

// TestHandler_siblingIdentifiers creates two resources of a type under one
// parent and checks their generated identifiers: distinct, shaped from the
// resource's own name where it has one, or AlreadyExists when the user
// names both the same.
func TestHandler_siblingIdentifiers(t *testing.T) {
	reg := schema.NewFullRegistry()
	policy := func(name string) map[string]any {
		return map[string]any{"PolicyName": name, "PolicyType": "TargetTrackingScaling", "ScalableDimension": "ecs:service:DesiredCount"}
	}
	tests := []struct {
		name        string
		typeName    string
		first, next map[string]any
		idRe        string // the first's identifier
		exists      bool   // the second create fails AlreadyExists
	}{
		{
			name: "ECS services named in one cluster", typeName: "AWS::ECS::Service",
			first: map[string]any{"Cluster": "c1", "ServiceName": "s1"}, next: map[string]any{"Cluster": "c1", "ServiceName": "s2"},
			idRe: `^arn:aws:ecs:us-east-1:123456789012:service/c1/s1\|c1$`,
		},
		{
			name: "ECS services unnamed in one cluster", typeName: "AWS::ECS::Service",
			first: map[string]any{"Cluster": "c1"}, next: map[string]any{"Cluster": "c1"},
			idRe: `^arn:aws:ecs:us-east-1:123456789012:service/c1/service-[A-Z0-9]{12}\|c1$`,
		},
		{
			name: "ECS service in a cluster given by ARN", typeName: "AWS::ECS::Service",
			first: map[string]any{"Cluster": "arn:aws:ecs:us-east-1:123456789012:cluster/c1", "ServiceName": "s1"},
			next:  map[string]any{"Cluster": "arn:aws:ecs:us-east-1:123456789012:cluster/c1", "ServiceName": "s2"},
			idRe:  `^arn:aws:ecs:us-east-1:123456789012:service/c1/s1\|arn:aws:ecs:us-east-1:123456789012:cluster/c1$`,
		},
		{
			name: "ECS service name taken", typeName: "AWS::ECS::Service",
			first: map[string]any{"Cluster": "c1", "ServiceName": "s1"}, next: map[string]any{"Cluster": "c1", "ServiceName": "s1"},
			idRe: `^arn:aws:ecs:us-east-1:123456789012:service/c1/s1\|c1$`, exists: true,
		},
		{
			// The dimension cannot sit in an ARN path, so a random part
			// keeps same-named policies of different targets apart.
			name: "scaling policies of one dimension", typeName: "AWS::ApplicationAutoScaling::ScalingPolicy",
			first: policy("p1"), next: policy("p1"),
			idRe: `^arn:aws:applicationautoscaling:us-east-1:123456789012:scaling-policy/[0-9a-f-]{36}/p1\|ecs:service:DesiredCount$`,
		},
		{
			name: "Glue integrations", typeName: "AWS::Glue::Integration",
			first: map[string]any{"IntegrationName": "i1", "SourceArn": "arn:aws:rds:us-east-1:123456789012:db:a", "TargetArn": "arn:aws:glue:us-east-1:123456789012:catalog"},
			next:  map[string]any{"IntegrationName": "i2", "SourceArn": "arn:aws:rds:us-east-1:123456789012:db:a", "TargetArn": "arn:aws:glue:us-east-1:123456789012:catalog"},
			idRe:  `^arn:aws:glue:us-east-1:123456789012:integration/i1\|i1$`,
		},
		{
			// A name from an enum is the schema's, not the user's.
			name: "RDS proxy target groups", typeName: "AWS::RDS::DBProxyTargetGroup",
			first: map[string]any{"DBProxyName": "p1", "TargetGroupName": "default"}, next: map[string]any{"DBProxyName": "p2", "TargetGroupName": "default"},
			idRe: `^arn:aws:rds:us-east-1:123456789012:db-proxy-target-group/db-proxy-target-group-[A-Z0-9]{12}$`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res, err := reg.Lookup(tt.typeName)
			if err != nil {
				t.Fatal(err)
			}
			h, err := generic.New(res)
			if err != nil {
				t.Fatal(err)
			}
			tx := memTx{}
			env := testEnv("us-east-1")
			id1 := identifierOf(t, res, create(t, h, env, tx, tt.first))
			if !regexp.MustCompile(tt.idRe).MatchString(id1) {
				t.Errorf("first identifier %s, want %s", id1, tt.idRe)
			}
			prepared, err := h.Prepare(env, tt.next)
			if err != nil {
				t.Fatal(err)
			}
			m2, err := h.Create(context.Background(), env, tx, prepared)
			if tt.exists {
				if !isCode(err, handler.AlreadyExists) {
					t.Fatalf("second Create: %v, want AlreadyExists", err)
				}
				return
			}
			if err != nil {
				t.Fatalf("second Create: %v", err)
			}
			if id2 := identifierOf(t, res, m2); id2 == id1 {
				t.Errorf("both resources have the identifier %s", id1)
			}
			if n, _ := tx.Count(tt.typeName, ""); n != 2 {
				t.Errorf("%d resources stored, want 2", n)
			}
		})
	}
}

// identifierOf joins a model's primary identifier values as the core does.
func identifierOf(t *testing.T, res *schema.Resource, m map[string]any) string {
	t.Helper()
	var parts []string
	for _, p := range res.PrimaryIdentifier {
		v, ok := m[strings.TrimPrefix(p, "/properties/")].(string)
		if !ok {
			t.Fatalf("model %v has no string %s", m, p)
		}
		parts = append(parts, v)
	}
	return strings.Join(parts, "|")
}
