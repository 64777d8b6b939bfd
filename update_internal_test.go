package ccql

import (
	"context"
	"testing"
)

// TestEngine_buildPatch pins the patch SET items build, in their order:
// values evaluated by SQLite and coerced, NULL as remove.
func TestEngine_buildPatch(t *testing.T) {
	e, err := Open(context.Background(), Config{DataDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	tbl, err := e.cat.Table("awscc", "cognito", "user_pool_clients")
	if err != nil {
		t.Fatal(err)
	}
	p := &updatePlan{targetPlan: targetPlan{table: tbl}, set: []assignment{
		{column: "client_name", expr: "'a' || 'b'"},
		{column: "AccessTokenValidity", isNull: true},
		{column: "refresh_token_validity", expr: "'30'"},
		{column: "explicit_auth_flows", expr: `'["ALLOW_USER_SRP_AUTH"]'`},
	}}
	got, err := e.buildPatch(context.Background(), p)
	if err != nil {
		t.Fatal(err)
	}
	want := `[{"op":"add","path":"/ClientName","value":"ab"},{"op":"remove","path":"/AccessTokenValidity"},` +
		`{"op":"add","path":"/RefreshTokenValidity","value":30},{"op":"add","path":"/ExplicitAuthFlows","value":["ALLOW_USER_SRP_AUTH"]}]`
	if got != want {
		t.Errorf("patch\n got %s\nwant %s", got, want)
	}
}
