package emulator

import (
	"context"
	"reflect"
	"testing"

	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	smithyauth "github.com/aws/smithy-go/auth"
	"github.com/ccql/ccql/emulator/internal/cognito"
)

// TestAnonymousIdPOperations_matchSDK checks the list of unsigned Cognito
// IdP operations against the AWS SDK for Go: every operation of its
// client whose auth resolver gives the anonymous scheme is on the list,
// and nothing else is.
func TestAnonymousIdPOperations_matchSDK(t *testing.T) {
	client := cip.New(cip.Options{Region: "us-east-1"})
	resolver := client.Options().AuthSchemeResolver
	list := map[string]bool{}
	for _, name := range cognito.AnonymousOperations() {
		list[name] = true
	}
	typ := reflect.TypeOf(client)
	sdkAnonymous := 0
	for i := range typ.NumMethod() {
		name := typ.Method(i).Name
		if name == "Options" {
			continue
		}
		opts, err := resolver.ResolveAuthSchemes(context.Background(), &cip.AuthResolverParameters{Operation: name, Region: "us-east-1"})
		if err != nil {
			t.Fatal(err)
		}
		anonymous := len(opts) > 0 && opts[0].SchemeID == smithyauth.SchemeIDAnonymous
		if anonymous {
			sdkAnonymous++
		}
		if anonymous != list[name] {
			t.Errorf("%s: anonymous in the SDK = %v, on ccql's list = %v", name, anonymous, list[name])
		}
	}
	if sdkAnonymous != len(list) {
		t.Errorf("the SDK has %d anonymous operations, the list %d", sdkAnonymous, len(list))
	}
}
