package cognito_test

import (
	"reflect"
	"sort"
	"strings"
	"testing"

	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/ccql/ccql/emulator/internal/cognito"
)

// notYetServed are the operations of the SDK's cognitoidentityprovider model
// that the emulator does not serve yet (issue 17 stays open while this list
// is not empty). The test fails both when a new SDK operation appears that
// is neither served nor listed, and when a listed operation becomes served
// without being removed from here, so the list is always exact.
var notYetServed = []string{}

// clientNonOperations are the exported methods of *cip.Client that are not
// API operations.
var clientNonOperations = map[string]bool{"Options": true}

// sdkOperations enumerates the operations of the aws-sdk-go-v2 client by
// reflection: every exported method of *Client but Options is one
// operation of the service model.
func sdkOperations() []string {
	ty := reflect.TypeOf(&cip.Client{})
	var out []string
	for i := range ty.NumMethod() {
		if name := ty.Method(i).Name; !clientNonOperations[name] {
			out = append(out, name)
		}
	}
	sort.Strings(out)
	return out
}

func TestOperations_CoverSDKModel(t *testing.T) {
	served := map[string]bool{}
	for _, name := range cognito.OperationNames() {
		served[name] = true
	}
	listed := map[string]bool{}
	for _, name := range notYetServed {
		if listed[name] {
			t.Errorf("%s is listed twice in notYetServed", name)
		}
		listed[name] = true
	}
	sdk := sdkOperations()
	if len(sdk) < 100 {
		t.Fatalf("reflection found %d SDK operations; the client's method set is not what this test expects", len(sdk))
	}
	inSDK := map[string]bool{}
	var missing []string
	for _, name := range sdk {
		inSDK[name] = true
		switch {
		case served[name] && listed[name]:
			t.Errorf("%s is served now: remove it from notYetServed", name)
		case !served[name] && !listed[name]:
			missing = append(missing, name)
		}
	}
	if len(missing) > 0 {
		t.Errorf("SDK operations neither served nor listed in notYetServed: %s", strings.Join(missing, ", "))
	}
	for _, name := range notYetServed {
		if !inSDK[name] {
			t.Errorf("notYetServed lists %s, which the SDK does not model", name)
		}
	}
	for name := range served {
		if !inSDK[name] {
			t.Errorf("the emulator serves %s, which the SDK does not model", name)
		}
	}
	t.Logf("%d SDK operations: %d served, %d not yet", len(sdk), len(sdk)-len(notYetServed), len(notYetServed))
}
