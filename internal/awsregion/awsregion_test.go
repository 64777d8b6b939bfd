package awsregion

import (
	"errors"
	"strings"
	"testing"
)

func TestCheck(t *testing.T) {
	for _, r := range []string{"us-east-1", "eu-west-3", "cn-north-1", "us-gov-west-1", "ap-southeast-7"} {
		if err := Check(r); err != nil {
			t.Errorf("Check(%q) = %v, want nil", r, err)
		}
	}
	for _, tt := range []struct{ region, want string }{
		{"us-east-9", `unknown region "us-east-9": AWS has no such region (did you mean us-east-1 or us-east-2?); the aws partition has af-south-1, `},
		{"US-EAST-1", `(did you mean us-east-1?)`},
		{"aws-global", `unknown region "aws-global"`},
		{"", `unknown region ""`},
	} {
		err := Check(tt.region)
		if !errors.Is(err, ErrUnknown) {
			t.Fatalf("Check(%q) = %v, want ErrUnknown", tt.region, err)
		}
		if !strings.Contains(err.Error(), tt.want) || !strings.Contains(err.Error(), "us-west-2") {
			t.Errorf("Check(%q) = %q, want it to contain %q and list the regions", tt.region, err, tt.want)
		}
	}
}

func TestPartitions(t *testing.T) {
	ps := Partitions()
	if len(ps) < 2 || ps[0].ID != "aws" || len(ps[0].Regions) < 30 {
		t.Fatalf("partitions = %+v", ps)
	}
}
