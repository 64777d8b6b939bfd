package ccql_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/ccql/ccql"
	"github.com/google/go-cmp/cmp"
)

// TestEngine_cognitoOutbox reads awscc.cognito_outbox.messages on the
// local backend: invitations recorded by INSERT INTO user_pool_users, read
// in process from the embedded emulator.
func TestEngine_cognitoOutbox(t *testing.T) {
	eng := openEngine(t)
	pool := createPool(t, eng, "eu-west-1", "people")
	for _, u := range []struct{ name, extra string }{
		{"alice", `UserAttributes, DesiredDeliveryMediums) SELECT '%s', 'alice', '[{"Name":"email","Value":"alice@example.com"},{"Name":"email_verified","Value":"true"}]', '["EMAIL"]'`},
		{"bob", `MessageAction) SELECT '%s', 'bob', 'SUPPRESS'`},
		{"carol", `UserAttributes, DesiredDeliveryMediums) SELECT '%s', 'carol', '[{"Name":"email","Value":"carol@example.com"}]', '["EMAIL"]'`},
	} {
		stmt := `INSERT INTO awscc.cognito.user_pool_users (region, UserPoolId, Username, ` + fmt.Sprintf(u.extra, pool)
		stmt = strings.Replace(stmt, "SELECT '", "SELECT 'eu-west-1', '", 1)
		res := query(t, eng, stmt+" RETURNING OperationStatus")
		if got := res.Rows[0][0]; got != "SUCCESS" {
			t.Fatalf("create %s: %v", u.name, got)
		}
	}

	all := query(t, eng, `SELECT * FROM awscc.cognito_outbox.messages WHERE user_pool_id = ? ORDER BY sequence`, pool)
	var cols []string
	for _, c := range all.Columns {
		cols = append(cols, c.Name)
	}
	want := []string{"user_pool_id", "username", "sequence", "kind", "delivery_medium", "attribute_name", "destination",
		"masked_destination", "subject", "message", "code", "sent_at", "region"}
	if d := cmp.Diff(want, cols); d != "" {
		t.Errorf("SELECT * columns (-want +got):\n%s", d)
	}
	if d := cmp.Diff([]any{"alice", "carol"}, column(t, all, "username")); d != "" {
		t.Fatalf("usernames (-want +got):\n%s", d)
	}
	for i, row := range all.Rows {
		get := func(name string) any { return column(t, all, name)[i] }
		if get("kind") != "INVITATION" || get("delivery_medium") != "EMAIL" || get("attribute_name") != "email" ||
			get("user_pool_id") != pool || get("region") != "eu-west-1" || get("sequence") != int64(i+1) {
			t.Errorf("row %d: %v", i, row)
		}
		code, _ := get("code").(string)
		if msg, _ := get("message").(string); code == "" || !strings.Contains(msg, code) || !strings.Contains(msg, get("username").(string)) {
			t.Errorf("row %d: message %q does not carry code %q and the user name", i, msg, code)
		}
		if ts, ok := get("sent_at").(time.Time); !ok || ts.IsZero() {
			t.Errorf("row %d: sent_at = %#v, want a time", i, get("sent_at"))
		}
	}
	if d := cmp.Diff([]any{"alice@example.com", "carol@example.com"}, column(t, all, "destination")); d != "" {
		t.Errorf("destinations (-want +got):\n%s", d)
	}

	for _, c := range []struct {
		name, where string
		args        []any
		want        []any
	}{
		{"one user", `user_pool_id = ? AND username = 'carol'`, []any{pool}, []any{"carol"}},
		{"suppressed", `user_pool_id = ? AND username = 'bob'`, []any{pool}, []any{}},
		{"username is not the destination", `user_pool_id = ? AND username = 'alice@example.com'`, []any{pool}, []any{}},
		{"by destination", `user_pool_id = ? AND destination = 'alice@example.com'`, []any{pool}, []any{"alice"}},
		{"pool's region", `user_pool_id = ? AND region = 'eu-west-1'`, []any{pool}, []any{"alice", "carol"}},
		{"other region", `user_pool_id = ? AND region = 'us-east-1'`, []any{pool}, []any{}},
		{"missing pool", `user_pool_id = 'eu-west-1_nope'`, nil, []any{}},
	} {
		t.Run(c.name, func(t *testing.T) {
			res := query(t, eng, `SELECT username FROM awscc.cognito_outbox.messages WHERE `+c.where+` ORDER BY sequence`, c.args...)
			if d := cmp.Diff(c.want, column(t, res, "username")); d != "" {
				t.Errorf("(-want +got):\n%s", d)
			}
		})
	}

	for _, c := range []struct{ name, stmt, want string }{
		{"no pool id", `SELECT * FROM awscc.cognito_outbox.messages`, "user_pool_id"},
		{"bad pool id", `SELECT * FROM awscc.cognito_outbox.messages WHERE user_pool_id = 'nope'`, `"nope"`},
		{"insert", `INSERT INTO awscc.cognito_outbox.messages (user_pool_id, region) SELECT 'x', 'eu-west-1'`, "does not support INSERT"},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := eng.Query(context.Background(), c.stmt)
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Errorf("err = %v, want one naming %s", err, c.want)
			}
		})
	}
}

// TestEngine_cognitoOutboxMeta: SHOW RESOURCES and DESCRIBE show the table.
func TestEngine_cognitoOutboxMeta(t *testing.T) {
	eng := openEngine(t)
	res := query(t, eng, `SHOW RESOURCES IN awscc.cognito_outbox`)
	if d := cmp.Diff([]any{"messages"}, column(t, res, "name")); d != "" {
		t.Errorf("SHOW RESOURCES (-want +got):\n%s", d)
	}
	res = query(t, eng, `SHOW SERVICES IN awscc LIKE 'cognito%'`)
	if d := cmp.Diff([]any{"cognito", "cognito_outbox"}, column(t, res, "name")); d != "" {
		t.Errorf("SHOW SERVICES (-want +got):\n%s", d)
	}
	res = query(t, eng, `DESCRIBE awscc.cognito_outbox.messages`)
	names := column(t, res, "name")
	if len(names) != 13 || names[0] != "user_pool_id" || names[12] != "region" {
		t.Errorf("DESCRIBE names: %v", names)
	}
}

// TestEngine_cognitoOutboxAWS: real AWS has no outbox, and says so.
func TestEngine_cognitoOutboxAWS(t *testing.T) {
	t.Setenv("AWS_ACCESS_KEY_ID", "AKIDEXAMPLE")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "secret")
	t.Setenv("AWS_CONFIG_FILE", "/dev/null")
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", "/dev/null")
	eng, err := ccql.Open(context.Background(), ccql.Config{Backend: ccql.BackendAWS, Region: "eu-west-1"})
	if err != nil {
		t.Fatal(err)
	}
	defer eng.Close()
	_, err = eng.Query(context.Background(), `SELECT * FROM awscc.cognito_outbox.messages WHERE user_pool_id = 'eu-west-1_abc'`)
	if err == nil || !strings.Contains(err.Error(), "awscc.cognito_outbox.messages") || !strings.Contains(err.Error(), "only in the emulator") {
		t.Errorf("err = %v, want the outbox's no-AWS error", err)
	}
}
