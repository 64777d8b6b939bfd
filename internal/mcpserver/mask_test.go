package mcpserver

import (
	"encoding/json"
	"strings"
	"testing"
)

func TestIsSecretName(t *testing.T) {
	for name, want := range map[string]bool{
		"ClientSecret": true, "client_secret": true, "SecretString": true, "MasterUserPassword": true, "password": true,
		"PrivateKey": true, "api_key": true, "AccessToken": true, "/ClientSecret": true, "/Auth/Password": true,
		"ClientToken": false, "RequestToken": false, "NextToken": false, "AccessTokenValidity": false,
		"token_validity_units": false, "EnableTokenRevocation": false, "ClientName": false, "UserPoolId": false,
		"GenerateSecret": true, // a boolean: masking it is harmless
	} {
		if got := isSecretName(name); got != want {
			t.Errorf("isSecretName(%q) = %v, want %v", name, got, want)
		}
	}
}

func TestMaskStatement(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"UPDATE t SET ClientSecret = 'abc' WHERE region = 'r'", "UPDATE t SET ClientSecret = '***' WHERE region = 'r'"},
		{"UPDATE t SET client_secret = string('a''b'), ClientName = 'n'", "UPDATE t SET client_secret = string('***'), ClientName = 'n'"},
		{"INSERT INTO t (Name, SecretString, region) SELECT 'db', 'hunter2', 'us-east-1'", "INSERT INTO t (Name, SecretString, region) SELECT 'db', '***', 'us-east-1'"},
		{"INSERT INTO t (Name, SecretString, region) SELECT 'a', 's1', 'r' UNION ALL SELECT 'b', 's2', 'r'",
			"INSERT INTO t (Name, SecretString, region) SELECT 'a', '***', 'r' UNION ALL SELECT 'b', '***', 'r'"},
		{"INSERT INTO t (Name, Password) VALUES ('a', 'p1'), ('b', 'p2')", "INSERT INTO t (Name, Password) VALUES ('a', '***'), ('b', '***')"},
		{"INSERT INTO t (Name, Password) SELECT upper('a'), string('p1')", "INSERT INTO t (Name, Password) SELECT upper('a'), string('***')"},
		{"INSERT INTO t (Name, Password) SELECT name, 'x' FROM other WHERE k = 'keep'", "INSERT INTO t (Name, Password) SELECT name, '***' FROM other WHERE k = 'keep'"},
		{`UPDATE t SET PatchDocument = string('[{"op":"replace","path":"/ClientSecret","value":"s"},{"op":"replace","path":"/ClientName","value":"n"}]')`,
			`UPDATE t SET PatchDocument = string('[{"op":"replace","path":"/ClientSecret","value":"***"},{"op":"replace","path":"/ClientName","value":"n"}]')`},
		{`INSERT INTO t (Config, region) SELECT '{"Auth":{"Password":"p","User":"u"}}', 'r'`, `INSERT INTO t (Config, region) SELECT '{"Auth":{"Password":"***","User":"u"}}', 'r'`},
		{"SELECT 'it''s' -- ClientSecret = 'x'\n", "SELECT 'it''s' -- ClientSecret = 'x'\n"},
		{"INSERT INTO t (ClientName, region) SELECT 'no secret here', 'r'", "INSERT INTO t (ClientName, region) SELECT 'no secret here', 'r'"},
	} {
		if got := MaskStatement(tc.in); got != tc.want {
			t.Errorf("MaskStatement(%q)\n got %q\nwant %q", tc.in, got, tc.want)
		}
	}
}

func TestMaskJSON(t *testing.T) {
	got := maskJSON(json.RawMessage(`{"ClientId":"c","ClientSecret":"s","Nested":[{"password":"p"}],"Keep":null}`))
	var v map[string]any
	if err := json.Unmarshal(got, &v); err != nil {
		t.Fatal(err)
	}
	if v["ClientSecret"] != "***" || v["ClientId"] != "c" || v["Nested"].([]any)[0].(map[string]any)["password"] != "***" {
		t.Errorf("maskJSON: %s", got)
	}
	if bad := json.RawMessage(`{not json`); string(maskJSON(bad)) != string(bad) {
		t.Error("invalid JSON changed")
	}
}

// FuzzMaskStatement: masking never panics, never grows a statement by more
// than the masks it adds, and a secret assigned with SET never survives.
func FuzzMaskStatement(f *testing.F) {
	for _, s := range []string{
		"UPDATE t SET ClientSecret = 'abc' WHERE region = 'r'",
		"INSERT INTO t (Name, Password) VALUES ('a', 'p1'), ('b', 'p2')",
		`UPDATE t SET PatchDocument = '[{"op":"add","path":"/Password","value":"x"}]'`,
		"INSERT INTO t (a, b) SELECT (SELECT 'x'), 'y'", "'unterminated", `"quoted ident`, "/* open", "[x",
	} {
		f.Add(s, "sekr1t")
	}
	f.Fuzz(func(t *testing.T, stmt, secret string) {
		_ = MaskStatement(stmt)
		if secret == "" || strings.ContainsAny(secret, "'\\\x00") || !json.Valid([]byte(`"`+secret+`"`)) {
			return
		}
		s := "UPDATE t SET ClientSecret = '" + secret + "' WHERE " + stmt
		if strings.ContainsAny(stmt, "'\"`[-/") { // the WHERE could swallow or quote the rest
			return
		}
		if got := MaskStatement(s); strings.Contains(got, "'"+secret+"'") {
			t.Errorf("secret survived: %q", got)
		}
	})
}
