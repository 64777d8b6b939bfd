package suggest

import (
	"slices"
	"testing"
)

func TestClosest(t *testing.T) {
	resources := []string{"user_pools", "user_pools_list_only", "user_pool_clients", "user_pool_clients_list_only", "user_pool_domains", "identity_pools", "log_groups", "policies"}
	tests := []struct {
		name string
		cand []string
		want []string
	}{
		{"user_pool", resources, []string{"user_pools"}},
		{"UserPool", resources, []string{"user_pools"}},
		{"UserPoolClient", resources, []string{"user_pool_clients"}},
		{"userpoolclients", resources, []string{"user_pool_clients"}},
		{"user_pool_client", resources, []string{"user_pool_clients"}},
		{"user_pol", resources, []string{"user_pools"}},
		{"policy", resources, []string{"policies"}},
		{"identity_pol", resources, []string{"identity_pools"}},
		{"nothing_like_it", resources, nil},
		{"cognto", []string{"cognito", "config", "connect", "logs"}, []string{"cognito"}},
		{"aws", []string{"awscc"}, []string{"awscc"}},
		{"nme", []string{"name", "arn", "user_pool_name"}, []string{"name"}},
		{"clientname", []string{"client_name", "client_id", "client_secret"}, []string{"client_name"}},
	}
	for _, tt := range tests {
		got := Closest(tt.name, tt.cand, 3)
		if !slices.Equal(got, tt.want) && !(len(got) == 0 && len(tt.want) == 0) {
			t.Errorf("Closest(%q) = %q, want %q", tt.name, got, tt.want)
		}
	}
}

func TestFold(t *testing.T) {
	for in, want := range map[string]string{
		"user_pools": "userpool", "UserPoolClient": "userpoolclient", "policies": "policy", "addresses": "address",
		"access": "access", "boxes": "box", "alias": "alia", "ids": "ids",
	} {
		if got := fold(in); got != want {
			t.Errorf("fold(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestList(t *testing.T) {
	for _, tt := range []struct {
		in   []string
		want string
	}{{nil, ""}, {[]string{"a"}, "a"}, {[]string{"a", "b"}, "a or b"}, {[]string{"a", "b", "c"}, "a, b or c"}} {
		if got := List(tt.in); got != tt.want {
			t.Errorf("List(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}
