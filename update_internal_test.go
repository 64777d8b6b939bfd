package ccql

import (
	"context"
	"testing"

	"github.com/ccql/ccql/internal/catalog"
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
	col := func(name string) catalog.Column {
		c, ok := tbl.Column(name)
		if !ok {
			t.Fatalf("no column %s", name)
		}
		return c
	}
	p := &updatePlan{targetPlan: targetPlan{table: tbl}, set: []assignment{
		{column: "client_name", expr: "'a' || 'b'", col: col("client_name")},
		{column: "AccessTokenValidity", isNull: true, col: col("AccessTokenValidity")},
		{column: "refresh_token_validity", expr: "?1", col: col("refresh_token_validity")},
		{column: "explicit_auth_flows", expr: `'["ALLOW_USER_SRP_AUTH"]'`, col: col("explicit_auth_flows")},
	}}
	got, _, err := e.buildPatch(context.Background(), p, []any{"30"})
	if err != nil {
		t.Fatal(err)
	}
	want := `[{"op":"add","path":"/ClientName","value":"ab"},{"op":"remove","path":"/AccessTokenValidity"},` +
		`{"op":"add","path":"/RefreshTokenValidity","value":30},{"op":"add","path":"/ExplicitAuthFlows","value":["ALLOW_USER_SRP_AUTH"]}]`
	if got != want {
		t.Errorf("patch\n got %s\nwant %s", got, want)
	}
}
