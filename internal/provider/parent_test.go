package provider

import "testing"

func TestNamesParent(t *testing.T) {
	tests := []struct {
		prop, typeName, identifier string
		want                       bool
	}{
		{"ClusterName", "AWS::EKS::Cluster", "Name", true},
		{"DetectorId", "AWS::GuardDuty::Detector", "Id", true},
		{"ClusterArn", "AWS::ECS::Cluster", "ClusterArn", true},
		{"ClusterName", "AWS::EKS::Nodegroup", "Id", false},
		{"ClusterName", "AWS::EKS::Cluster", "Arn", false},
		{"Name", "AWS::EKS::Cluster", "Name", false},
	}
	for _, tt := range tests {
		if got := namesParent(tt.prop, tt.typeName, tt.identifier); got != tt.want {
			t.Errorf("namesParent(%q, %q, %q) = %v, want %v", tt.prop, tt.typeName, tt.identifier, got, tt.want)
		}
	}
}

func TestWithProperty(t *testing.T) {
	s := func(v string) *string { return &v }
	tests := []struct {
		in   *string
		want string
	}{
		{s(`{"Id":"n1"}`), `{"ClusterName":"k1","Id":"n1"}`},
		{s(`{"Id":"n1","ClusterName":"other"}`), `{"Id":"n1","ClusterName":"other"}`},
		{nil, `{"ClusterName":"k1"}`},
	}
	for _, tt := range tests {
		if got := withProperty(tt.in, "ClusterName", "k1"); *got != tt.want {
			t.Errorf("withProperty(%v) = %s, want %s", tt.in, *got, tt.want)
		}
	}
}
