package catalog_test

import (
	"errors"
	"testing"

	"github.com/ccql/ccql/internal/catalog"
	"github.com/ccql/ccql/internal/schema"
	"github.com/google/go-cmp/cmp"
)

func TestCatalog_outboxTable(t *testing.T) {
	c := catalog.New(schema.NewRegistry())
	refs, err := c.Resources("awscc", "COGNITO_OUTBOX")
	if err != nil {
		t.Fatal(err)
	}
	if d := cmp.Diff([]catalog.ResourceRef{{Name: "messages", ID: "awscc.cognito_outbox.messages", Kind: catalog.KindNative}}, refs); d != "" {
		t.Errorf("SHOW RESOURCES IN awscc.cognito_outbox (-want +got):\n%s", d)
	}
	tab, err := c.TableByID("awscc.cognito_outbox.messages")
	if err != nil {
		t.Fatal(err)
	}
	if tab.Kind != catalog.KindNative || tab.TypeName != "" || tab.Schema != nil {
		t.Errorf("kind %v, type %q, schema %v: want a native table without a type", tab.Kind, tab.TypeName, tab.Schema)
	}
	var cols, keys []string
	for _, col := range tab.Columns {
		cols = append(cols, col.Name)
		if col.Key {
			keys = append(keys, col.Name)
		}
	}
	if d := cmp.Diff(catalog.OutboxColumns(), cols); d != "" {
		t.Errorf("columns (-want +got):\n%s", d)
	}
	if d := cmp.Diff([]string{"user_pool_id", "username", "region"}, keys); d != "" {
		t.Errorf("key columns (-want +got):\n%s", d)
	}
	if c, ok := tab.Column("user_pool_id"); !ok || c.Property != "UserPoolId" {
		t.Errorf("user_pool_id = %+v, %v", c, ok)
	}
	m, ok := tab.Method("list_messages")
	if !ok || m.SQLVerb != "SELECT" || len(tab.Methods) != 1 {
		t.Errorf("methods = %+v: want only the SELECT list_messages", tab.Methods)
	}
	if d := cmp.Diff([]string{"user_pool_id"}, m.RequiredParams); d != "" {
		t.Errorf("required params (-want +got):\n%s", d)
	}
	again, _ := c.Table("awscc", "cognito_outbox", "messages")
	if again != tab {
		t.Error("two lookups of the outbox table built two tables")
	}
	if _, err := c.Table("awscc", "cognito_outbox", "nope"); !errors.Is(err, catalog.ErrNotFound) {
		t.Errorf("unknown outbox table: err = %v, want ErrNotFound", err)
	}
}

// TestFullCatalog_noOutboxCollision checks the reason the outbox has its
// own service: no CloudFormation type derives the service cognito_outbox
// (nor cloud_control), so the fixed tables never hide a resource's table.
func TestFullCatalog_noOutboxCollision(t *testing.T) {
	names := schema.NewFullRegistry().TypeNames()
	if len(names) == 0 {
		t.Fatal("no type names")
	}
	for _, tn := range names {
		if s := catalog.ServiceName(tn); s == catalog.CognitoOutboxService || s == catalog.CloudControlService {
			t.Errorf("%s derives the fixed service %s", tn, s)
		}
	}
}
