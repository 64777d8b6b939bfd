package cognito_test

import (
	"context"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/document"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"
)

func TestManagedLoginBranding_Lifecycle(t *testing.T) {
	ctx := context.Background()
	sdk, srv := newSDK(t)
	poolID, _, clientID := settingsPool(t, sdk, nil)
	settings := map[string]any{"components": map[string]any{"primaryButton": map[string]any{"lightMode": map[string]any{"defaults": map[string]any{"backgroundColor": "0972d3ff"}}}}}
	logo := types.AssetType{Category: types.AssetCategoryTypePageHeaderLogo, ColorMode: types.ColorSchemeModeTypeLight, Extension: types.AssetExtensionTypePng, Bytes: pngLogo}
	created, err := sdk.CreateManagedLoginBranding(ctx, &cip.CreateManagedLoginBrandingInput{UserPoolId: aws.String(poolID), ClientId: aws.String(clientID),
		Settings: document.NewLazyDocument(settings), Assets: []types.AssetType{logo}})
	if err != nil {
		t.Fatalf("CreateManagedLoginBranding: %v", err)
	}
	b := created.ManagedLoginBranding
	if b.UseCognitoProvidedValues || len(b.Assets) != 1 || string(b.Assets[0].Bytes) != string(pngLogo) || !aws.ToTime(b.CreationDate).Equal(clock) {
		t.Errorf("created style = %+v", b)
	}
	byClient, err := sdk.DescribeManagedLoginBrandingByClient(ctx, &cip.DescribeManagedLoginBrandingByClientInput{UserPoolId: aws.String(poolID), ClientId: aws.String(clientID)})
	if err != nil {
		t.Fatalf("DescribeManagedLoginBrandingByClient: %v", err)
	}
	if aws.ToString(byClient.ManagedLoginBranding.ManagedLoginBrandingId) != aws.ToString(b.ManagedLoginBrandingId) {
		t.Errorf("by client: %+v", byClient.ManagedLoginBranding)
	}
	var got map[string]any
	if err := byClient.ManagedLoginBranding.Settings.UnmarshalSmithyDocument(&got); err != nil || got["components"] == nil {
		t.Errorf("settings round trip: %v %v", err, got)
	}
	_, err = sdk.CreateManagedLoginBranding(ctx, &cip.CreateManagedLoginBrandingInput{UserPoolId: aws.String(poolID), ClientId: aws.String(clientID), UseCognitoProvidedValues: true})
	wantSDKError(t, err, "ManagedLoginBrandingExistsException", "already has managed login branding")

	up, err := sdk.UpdateManagedLoginBranding(ctx, &cip.UpdateManagedLoginBrandingInput{UserPoolId: aws.String(poolID), ManagedLoginBrandingId: b.ManagedLoginBrandingId, UseCognitoProvidedValues: true})
	if err != nil {
		t.Fatalf("UpdateManagedLoginBranding: %v", err)
	}
	if !up.ManagedLoginBranding.UseCognitoProvidedValues || len(up.ManagedLoginBranding.Assets) != 0 {
		t.Errorf("reverted style = %+v", up.ManagedLoginBranding)
	}
	_, err = sdk.UpdateManagedLoginBranding(ctx, &cip.UpdateManagedLoginBrandingInput{UserPoolId: aws.String(poolID), ManagedLoginBrandingId: b.ManagedLoginBrandingId,
		UseCognitoProvidedValues: true, Assets: []types.AssetType{logo}})
	wantSDKError(t, err, "InvalidParameterException", "When UseCognitoProvidedValues is true, Settings and Assets must be omitted.")
	wantSDKError(t, rawCall(srv, "CreateManagedLoginBranding", `{"UserPoolId":"`+poolID+`","ClientId":"`+clientID+`","Assets":[{"Category":"NOPE","ColorMode":"LIGHT","Extension":"PNG"}]}`),
		"InvalidParameterException", "Value 'NOPE' at 'assets.1.member.category' failed to satisfy constraint: Member must satisfy enum value set")

	if _, err := sdk.DeleteManagedLoginBranding(ctx, &cip.DeleteManagedLoginBrandingInput{UserPoolId: aws.String(poolID), ManagedLoginBrandingId: b.ManagedLoginBrandingId}); err != nil {
		t.Fatalf("DeleteManagedLoginBranding: %v", err)
	}
	_, err = sdk.DescribeManagedLoginBranding(ctx, &cip.DescribeManagedLoginBrandingInput{UserPoolId: aws.String(poolID), ManagedLoginBrandingId: b.ManagedLoginBrandingId})
	wantSDKError(t, err, "ResourceNotFoundException", "Managed login branding "+aws.ToString(b.ManagedLoginBrandingId)+" does not exist.")
	_, err = sdk.DescribeManagedLoginBrandingByClient(ctx, &cip.DescribeManagedLoginBrandingByClientInput{UserPoolId: aws.String(poolID), ClientId: aws.String(clientID)})
	wantSDKError(t, err, "ResourceNotFoundException", "Managed login branding for client "+clientID+" does not exist.")

	// A style goes with its client.
	if _, err := sdk.CreateManagedLoginBranding(ctx, &cip.CreateManagedLoginBrandingInput{UserPoolId: aws.String(poolID), ClientId: aws.String(clientID), UseCognitoProvidedValues: true}); err != nil {
		t.Fatalf("CreateManagedLoginBranding again: %v", err)
	}
	if _, err := sdk.DeleteUserPoolClient(ctx, &cip.DeleteUserPoolClientInput{UserPoolId: aws.String(poolID), ClientId: aws.String(clientID)}); err != nil {
		t.Fatalf("DeleteUserPoolClient: %v", err)
	}
	if n, _ := srv.Tx.Count("ccql::Cognito::PoolSettings", poolID+"|branding|"); n != 0 {
		t.Errorf("%d styles left after DeleteUserPoolClient", n)
	}
}
