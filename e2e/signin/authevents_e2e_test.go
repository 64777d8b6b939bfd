package signin_test

import (
	"bytes"
	"context"
	"encoding/json"
	"os/exec"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"
	"github.com/ccql/ccql/internal/e2etest"
)

// TestAmazonCognitoIdentityJS_AuthEvents: a real SRP sign-in by
// amazon-cognito-identity-js on a threat-protected pool of `ccql serve`
// leaves SignIn events (a failed one for the wrong password, then a
// passed one) that AdminListUserAuthEvents returns newest first, with the
// library's address.
func TestAmazonCognitoIdentityJS_AuthEvents(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs ccql serve and node")
	}
	e2etest.RequireNodeModules(t, "e2e/signin", "amazon-cognito-identity-js")
	endpoint := serve(t)
	admin, _ := clients(endpoint)
	ctx := context.Background()
	pool, err := admin.CreateUserPool(ctx, &cip.CreateUserPoolInput{PoolName: aws.String("events"), UserPoolTier: types.UserPoolTierTypePlus,
		UserPoolAddOns: &types.UserPoolAddOnsType{AdvancedSecurityMode: types.AdvancedSecurityModeTypeAudit}})
	if err != nil {
		t.Fatal(err)
	}
	poolID := pool.UserPool.Id
	c, err := admin.CreateUserPoolClient(ctx, &cip.CreateUserPoolClientInput{UserPoolId: poolID, ClientName: aws.String("web")})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := admin.AdminCreateUser(ctx, &cip.AdminCreateUserInput{UserPoolId: poolID, Username: aws.String("alice"),
		MessageAction: types.MessageActionTypeSuppress}); err != nil {
		t.Fatal(err)
	}
	setPermanentPassword(t, admin, aws.ToString(poolID), "Corr3ct!horse")
	cfg, _ := json.Marshal(map[string]string{"endpoint": endpoint + "/", "poolId": aws.ToString(poolID),
		"clientId": aws.ToString(c.UserPoolClient.ClientId), "username": "alice", "password": "Corr3ct!horse"})
	runCtx, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	cmd := exec.CommandContext(runCtx, "node", "authevents.cjs", string(cfg))
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("node: %v\n%s", err, stderr.String())
	}
	var out struct{ WrongPassword, Username string }
	if err := json.Unmarshal(stdout.Bytes(), &out); err != nil || out.Username != "alice" ||
		out.WrongPassword != "NotAuthorizedException: Incorrect username or password." {
		t.Fatalf("node output %q: %v", stdout.String(), err)
	}
	list, err := admin.AdminListUserAuthEvents(ctx, &cip.AdminListUserAuthEventsInput{UserPoolId: poolID, Username: aws.String("alice")})
	if err != nil {
		t.Fatal(err)
	}
	if len(list.AuthEvents) != 2 {
		t.Fatalf("events = %+v", list.AuthEvents)
	}
	for i, want := range []struct {
		response types.EventResponseType
		password types.ChallengeResponse
	}{{types.EventResponseTypePass, types.ChallengeResponseSuccess}, {types.EventResponseTypeFail, types.ChallengeResponseFailure}} {
		e := list.AuthEvents[i]
		if e.EventType != types.EventTypeSignIn || e.EventResponse != want.response || e.EventRisk.RiskDecision != types.RiskDecisionTypeNoRisk ||
			len(e.ChallengeResponses) != 1 || e.ChallengeResponses[0].ChallengeName != types.ChallengeNamePassword ||
			e.ChallengeResponses[0].ChallengeResponse != want.password {
			t.Errorf("event %d = %+v %+v %+v", i, e, e.EventRisk, e.ChallengeResponses)
		}
		if e.EventContextData == nil || aws.ToString(e.EventContextData.IpAddress) != "127.0.0.1" {
			t.Errorf("event %d context = %+v", i, e.EventContextData)
		}
	}
}
