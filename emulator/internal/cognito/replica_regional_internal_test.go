package cognito

import (
	"encoding/json"
	"slices"
	"testing"

	"github.com/ccql/ccql/internal/handler"
	"github.com/google/go-cmp/cmp"
)

const regionalPool = "us-east-1_TestPool1"

// regionalFixture stores a pool with the primary's regional settings and
// a replica in eu-west-1 with rep's.
func regionalFixture(t *testing.T, rep *replica) memTx {
	t.Helper()
	tx := newMemTx()
	newUserPool(t, tx, map[string]any{
		"UserPoolId":         regionalPool,
		"EmailConfiguration": map[string]any{"EmailSendingAccount": "DEVELOPER", "SourceArn": "arn:aws:ses:us-east-1:000000000000:identity/primary@example.com"},
		"SmsConfiguration":   map[string]any{"SnsCallerArn": "arn:aws:iam::000000000000:role/primary"},
		"UserPoolTags":       map[string]any{"site": "primary"},
	})
	rep.RegionName, rep.Status, rep.UserPoolArn = "eu-west-1", replicaActive, poolARN("eu-west-1", "000000000000", regionalPool)
	if err := saveReplica(tx, regionalPool, rep); err != nil {
		t.Fatal(err)
	}
	return tx
}

// TestRegionalTx_Overlay checks the rule of a replica's regional
// settings: each one the replica sets replaces the primary's whole, one it
// leaves unset is the primary's; tags and ARN are always the replica's.
func TestRegionalTx_Overlay(t *testing.T) {
	replicaEmail := map[string]any{"EmailSendingAccount": "DEVELOPER", "From": "dr@example.com"}
	replicaSMS := map[string]any{"SnsCallerArn": "arn:aws:iam::000000000000:role/replica"}
	lambda := map[string]any{"PreSignUp": "arn:aws:lambda:eu-west-1:000000000000:function:f"}
	tests := []struct {
		name                     string
		rep                      replica
		email, sms, lambda, tags any
	}{
		{"nothing set: the primary's", replica{},
			map[string]any{"EmailSendingAccount": "DEVELOPER", "SourceArn": "arn:aws:ses:us-east-1:000000000000:identity/primary@example.com"},
			map[string]any{"SnsCallerArn": "arn:aws:iam::000000000000:role/primary"}, nil, nil},
		{"e-mail set: replaced whole", replica{EmailConfiguration: replicaEmail},
			replicaEmail, map[string]any{"SnsCallerArn": "arn:aws:iam::000000000000:role/primary"}, nil, nil},
		{"everything set", replica{EmailConfiguration: replicaEmail, SmsConfiguration: replicaSMS, LambdaConfig: lambda, Tags: map[string]string{"site": "dr"}},
			replicaEmail, replicaSMS, lambda, map[string]any{"site": "dr"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			rep := tc.rep
			tx := regionalFixture(t, &rep)
			pool, err := loadPool(newRegionalTx(tx, regionalPool, "eu-west-1", nil), regionalPool)
			if err != nil {
				t.Fatal(err)
			}
			for k, want := range map[string]any{"EmailConfiguration": tc.email, "SmsConfiguration": tc.sms, "LambdaConfig": tc.lambda, "UserPoolTags": tc.tags} {
				got := pool[k]
				if want == nil && (got == nil || len(got.(map[string]any)) == 0) {
					continue
				}
				if diff := cmp.Diff(want, got); diff != "" {
					t.Errorf("%s (-want +got):\n%s", k, diff)
				}
			}
			if pool["Arn"] != rep.UserPoolArn {
				t.Errorf("Arn = %v", pool["Arn"])
			}
			// The primary's own partition is untouched.
			primary, _ := loadPool(tx, regionalPool)
			if primary["Arn"] == rep.UserPoolArn {
				t.Error("the primary reads the replica's ARN")
			}
		})
	}
}

// TestRegionalTx_PutKeepsPrimary checks that a pool written through a
// replica region's view keeps the primary's regional settings, tags and
// ARN, and takes the other changes.
func TestRegionalTx_PutKeepsPrimary(t *testing.T) {
	rep := replica{EmailConfiguration: map[string]any{"From": "dr@example.com"}, Tags: map[string]string{"site": "dr"}}
	tx := regionalFixture(t, &rep)
	before, _ := loadPool(tx, regionalPool)
	rtx := newRegionalTx(tx, regionalPool, "eu-west-1", nil)
	pool, err := loadPool(rtx, regionalPool)
	if err != nil {
		t.Fatal(err)
	}
	pool["UserPoolName"] = "renamed"
	raw, _ := json.Marshal(pool)
	if err := rtx.Put(typeUserPool, regionalPool, raw); err != nil {
		t.Fatal(err)
	}
	after, _ := loadPool(tx, regionalPool)
	if after["UserPoolName"] != "renamed" {
		t.Errorf("UserPoolName = %v", after["UserPoolName"])
	}
	for _, k := range []string{"EmailConfiguration", "SmsConfiguration", "UserPoolTags", "Arn"} {
		if diff := cmp.Diff(before[k], after[k]); diff != "" {
			t.Errorf("%s changed (-before +after):\n%s", k, diff)
		}
	}
}

// TestStampSender checks the sender a message records, by region and
// configuration.
func TestStampSender(t *testing.T) {
	tests := []struct {
		name    string
		rep     replica
		replica bool
		medium  string
		want    Message
	}{
		{"primary e-mail: SourceArn's identity", replica{}, false, MediumEmail,
			Message{Region: "us-east-1", From: "primary@example.com", SourceArn: "arn:aws:ses:us-east-1:000000000000:identity/primary@example.com"}},
		{"replica e-mail: its From", replica{EmailConfiguration: map[string]any{"From": "DR <dr@example.com>", "SourceArn": "arn:aws:ses:eu-west-1:000000000000:identity/example.com"}}, true, MediumEmail,
			Message{Region: "eu-west-1", From: "DR <dr@example.com>", SourceArn: "arn:aws:ses:eu-west-1:000000000000:identity/example.com"}},
		{"replica e-mail, domain identity, no From", replica{EmailConfiguration: map[string]any{"SourceArn": "arn:aws:ses:eu-west-1:000000000000:identity/example.com"}}, true, MediumEmail,
			Message{Region: "eu-west-1", SourceArn: "arn:aws:ses:eu-west-1:000000000000:identity/example.com"}},
		{"replica SMS without its own: the primary's", replica{}, true, MediumSMS,
			Message{Region: "eu-west-1", SnsCallerArn: "arn:aws:iam::000000000000:role/primary"}},
		{"replica SMS", replica{SmsConfiguration: map[string]any{"SnsCallerArn": "arn:aws:iam::000000000000:role/replica", "SnsRegion": "eu-west-1"}}, true, MediumSMS,
			Message{Region: "eu-west-1", SnsCallerArn: "arn:aws:iam::000000000000:role/replica", SnsRegion: "eu-west-1"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			rep := tc.rep
			tx := regionalFixture(t, &rep)
			var view handler.Tx = tx
			if tc.replica {
				view = newRegionalTx(tx, regionalPool, "eu-west-1", nil)
			}
			m := Message{UserPoolId: regionalPool, DeliveryMedium: tc.medium}
			if err := stampSender(userEnv(), view, &m); err != nil {
				t.Fatal(err)
			}
			tc.want.UserPoolId, tc.want.DeliveryMedium = regionalPool, tc.medium
			if diff := cmp.Diff(tc.want, m); diff != "" {
				t.Errorf("message (-want +got):\n%s", diff)
			}
		})
	}
}

// TestPartitionRegions checks the regions searched for a client named
// alone: the partition of the region reached, and no other.
func TestPartitionRegions(t *testing.T) {
	tests := []struct {
		region      string
		has, hasNot string
	}{
		{"eu-west-1", "us-east-1", "cn-north-1"},
		{"cn-north-1", "cn-northwest-1", "us-east-1"},
		{"us-gov-west-1", "us-gov-east-1", "us-east-1"},
		{"mars-north-1", "mars-north-1", "us-east-1"},
	}
	for _, tc := range tests {
		t.Run(tc.region, func(t *testing.T) {
			got := partitionRegions(tc.region)
			if !slices.Contains(got, tc.has) || slices.Contains(got, tc.hasNot) {
				t.Errorf("partitionRegions(%s) = %v", tc.region, got)
			}
		})
	}
}
