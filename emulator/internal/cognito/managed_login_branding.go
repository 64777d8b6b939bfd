package cognito

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/ccql/ccql/internal/handler"
)

// Managed login branding styles, one per app client, stored under
// typePoolSettings "<UserPoolId>|branding|<ManagedLoginBrandingId>" (they
// go with their pool and with their client). Settings is kept as the JSON
// document given; ReturnMergedResources returns the same document, since
// the emulator does not carry Cognito's default style. The hosted UI
// renders part of a client's style (hostedui_managed.go);
// AWS::Cognito::ManagedLoginBranding serves them to Cloud Control
// (settings_handlers.go).

const typeBrandingExists = "ManagedLoginBrandingExistsException"

var (
	assetCategoryValues = []string{"FAVICON_ICO", "FAVICON_SVG", "EMAIL_GRAPHIC", "SMS_GRAPHIC", "AUTH_APP_GRAPHIC",
		"PASSWORD_GRAPHIC", "PASSKEY_GRAPHIC", "PAGE_HEADER_LOGO", "PAGE_HEADER_BACKGROUND", "PAGE_FOOTER_LOGO",
		"PAGE_FOOTER_BACKGROUND", "PAGE_BACKGROUND", "FORM_BACKGROUND", "FORM_LOGO", "IDP_BUTTON_ICON"}
	colorModeValues      = []string{"LIGHT", "DARK", "DYNAMIC"}
	assetExtensionValues = []string{"ICO", "JPEG", "PNG", "SVG", "WEBP"}
	patBrandingID        = mustPattern(`^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$`)
)

const (
	maxBrandingAssets = 40
	maxAssetBytes     = 2000000
)

type brandingAsset struct {
	Category   *string `json:"Category,omitempty"`
	ColorMode  *string `json:"ColorMode,omitempty"`
	Extension  *string `json:"Extension,omitempty"`
	Bytes      []byte  `json:"Bytes,omitempty"`
	ResourceId *string `json:"ResourceId,omitempty"`
}

type branding struct {
	ManagedLoginBrandingId   string          `json:"ManagedLoginBrandingId"`
	UserPoolId               string          `json:"UserPoolId"`
	UseCognitoProvidedValues bool            `json:"UseCognitoProvidedValues"`
	Settings                 json.RawMessage `json:"Settings,omitempty"`
	Assets                   []brandingAsset `json:"Assets"`
	CreationDate             epochSeconds    `json:"CreationDate"`
	LastModifiedDate         epochSeconds    `json:"LastModifiedDate"`
}

// storedBranding keeps the client id, which the API's shape does not show.
type storedBranding struct {
	branding
	Client string `json:"ClientId"`
}

type brandingInput struct {
	UserPoolId               *string         `json:"UserPoolId"`
	ClientId                 *string         `json:"ClientId"`
	ManagedLoginBrandingId   *string         `json:"ManagedLoginBrandingId"`
	UseCognitoProvidedValues bool            `json:"UseCognitoProvidedValues"`
	Settings                 json.RawMessage `json:"Settings"`
	Assets                   []brandingAsset `json:"Assets"`
	ReturnMergedResources    bool            `json:"ReturnMergedResources"`
}

// check validates the members: byClient for the operations named by
// client, byID for those named by style id.
func (in *brandingInput) check(byClient, byID, content bool) *APIError {
	var v violations
	v.checkRequiredString("userPoolId", in.UserPoolId, 1, 55, &patUserPoolID)
	if byClient {
		v.checkSensitive("clientId", in.ClientId, 1, 128, &patClientID, true)
	}
	if byID {
		v.checkRequiredString("managedLoginBrandingId", in.ManagedLoginBrandingId, 1, 36, &patBrandingID)
	}
	if content {
		if len(in.Assets) > maxBrandingAssets {
			v.add("'[...]'", "assets", fmt.Sprintf("Member must have length less than or equal to %d", maxBrandingAssets))
		}
		for i, a := range in.Assets {
			p := fmt.Sprintf("assets.%d.member.", i+1)
			for _, m := range []struct {
				name   string
				val    *string
				values []string
			}{{"category", a.Category, assetCategoryValues}, {"colorMode", a.ColorMode, colorModeValues}, {"extension", a.Extension, assetExtensionValues}} {
				if m.val == nil {
					v.add("null", p+m.name, "Member must not be null")
				}
				v.checkEnum(p+m.name, m.val, m.values)
			}
			if len(a.Bytes) > maxAssetBytes {
				v.add("'java.nio.HeapByteBuffer[...]'", p+"bytes", fmt.Sprintf("Member must have length less than or equal to %d", maxAssetBytes))
			}
			v.checkString(p+"resourceId", a.ResourceId, 1, 40, nil)
		}
	}
	if err := v.err(); err != nil {
		return err
	}
	if content && in.UseCognitoProvidedValues && (len(in.Settings) > 0 && string(in.Settings) != "null" || len(in.Assets) > 0) {
		// Not a message Cognito is known to use; the rule is AWS's.
		return invalidParameter("When UseCognitoProvidedValues is true, Settings and Assets must be omitted.")
	}
	return nil
}

func brandingKey(poolID, id string) string { return settingKey(poolID, "branding", id) }

// brandingOfClient returns the style of a client, or nil.
func brandingOfClient(tx handler.Tx, poolID, clientID string) (*storedBranding, error) {
	recs, err := tx.List(typePoolSettings, brandingKey(poolID, "")+"|")
	if err != nil {
		return nil, fmt.Errorf("list branding of %s: %w", poolID, err)
	}
	for _, r := range recs {
		var b storedBranding
		if err := decodeRaw(r.Model, &b); err != nil {
			return nil, err
		}
		if b.Client == clientID {
			return &b, nil
		}
	}
	return nil, nil
}

func brandingNotFound(what string) *APIError {
	// Not a message Cognito is known to use for a missing style.
	return resourceNotFound("Managed login branding %s does not exist.", what)
}

func brandingOut(b *storedBranding) map[string]any {
	if b.Assets == nil {
		b.Assets = []brandingAsset{}
	}
	return map[string]any{"ManagedLoginBranding": b.branding}
}

func checkBrandingTier(pool map[string]any) *APIError {
	if pool["UserPoolTier"] == "LITE" {
		return apiErrorf(typeFeatureUnavailable, "The following feature is not available for the LITE pricing tier configured: Managed Login Branding")
	}
	return nil
}

func opCreateManagedLoginBranding(_ context.Context, env handler.Env, tx handler.Tx, body []byte) (any, error) {
	var in brandingInput
	if err := decodeBody(body, &in); err != nil {
		return nil, err
	}
	b, err := createBranding(env, tx, &in, requestID(env.Rand))
	if err != nil {
		return nil, err
	}
	return brandingOut(b), nil
}

// createBranding checks and stores a new style with the given id (the IdP
// operation draws it; Cloud Control's Prepare has drawn it already).
func createBranding(env handler.Env, tx handler.Tx, in *brandingInput, id string) (*storedBranding, error) {
	if err := in.check(true, false, true); err != nil {
		return nil, err
	}
	pool, err := loadPool(tx, *in.UserPoolId)
	if err != nil {
		return nil, err
	}
	if _, err := loadClient(tx, *in.UserPoolId, *in.ClientId); err != nil {
		return nil, err
	}
	if apiErr := checkBrandingTier(pool); apiErr != nil {
		return nil, apiErr
	}
	if existing, err := brandingOfClient(tx, *in.UserPoolId, *in.ClientId); err != nil {
		return nil, err
	} else if existing != nil {
		// Not a message Cognito is known to use; the exception is AWS's.
		return nil, apiErrorf(typeBrandingExists, "Client %s already has managed login branding %s.", *in.ClientId, existing.ManagedLoginBrandingId)
	}
	b := &storedBranding{Client: *in.ClientId, branding: branding{
		ManagedLoginBrandingId: id, UserPoolId: *in.UserPoolId,
		UseCognitoProvidedValues: in.UseCognitoProvidedValues || (len(in.Settings) == 0 && len(in.Assets) == 0),
		Settings:                 in.Settings, Assets: in.Assets,
		CreationDate: epochSeconds(env.Now), LastModifiedDate: epochSeconds(env.Now),
	}}
	if err := putJSON(tx, typePoolSettings, brandingKey(b.UserPoolId, b.ManagedLoginBrandingId), b); err != nil {
		return nil, err
	}
	return b, nil
}

func loadBranding(tx handler.Tx, in *brandingInput) (*storedBranding, error) {
	if _, err := loadPool(tx, *in.UserPoolId); err != nil {
		return nil, err
	}
	var b storedBranding
	found, err := getJSON(tx, typePoolSettings, brandingKey(*in.UserPoolId, *in.ManagedLoginBrandingId), &b)
	if err != nil {
		return nil, err
	}
	if !found {
		return nil, brandingNotFound(*in.ManagedLoginBrandingId)
	}
	return &b, nil
}

func opDescribeManagedLoginBranding(_ context.Context, _ handler.Env, tx handler.Tx, body []byte) (any, error) {
	var in brandingInput
	if err := decodeBody(body, &in); err != nil {
		return nil, err
	}
	if err := in.check(false, true, false); err != nil {
		return nil, err
	}
	b, err := loadBranding(tx, &in)
	if err != nil {
		return nil, err
	}
	return brandingOut(b), nil
}

func opDescribeManagedLoginBrandingByClient(_ context.Context, _ handler.Env, tx handler.Tx, body []byte) (any, error) {
	var in brandingInput
	if err := decodeBody(body, &in); err != nil {
		return nil, err
	}
	if err := in.check(true, false, false); err != nil {
		return nil, err
	}
	if _, err := loadPool(tx, *in.UserPoolId); err != nil {
		return nil, err
	}
	b, err := brandingOfClient(tx, *in.UserPoolId, *in.ClientId)
	if err != nil {
		return nil, err
	}
	if b == nil {
		return nil, brandingNotFound("for client " + *in.ClientId)
	}
	return brandingOut(b), nil
}

func opUpdateManagedLoginBranding(_ context.Context, env handler.Env, tx handler.Tx, body []byte) (any, error) {
	var in brandingInput
	if err := decodeBody(body, &in); err != nil {
		return nil, err
	}
	if err := in.check(false, true, true); err != nil {
		return nil, err
	}
	b, err := loadBranding(tx, &in)
	if err != nil {
		return nil, err
	}
	if in.UseCognitoProvidedValues {
		b.UseCognitoProvidedValues, b.Settings, b.Assets = true, nil, nil
	} else {
		if len(in.Settings) > 0 {
			b.Settings = in.Settings
			b.UseCognitoProvidedValues = false
		}
		if in.Assets != nil {
			b.Assets = in.Assets
			b.UseCognitoProvidedValues = false
		}
	}
	b.LastModifiedDate = epochSeconds(env.Now)
	if err := putJSON(tx, typePoolSettings, brandingKey(b.UserPoolId, b.ManagedLoginBrandingId), b); err != nil {
		return nil, err
	}
	return brandingOut(b), nil
}

func opDeleteManagedLoginBranding(_ context.Context, _ handler.Env, tx handler.Tx, body []byte) (any, error) {
	var in brandingInput
	if err := decodeBody(body, &in); err != nil {
		return nil, err
	}
	if err := in.check(false, true, false); err != nil {
		return nil, err
	}
	b, err := loadBranding(tx, &in)
	if err != nil {
		return nil, err
	}
	if err := tx.Delete(typePoolSettings, brandingKey(b.UserPoolId, b.ManagedLoginBrandingId)); err != nil {
		return nil, fmt.Errorf("delete managed login branding %s: %w", b.ManagedLoginBrandingId, err)
	}
	return struct{}{}, nil
}
