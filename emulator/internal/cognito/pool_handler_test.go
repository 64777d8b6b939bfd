package cognito_test

import (
	"context"
	"regexp"
	"testing"

	"github.com/ccql/ccql/internal/handler"
	"github.com/google/go-cmp/cmp"
)

func TestPoolHandler_CreateMinimal(t *testing.T) {
	f := newFixture(t)
	got, err := f.create(f.pool, map[string]any{})
	if err != nil {
		t.Fatalf("create pool with no properties: %v", err)
	}
	id, _ := got["UserPoolId"].(string)
	if !rePoolID.MatchString(id) {
		t.Fatalf("UserPoolId = %q, want us-east-1_ + 9 [0-9A-Za-z]", id)
	}
	if name, _ := got["UserPoolName"].(string); !regexp.MustCompile(`^UserPool-[0-9A-Z]{12}$`).MatchString(name) {
		t.Errorf("generated UserPoolName = %q", name)
	}
	for key, want := range map[string]any{
		"Arn":                "arn:aws:cognito-idp:us-east-1:123456789012:userpool/" + id,
		"ProviderName":       "cognito-idp.us-east-1.amazonaws.com/" + id,
		"ProviderURL":        "https://cognito-idp.us-east-1.amazonaws.com/" + id,
		"DeletionProtection": "INACTIVE",
		"MfaConfiguration":   "OFF",
		"UserPoolTier":       "ESSENTIALS",
	} {
		if got[key] != want {
			t.Errorf("%s = %v, want %v", key, got[key], want)
		}
	}
	read, err := f.pool.Read(context.Background(), f.env, f.tx, id)
	if err != nil {
		t.Fatalf("Read: %v", err)
	}
	if diff := cmp.Diff(normalise(t, got), read); diff != "" {
		t.Errorf("Read differs from Create (-create +read):\n%s", diff)
	}
}

func TestPoolHandler_GivenSettingsKept(t *testing.T) {
	f := newFixture(t)
	got, err := f.create(f.pool, map[string]any{
		"UserPoolName": "mine",
		"UserPoolTags": map[string]any{"team": "a"},
		"Policies":     map[string]any{"PasswordPolicy": map[string]any{"MinimumLength": 12}},
		"Schema":       []any{map[string]any{"Name": "tier", "AttributeDataType": "String"}},
	})
	if err != nil {
		t.Fatalf("create: %v", err)
	}
	want := map[string]any{
		"PasswordPolicy": map[string]any{"MinimumLength": float64(12)},
		"SignInPolicy":   map[string]any{"AllowedFirstAuthFactors": []any{"PASSWORD"}},
	}
	if diff := cmp.Diff(want, normalise(t, got)["Policies"]); diff != "" {
		t.Errorf("Policies (-want +got):\n%s", diff)
	}
	if got["UserPoolName"] != "mine" {
		t.Errorf("UserPoolName = %v", got["UserPoolName"])
	}
	if diff := cmp.Diff(map[string]any{"team": "a"}, got["UserPoolTags"]); diff != "" {
		t.Errorf("UserPoolTags (-want +got):\n%s", diff)
	}
}

func TestPoolHandler_Rules(t *testing.T) {
	cases := []struct {
		name  string
		model map[string]any
		msg   string
	}{
		{"name pattern", m("UserPoolName", "bad/name"), "1 validation error detected: Value 'bad/name' at 'poolName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w\\s+=,.@-]+"},
		{"deletion protection enum", m("DeletionProtection", "ON"), "1 validation error detected: Value 'ON' at 'deletionProtection' failed to satisfy constraint: Member must satisfy enum value set: [ACTIVE, INACTIVE]"},
		{"mfa enum", m("MfaConfiguration", "MAYBE"), "1 validation error detected: Value 'MAYBE' at 'mfaConfiguration' failed to satisfy constraint: Member must satisfy enum value set: [OFF, ON, OPTIONAL]"},
		{"custom attribute too long", m("Schema", []any{map[string]any{"Name": "abcdefghijklmnopqrstu"}}), "1 validation error detected: Value 'abcdefghijklmnopqrstu' at 'schema.1.member.name' failed to satisfy constraint: Member must have length less than or equal to 20"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f := newFixture(t)
			_, err := f.create(f.pool, tc.model)
			code, msg := handlerError(t, err)
			if code != handler.InvalidRequest || msg != tc.msg {
				t.Errorf("got %s %q\nwant InvalidRequest %q", code, msg, tc.msg)
			}
		})
	}
}

func TestPoolHandler_Update(t *testing.T) {
	f := newFixture(t)
	id := f.mustPool(map[string]any{"UserPoolName": "p", "MfaConfiguration": "OPTIONAL", "UserPoolTags": map[string]any{"a": "b"}})
	ctx := context.Background()
	cur, err := f.pool.Read(ctx, f.env, f.tx, id)
	if err != nil {
		t.Fatal(err)
	}
	// Remove the tags and MFA setting: they return to their defaults.
	delete(cur, "UserPoolTags")
	delete(cur, "MfaConfiguration")
	cur["UserPoolName"] = "renamed"
	got, err := f.pool.Update(ctx, f.env, f.tx, id, cur)
	if err != nil {
		t.Fatalf("Update: %v", err)
	}
	if got["MfaConfiguration"] != "OFF" || got["UserPoolName"] != "renamed" || got["UserPoolTags"] != nil {
		t.Errorf("Update result: MfaConfiguration %v, UserPoolName %v, UserPoolTags %v", got["MfaConfiguration"], got["UserPoolName"], got["UserPoolTags"])
	}
	if got["Arn"] != "arn:aws:cognito-idp:us-east-1:123456789012:userpool/"+id {
		t.Errorf("Arn lost: %v", got["Arn"])
	}
	if _, err := f.pool.Update(ctx, f.env, f.tx, "us-east-1_nosuch000", map[string]any{}); err == nil {
		t.Errorf("update of a missing pool succeeded")
	} else if code, _ := handlerError(t, err); code != handler.NotFound {
		t.Errorf("update of a missing pool: %s", code)
	}
}

func TestPoolHandler_DeleteCascades(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	doomed := f.mustPool(nil)
	kept := f.mustPool(nil)
	var doomedIDs []string
	for i := 0; i < 3; i++ {
		c := f.mustClient(map[string]any{"UserPoolId": doomed})
		doomedIDs = append(doomedIDs, doomed+"|"+c["ClientId"].(string))
	}
	survivor := f.mustClient(map[string]any{"UserPoolId": kept})

	if err := f.pool.Delete(ctx, f.env, f.tx, doomed); err != nil {
		t.Fatalf("Delete pool: %v", err)
	}
	for _, id := range doomedIDs {
		if _, err := f.client.Read(ctx, f.env, f.tx, id); err == nil {
			t.Errorf("client %s survived its pool", id)
		}
	}
	if n, _ := f.tx.Count("ccql::Cognito::Timestamps", "AWS::Cognito::UserPoolClient|"+doomed); n != 0 {
		t.Errorf("%d timestamps of deleted clients remain", n)
	}
	if _, err := f.client.Read(ctx, f.env, f.tx, kept+"|"+survivor["ClientId"].(string)); err != nil {
		t.Errorf("client of another pool was deleted: %v", err)
	}
	if code, _ := handlerError(t, f.pool.Delete(ctx, f.env, f.tx, doomed)); code != handler.NotFound {
		t.Errorf("second delete: %s, want NotFound", code)
	}
}

func TestPoolHandler_DeletionProtection(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	id := f.mustPool(map[string]any{"DeletionProtection": "ACTIVE"})
	err := f.pool.Delete(ctx, f.env, f.tx, id)
	code, msg := handlerError(t, err)
	want := "The user pool cannot be deleted because deletion protection is activated. Deletion protection must be inactivated first."
	if code != handler.InvalidRequest || msg != want {
		t.Errorf("got %s %q", code, msg)
	}
	if _, err := f.pool.Read(ctx, f.env, f.tx, id); err != nil {
		t.Errorf("protected pool was deleted: %v", err)
	}
}

func TestPoolHandler_List(t *testing.T) {
	f := newFixture(t)
	a, b := f.mustPool(nil), f.mustPool(nil)
	got, err := f.pool.List(context.Background(), f.env, f.tx, nil)
	if err != nil {
		t.Fatalf("List: %v", err)
	}
	if a > b {
		a, b = b, a
	}
	want := []map[string]any{{"UserPoolId": a}, {"UserPoolId": b}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("List (-want +got):\n%s", diff)
	}
}

// normalise round-trips a model through JSON, as the store does, so that
// numbers compare as float64.
func normalise(t *testing.T, model map[string]any) map[string]any {
	t.Helper()
	out, err := roundTrip(model)
	if err != nil {
		t.Fatal(err)
	}
	return out
}
