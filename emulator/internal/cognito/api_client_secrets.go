package cognito

import (
	"context"
	"crypto/hmac"
	"sort"
	"time"

	"github.com/ccql/ccql/internal/handler"
)

// Client-secret rotation. A confidential app client has one or two active
// secrets. The stored client model keeps one of them as ClientSecret (what
// DescribeUserPoolClient and Cloud Control show: the oldest active secret);
// once a second secret is added, every active secret is recorded under
// typePoolSettings "<pool>|secrets|<client>", and loading a client attaches
// the others (clientModel.otherSecrets), so SECRET_HASH, the token
// endpoint's client authentication and the token operations accept either.

// maxClientSecrets is how many active secrets a client may have.
const maxClientSecrets = 2

// clientSecret is one active secret of a client.
type clientSecret struct {
	ID      string       `json:"ClientSecretId"`
	Value   string       `json:"ClientSecretValue"`
	Created epochSeconds `json:"ClientSecretCreateDate"`
}

type clientSecrets struct {
	Secrets []clientSecret `json:"Secrets"`
}

func secretsKey(poolID, clientID string) string { return settingKey(poolID, "secrets", clientID) }

// secretValues returns every active secret of c: ClientSecret first.
func (c *clientModel) secretValues() []string {
	if c.ClientSecret == "" {
		return nil
	}
	return append([]string{c.ClientSecret}, c.otherSecrets...)
}

// matchesSecret reports whether given is one of c's active secrets, in
// constant time for each.
func (c *clientModel) matchesSecret(given string) bool {
	ok := false
	for _, s := range c.secretValues() {
		if hmac.Equal([]byte(s), []byte(given)) {
			ok = true
		}
	}
	return ok
}

// attachSecrets loads the rotated secrets of a confidential client into
// c.otherSecrets.
func attachSecrets(tx handler.Tx, c *clientModel) error {
	c.otherSecrets = nil
	if c.ClientSecret == "" {
		return nil
	}
	var rec clientSecrets
	found, err := getJSON(tx, typePoolSettings, secretsKey(c.UserPoolId, c.ClientId), &rec)
	if err != nil || !found {
		return err
	}
	for _, s := range rec.Secrets {
		if s.Value != c.ClientSecret {
			c.otherSecrets = append(c.otherSecrets, s.Value)
		}
	}
	return nil
}

// loadSecrets returns a client's active secrets, oldest first. A client
// that never rotated has one, its ClientSecret, created with the client and
// named by the client id and that date.
func loadSecrets(tx handler.Tx, c *clientModel) ([]clientSecret, error) {
	var rec clientSecrets
	found, err := getJSON(tx, typePoolSettings, secretsKey(c.UserPoolId, c.ClientId), &rec)
	if err != nil {
		return nil, err
	}
	if found {
		return rec.Secrets, nil
	}
	if c.ClientSecret == "" {
		return nil, nil
	}
	ts, err := stamps(tx, typeUserPoolClient, clientKey(c.UserPoolId, c.ClientId))
	if err != nil {
		return nil, err
	}
	return []clientSecret{{ID: c.ClientId + "--original", Value: c.ClientSecret, Created: ts.CreationDate}}, nil
}

// saveSecrets records secrets and makes the oldest the client's
// ClientSecret. Rotation is not a change of the client's configuration: its
// modification date is kept.
func saveSecrets(tx handler.Tx, c *clientModel, secrets []clientSecret) error {
	sort.SliceStable(secrets, func(i, j int) bool { return time.Time(secrets[i].Created).Before(time.Time(secrets[j].Created)) })
	if err := putJSON(tx, typePoolSettings, secretsKey(c.UserPoolId, c.ClientId), clientSecrets{Secrets: secrets}); err != nil {
		return err
	}
	if c.ClientSecret == secrets[0].Value {
		return nil
	}
	c.ClientSecret = secrets[0].Value
	c.otherSecrets = nil
	return putJSON(tx, typeUserPoolClient, clientKey(c.UserPoolId, c.ClientId), c)
}

// secretDescriptor is a ClientSecretDescriptorType; Value only when shown.
func secretDescriptor(s clientSecret, withValue bool) map[string]any {
	d := map[string]any{"ClientSecretId": s.ID, "ClientSecretCreateDate": s.Created}
	if withValue {
		d["ClientSecretValue"] = s.Value
	}
	return d
}

// secretClient validates UserPoolId and ClientId and loads a confidential
// client.
func secretClient(tx handler.Tx, poolID, clientID *string, more func(*violations)) (*clientModel, error) {
	var v violations
	v.checkRequiredString("userPoolId", poolID, 1, 55, &patUserPoolID)
	v.checkSensitive("clientId", clientID, 1, 128, &patClientID, true)
	if more != nil {
		more(&v)
	}
	if err := v.err(); err != nil {
		return nil, err
	}
	if _, err := loadPool(tx, *poolID); err != nil {
		return nil, err
	}
	c, err := loadClient(tx, *poolID, *clientID)
	if err != nil {
		return nil, err
	}
	if c.ClientSecret == "" {
		// Not a message Cognito is known to use for a public client.
		return nil, invalidParameter("Client %s does not have a client secret.", c.ClientId)
	}
	return c, nil
}

func opAddUserPoolClientSecret(_ context.Context, env handler.Env, tx handler.Tx, body []byte) (any, error) {
	var in struct {
		UserPoolId   *string `json:"UserPoolId"`
		ClientId     *string `json:"ClientId"`
		ClientSecret *string `json:"ClientSecret"`
	}
	if err := decodeBody(body, &in); err != nil {
		return nil, err
	}
	c, err := secretClient(tx, in.UserPoolId, in.ClientId, func(v *violations) {
		v.checkSensitive("clientSecret", in.ClientSecret, 24, 64, &patClientID, false)
	})
	if err != nil {
		return nil, err
	}
	secrets, err := loadSecrets(tx, c)
	if err != nil {
		return nil, err
	}
	if len(secrets) >= maxClientSecrets {
		// Not a message Cognito is known to use for the two-secret quota.
		return nil, apiErrorf(typeLimitExceeded, "Client %s already has the maximum of %d client secrets.", c.ClientId, maxClientSecrets)
	}
	s := clientSecret{Created: epochSeconds(env.Now)}
	generated := in.ClientSecret == nil
	if generated {
		if s.Value, err = newClientSecret(env.Rand); err != nil {
			return nil, err
		}
	} else {
		s.Value = *in.ClientSecret
	}
	for _, old := range secrets {
		if hmac.Equal([]byte(old.Value), []byte(s.Value)) {
			// Not a message Cognito is known to use; it names no secret.
			return nil, invalidParameter("The client secret is already active for client %s.", c.ClientId)
		}
	}
	suffix, err := randomString(env.Rand, lowerAlnum, 12)
	if err != nil {
		return nil, err
	}
	s.ID = c.ClientId + "--" + suffix
	if err := saveSecrets(tx, c, append(secrets, s)); err != nil {
		return nil, err
	}
	return map[string]any{"ClientSecretDescriptor": secretDescriptor(s, generated)}, nil
}

func opListUserPoolClientSecrets(_ context.Context, _ handler.Env, tx handler.Tx, body []byte) (any, error) {
	var in struct {
		UserPoolId *string `json:"UserPoolId"`
		ClientId   *string `json:"ClientId"`
		NextToken  *string `json:"NextToken"`
	}
	if err := decodeBody(body, &in); err != nil {
		return nil, err
	}
	c, err := secretClient(tx, in.UserPoolId, in.ClientId, func(v *violations) {
		v.checkString("nextToken", in.NextToken, 1, 131072, &patNextToken)
	})
	if err != nil {
		return nil, err
	}
	secrets, err := loadSecrets(tx, c)
	if err != nil {
		return nil, err
	}
	out := make([]map[string]any, 0, len(secrets))
	for _, s := range secrets {
		out = append(out, secretDescriptor(s, false))
	}
	return map[string]any{"ClientSecrets": out}, nil
}

func opDeleteUserPoolClientSecret(_ context.Context, _ handler.Env, tx handler.Tx, body []byte) (any, error) {
	var in struct {
		UserPoolId     *string `json:"UserPoolId"`
		ClientId       *string `json:"ClientId"`
		ClientSecretId *string `json:"ClientSecretId"`
	}
	if err := decodeBody(body, &in); err != nil {
		return nil, err
	}
	c, err := secretClient(tx, in.UserPoolId, in.ClientId, func(v *violations) {
		v.checkRequiredString("clientSecretId", in.ClientSecretId, 1, 128, nil)
	})
	if err != nil {
		return nil, err
	}
	secrets, err := loadSecrets(tx, c)
	if err != nil {
		return nil, err
	}
	keep := make([]clientSecret, 0, len(secrets))
	for _, s := range secrets {
		if s.ID != *in.ClientSecretId {
			keep = append(keep, s)
		}
	}
	if len(keep) == len(secrets) {
		// Not a message Cognito is known to use for an unknown secret id.
		return nil, resourceNotFound("Client secret %s does not exist.", *in.ClientSecretId)
	}
	if len(keep) == 0 {
		// Not a message Cognito is known to use; AWS documents the rule.
		return nil, invalidParameter("You cannot delete the last client secret of client %s.", c.ClientId)
	}
	if err := saveSecrets(tx, c, keep); err != nil {
		return nil, err
	}
	return struct{}{}, nil
}

// forgetClientSettings removes what this file and api_settings.go store
// for one client, when the client is deleted.
func forgetClientSettings(tx handler.Tx, poolID, clientID string) error {
	for _, kind := range []string{"secrets", "ui", "risk"} {
		if err := deleteIfPresent(tx, typePoolSettings, settingKey(poolID, kind, clientID)); err != nil {
			return err
		}
	}
	// The client's managed login branding style and terms documents.
	b, err := brandingOfClient(tx, poolID, clientID)
	if err != nil {
		return err
	}
	if b != nil {
		if err := deleteIfPresent(tx, typePoolSettings, brandingKey(poolID, b.ManagedLoginBrandingId)); err != nil {
			return err
		}
	}
	_, all, err := listTerms(tx, poolID)
	if err != nil {
		return err
	}
	for _, t := range all {
		if t.ClientId == clientID {
			if err := deleteIfPresent(tx, typePoolSettings, termsKey(poolID, t.TermsId)); err != nil {
				return err
			}
		}
	}
	return nil
}
