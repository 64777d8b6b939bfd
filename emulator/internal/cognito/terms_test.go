package cognito_test

import (
	"context"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"
	"github.com/google/go-cmp/cmp"
)

func TestTerms_Lifecycle(t *testing.T) {
	ctx := context.Background()
	sdk, _ := newSDK(t)
	poolID, _, clientID := settingsPool(t, sdk, nil)
	links := map[string]string{"cognito:default": "https://example.com/terms", "cognito:spanish": "https://example.com/es/terms"}
	created, err := sdk.CreateTerms(ctx, &cip.CreateTermsInput{UserPoolId: aws.String(poolID), ClientId: aws.String(clientID),
		TermsName: aws.String("terms-of-use"), TermsSource: types.TermsSourceTypeLink, Enforcement: types.TermsEnforcementTypeNone, Links: links})
	if err != nil {
		t.Fatalf("CreateTerms: %v", err)
	}
	id := created.Terms.TermsId
	if aws.ToString(created.Terms.ClientId) != clientID || !aws.ToTime(created.Terms.CreationDate).Equal(clock) {
		t.Errorf("created terms = %+v", created.Terms)
	}
	d, err := sdk.DescribeTerms(ctx, &cip.DescribeTermsInput{UserPoolId: aws.String(poolID), TermsId: id})
	if err != nil {
		t.Fatalf("DescribeTerms: %v", err)
	}
	if diff := cmp.Diff(links, d.Terms.Links); diff != "" || aws.ToString(d.Terms.TermsName) != "terms-of-use" {
		t.Errorf("described terms (-want +got):\n%s", diff)
	}
	newLinks := map[string]string{"cognito:default": "https://example.com/v2/terms"}
	u, err := sdk.UpdateTerms(ctx, &cip.UpdateTermsInput{UserPoolId: aws.String(poolID), TermsId: id, Links: newLinks})
	if err != nil {
		t.Fatalf("UpdateTerms: %v", err)
	}
	if diff := cmp.Diff(newLinks, u.Terms.Links); diff != "" || aws.ToString(u.Terms.TermsName) != "terms-of-use" {
		t.Errorf("updated terms keep the name and take the links (-want +got):\n%s", diff)
	}
	if _, err := sdk.CreateTerms(ctx, &cip.CreateTermsInput{UserPoolId: aws.String(poolID), ClientId: aws.String(clientID),
		TermsName: aws.String("privacy-policy"), TermsSource: types.TermsSourceTypeLink, Enforcement: types.TermsEnforcementTypeNone, Links: newLinks}); err != nil {
		t.Fatalf("CreateTerms privacy-policy: %v", err)
	}
	list, err := sdk.ListTerms(ctx, &cip.ListTermsInput{UserPoolId: aws.String(poolID)})
	if err != nil || len(list.Terms) != 2 {
		t.Fatalf("ListTerms: %v %+v", err, list)
	}
	if _, err := sdk.DeleteTerms(ctx, &cip.DeleteTermsInput{UserPoolId: aws.String(poolID), TermsId: id}); err != nil {
		t.Fatalf("DeleteTerms: %v", err)
	}
	_, err = sdk.DescribeTerms(ctx, &cip.DescribeTermsInput{UserPoolId: aws.String(poolID), TermsId: id})
	wantSDKError(t, err, "ResourceNotFoundException", "Terms "+aws.ToString(id)+" do not exist.")

	create := func(name string, links map[string]string, client string) error {
		_, err := sdk.CreateTerms(ctx, &cip.CreateTermsInput{UserPoolId: aws.String(poolID), ClientId: aws.String(client),
			TermsName: aws.String(name), TermsSource: types.TermsSourceTypeLink, Enforcement: types.TermsEnforcementTypeNone, Links: links})
		return err
	}
	cases := []struct {
		name      string
		err       error
		code, msg string
	}{
		{"second privacy policy", create("privacy-policy", newLinks, clientID), "TermsExistsException", "already has privacy-policy terms"},
		{"unknown document type", create("cookies", newLinks, clientID), "InvalidParameterException", "1 validation error detected: Value 'cookies' at 'termsName' failed to satisfy constraint: Member must satisfy regular expression pattern: ^(terms-of-use|privacy-policy)$"},
		{"no default link", create("terms-of-use", map[string]string{"cognito:french": "https://example.com/fr"}, clientID), "InvalidParameterException", "Links must include cognito:default."},
		{"unknown language", create("terms-of-use", map[string]string{"cognito:default": "https://e.com", "cognito:klingon": "https://e.com/k"}, clientID), "InvalidParameterException", "Value 'cognito:klingon' at 'links.cognito:klingon.member.key' failed to satisfy constraint: Member must satisfy regular expression pattern: ^cognito:("},
		{"missing client", create("terms-of-use", newLinks, "nosuchclient"), "ResourceNotFoundException", "User pool client nosuchclient does not exist."},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) { wantSDKError(t, c.err, c.code, c.msg) })
	}
}
