package schema_test

import (
	"bytes"
	"errors"
	"slices"
	"testing"

	"github.com/ccql/ccql/internal/schema"
)

func TestNewFullRegistry(t *testing.T) {
	g := schema.NewFullRegistry()
	names := g.TypeNames()
	if got, want := len(names), 1490; got != want {
		t.Errorf("%d types, want %d", got, want)
	}
	if !slices.IsSorted(names) {
		t.Error("TypeNames is not sorted")
	}
	tests := []struct {
		typeName string
		props    int
		ids      []string
	}{
		{"AWS::EC2::Instance", 0, []string{"InstanceId"}},
		{"AWS::QuickSight::RefreshSchedule", 4, []string{"AwsAccountId", "DataSetId", "Schedule/ScheduleId"}},
		{"AWS::Cognito::UserPoolClient", 26, []string{"UserPoolId", "ClientId"}},
	}
	for _, tt := range tests {
		r, err := g.Lookup(tt.typeName)
		if err != nil {
			t.Fatalf("Lookup(%s): %v", tt.typeName, err)
		}
		if r.TypeName != tt.typeName {
			t.Errorf("TypeName = %q", r.TypeName)
		}
		if tt.props > 0 && len(r.Properties) != tt.props {
			t.Errorf("%s: %d properties, want %d", tt.typeName, len(r.Properties), tt.props)
		}
		if got := r.IdentifierProperties(); !slices.Equal(got, tt.ids) {
			t.Errorf("%s: identifier %v, want %v", tt.typeName, got, tt.ids)
		}
		if again, _ := g.Lookup(tt.typeName); again != r {
			t.Errorf("%s: second Lookup parsed again", tt.typeName)
		}
	}
	// The hand-checked UserPoolClient wins over the published one, whose
	// read handler lacks ListUserPoolClientSecrets.
	r, _ := g.Lookup("AWS::Cognito::UserPoolClient")
	if !slices.Contains(r.Handlers["read"].Permissions, "cognito-idp:ListUserPoolClientSecrets") {
		t.Error("full registry serves the published UserPoolClient, not the hand-checked one")
	}
	hand, _ := schema.NewRegistry().Lookup("AWS::Cognito::UserPoolClient")
	if !bytes.Equal(hand.Raw, r.Raw) {
		t.Error("full registry's UserPoolClient document differs from the hand-checked one")
	}
	if _, err := g.Lookup("AWS::No::Such"); !errors.Is(err, schema.ErrTypeNotFound) {
		t.Errorf("Lookup(unknown) error = %v", err)
	}
	// The Cognito-only registry is unchanged by the archive.
	if got := len(schema.NewRegistry().TypeNames()); got != 6 {
		t.Errorf("NewRegistry has %d types, want 6", got)
	}
	if _, err := schema.NewRegistry().Lookup("AWS::EC2::Instance"); !errors.Is(err, schema.ErrTypeNotFound) {
		t.Errorf("NewRegistry().Lookup(EC2) error = %v, want ErrTypeNotFound", err)
	}
}

func BenchmarkRegistry_Lookup(b *testing.B) {
	for b.Loop() {
		if _, err := schema.NewFullRegistry().Lookup("AWS::EC2::Instance"); err != nil {
			b.Fatal(err)
		}
	}
}
