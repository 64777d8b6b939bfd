package cognito_test

import (
	"context"
	"regexp"
	"testing"

	"github.com/ccql/ccql/emulator/internal/cognito"
	"github.com/ccql/ccql/internal/handler"
)

func handlerOf(t *testing.T, typeName string) handler.Handler {
	t.Helper()
	for _, h := range cognito.Handlers(nil) {
		if h.TypeName() == typeName {
			return h
		}
	}
	t.Fatalf("no handler for %s", typeName)
	return nil
}

func TestUserHandlers(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	users := handlerOf(t, "AWS::Cognito::UserPoolUser")
	attach := handlerOf(t, "AWS::Cognito::UserPoolUserToGroupAttachment")
	groups := handlerOf(t, "AWS::Cognito::UserPoolGroup")
	pool := f.mustPool(map[string]any{"AutoVerifiedAttributes": []any{"email"}})

	m, err := f.create(users, map[string]any{"UserPoolId": pool, "Username": "alice",
		"UserAttributes": []any{map[string]any{"Name": "email", "Value": "alice@example.com"}}, "DesiredDeliveryMediums": []any{"EMAIL"}})
	if err != nil {
		t.Fatalf("create user: %v", err)
	}
	if m["Username"] != "alice" || len(m["UserAttributes"].([]any)) != 2 {
		t.Errorf("created model %v", m)
	}
	msgs, err := cognito.ListMessages(f.tx, pool, "alice")
	if err != nil || len(msgs) != 1 || msgs[0].Kind != cognito.MessageInvitation {
		t.Errorf("invitation %+v, %v", msgs, err)
	}
	// Without Username: a UUID.
	anon, err := f.create(users, map[string]any{"UserPoolId": pool, "MessageAction": "SUPPRESS"})
	if err != nil {
		t.Fatal(err)
	}
	if !regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`).MatchString(anon["Username"].(string)) {
		t.Errorf("generated Username %v", anon["Username"])
	}
	// Cognito's rules, as Cloud Control failures.
	_, err = f.create(users, map[string]any{"UserPoolId": pool, "Username": "alice"})
	if code, msg := handlerError(t, err); code != handler.AlreadyExists || msg != "User account already exists" {
		t.Errorf("duplicate: %s %q", code, msg)
	}
	_, err = f.create(users, map[string]any{"UserPoolId": "us-east-1_none", "Username": "x"})
	if code, msg := handlerError(t, err); code != handler.NotFound || msg != "User pool us-east-1_none does not exist." {
		t.Errorf("missing pool: %s %q", code, msg)
	}

	got, err := users.Read(ctx, f.env, f.tx, pool+"|alice")
	if err != nil || got["Username"] != "alice" {
		t.Fatalf("read: %v %v", got, err)
	}
	list, err := users.List(ctx, f.env, f.tx, map[string]any{"UserPoolId": pool})
	if err != nil || len(list) != 2 {
		t.Fatalf("list: %v %v", list, err)
	}
	_, err = users.Read(ctx, f.env, f.tx, pool+"|nobody")
	if code, msg := handlerError(t, err); code != handler.NotFound || msg != "Resource of type 'AWS::Cognito::UserPoolUser' with identifier '"+pool+"|nobody' was not found." {
		t.Errorf("read missing: %s %q", code, msg)
	}

	// Group attachments.
	if _, err := f.create(groups, map[string]any{"UserPoolId": pool, "GroupName": "admins"}); err != nil {
		t.Fatal(err)
	}
	if _, err := f.create(attach, map[string]any{"UserPoolId": pool, "GroupName": "admins", "Username": "alice"}); err != nil {
		t.Fatalf("attach: %v", err)
	}
	id := pool + "|admins|alice"
	_, err = f.create(attach, map[string]any{"UserPoolId": pool, "GroupName": "admins", "Username": "alice"})
	if code, msg := handlerError(t, err); code != handler.AlreadyExists || msg != "Resource of type 'AWS::Cognito::UserPoolUserToGroupAttachment' with identifier '"+id+"' already exists." {
		t.Errorf("attach twice: %s %q", code, msg)
	}
	if a, err := attach.Read(ctx, f.env, f.tx, id); err != nil || a["GroupName"] != "admins" {
		t.Errorf("read attachment: %v %v", a, err)
	}
	_, err = f.create(attach, map[string]any{"UserPoolId": pool, "GroupName": "none", "Username": "alice"})
	if code, msg := handlerError(t, err); code != handler.NotFound || msg != "Group not found." {
		t.Errorf("attach to a missing group: %s %q", code, msg)
	}
	_, err = f.create(attach, map[string]any{"UserPoolId": pool, "GroupName": "admins", "Username": "nobody"})
	if code, msg := handlerError(t, err); code != handler.NotFound || msg != "User does not exist." {
		t.Errorf("attach a missing user: %s %q", code, msg)
	}
	if err := attach.Delete(ctx, f.env, f.tx, id); err != nil {
		t.Fatal(err)
	}
	if _, err := attach.Read(ctx, f.env, f.tx, id); err == nil {
		t.Error("attachment still read after delete")
	}

	if err := users.Delete(ctx, f.env, f.tx, pool+"|alice"); err != nil {
		t.Fatal(err)
	}
	if _, err := users.Read(ctx, f.env, f.tx, pool+"|alice"); err == nil {
		t.Error("user still read after delete")
	}
}
