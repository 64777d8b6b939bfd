package cognito

import (
	"context"

	"github.com/ccql/ccql/internal/handler"
)

// userPoolClientType is an app client as the IdP API returns it: the stored
// model without the CloudFormation-only Name and GenerateSecret, with the
// creation and modification dates.
type userPoolClientType struct {
	*clientModel
	CreationDate     epochSeconds `json:"CreationDate"`
	LastModifiedDate epochSeconds `json:"LastModifiedDate"`
}

func clientToAPI(tx handler.Tx, m *clientModel) (map[string]any, error) {
	c := *m
	c.Name, c.GenerateSecret = "", nil
	ts, err := stamps(tx, typeUserPoolClient, clientKey(m.UserPoolId, m.ClientId))
	if err != nil {
		return nil, err
	}
	return map[string]any{"UserPoolClient": userPoolClientType{
		clientModel:      &c,
		CreationDate:     ts.CreationDate,
		LastModifiedDate: ts.LastModifiedDate,
	}}, nil
}

func opCreateUserPoolClient(_ context.Context, env handler.Env, tx handler.Tx, body []byte) (any, error) {
	var s clientSpec
	if err := decodeBody(body, &s); err != nil {
		return nil, err
	}
	s.ClientId = nil // not a CreateUserPoolClient member
	m, err := createClient(env, tx, &s, "")
	if err != nil {
		return nil, err
	}
	return clientToAPI(tx, m)
}

func opUpdateUserPoolClient(_ context.Context, env handler.Env, tx handler.Tx, body []byte) (any, error) {
	var s clientSpec
	if err := decodeBody(body, &s); err != nil {
		return nil, err
	}
	// Neither is an UpdateUserPoolClient member: a secret is set at creation.
	s.GenerateSecret, s.ClientSecret = nil, nil
	m, err := updateClient(env, tx, &s)
	if err != nil {
		return nil, err
	}
	return clientToAPI(tx, m)
}

type clientIDInput struct {
	UserPoolId *string `json:"UserPoolId"`
	ClientId   *string `json:"ClientId"`
}

func (in *clientIDInput) validate() *APIError {
	var v violations
	v.checkRequiredString("userPoolId", in.UserPoolId, 1, 55, &patUserPoolID)
	v.checkRequiredString("clientId", in.ClientId, 1, 128, &patClientID)
	return v.err()
}

func opDescribeUserPoolClient(_ context.Context, _ handler.Env, tx handler.Tx, body []byte) (any, error) {
	var in clientIDInput
	if err := decodeBody(body, &in); err != nil {
		return nil, err
	}
	if err := in.validate(); err != nil {
		return nil, err
	}
	if _, err := loadPool(tx, *in.UserPoolId); err != nil {
		return nil, err
	}
	m, err := loadClient(tx, *in.UserPoolId, *in.ClientId)
	if err != nil {
		return nil, err
	}
	return clientToAPI(tx, m)
}

func opDeleteUserPoolClient(_ context.Context, _ handler.Env, tx handler.Tx, body []byte) (any, error) {
	var in clientIDInput
	if err := decodeBody(body, &in); err != nil {
		return nil, err
	}
	if err := in.validate(); err != nil {
		return nil, err
	}
	if err := deleteClient(tx, *in.UserPoolId, *in.ClientId); err != nil {
		return nil, err
	}
	return struct{}{}, nil
}

func opListUserPoolClients(_ context.Context, _ handler.Env, tx handler.Tx, body []byte) (any, error) {
	var in struct {
		UserPoolId *string `json:"UserPoolId"`
		MaxResults *int    `json:"MaxResults"`
		NextToken  *string `json:"NextToken"`
	}
	if err := decodeBody(body, &in); err != nil {
		return nil, err
	}
	var v violations
	v.checkRequiredString("userPoolId", in.UserPoolId, 1, 55, &patUserPoolID)
	size := checkPaging(&v, in.MaxResults, false, in.NextToken)
	if err := v.err(); err != nil {
		return nil, err
	}
	if _, err := loadPool(tx, *in.UserPoolId); err != nil {
		return nil, err
	}
	p, err := keyPage(tx, typeUserPoolClient, *in.UserPoolId+"|", size, in.NextToken, "ListUserPoolClients|"+*in.UserPoolId, nil)
	if err != nil {
		return nil, err
	}
	type description struct {
		ClientId   string `json:"ClientId"`
		UserPoolId string `json:"UserPoolId"`
		ClientName string `json:"ClientName"`
	}
	clients := make([]description, 0, len(p.recs))
	for _, r := range p.recs {
		var m clientModel
		if err := decodeRaw(r.Model, &m); err != nil {
			return nil, err
		}
		clients = append(clients, description{ClientId: m.ClientId, UserPoolId: m.UserPoolId, ClientName: m.ClientName})
	}
	out := map[string]any{"UserPoolClients": clients}
	if p.next != "" {
		out["NextToken"] = p.next
	}
	return out, nil
}
