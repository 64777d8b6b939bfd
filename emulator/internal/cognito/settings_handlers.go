package cognito

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/ccql/ccql/internal/handler"
)

// The Cloud Control types of the pool settings that the IdP API keeps
// under typePoolSettings (api_settings.go, managed_login_branding.go,
// terms.go). Each handler reads and writes the very records of its IdP
// operations and goes through the operations' own checks, so a row
// INSERTed through ccql is what DescribeRiskConfiguration,
// GetUICustomization, DescribeManagedLoginBranding,
// GetLogDeliveryConfiguration or DescribeTerms return, and the reverse.
//
// A resource exists when its record does: a risk configuration or UI
// customization attachment is the record of exactly its client (or of the
// pool, ClientId "ALL"), never the pool's that a client falls back to.
// Deleting one deletes the record, so that the IdP reads fall back as they
// do for a record never set.
const (
	typeRiskAttachment = "AWS::Cognito::UserPoolRiskConfigurationAttachment"
	typeUIAttachment   = "AWS::Cognito::UserPoolUICustomizationAttachment"
	typeBrandingStyle  = "AWS::Cognito::ManagedLoginBranding"
	typeLogDelivery    = "AWS::Cognito::LogDeliveryConfiguration"
	typeTermsDocument  = "AWS::Cognito::Terms"
)

var (
	_ handler.Handler = riskHandler{}
	_ handler.Handler = uiHandler{}
	_ handler.Handler = brandingHandler{}
	_ handler.Handler = logDeliveryHandler{}
	_ handler.Handler = termsHandler{}
	_ handler.Pager   = termsHandler{}
)

// settingsHandlerError is toHandlerError with the two "exists" exceptions
// of terms and branding, which only these handlers meet, as AlreadyExists.
func settingsHandlerError(env handler.Env, err error) error {
	var apiErr *APIError
	if !errors.As(err, &apiErr) || (apiErr.Type != typeTermsExists && apiErr.Type != typeBrandingExists) {
		return toHandlerError(env, err)
	}
	var he *handler.Error
	if errors.As(toHandlerError(env, err), &he) {
		he.Code = handler.AlreadyExists
		return he
	}
	return err
}

// callOperation runs an IdP operation with in as its request body.
func callOperation(ctx context.Context, env handler.Env, tx handler.Tx, op Operation, in any) error {
	body, err := json.Marshal(in)
	if err != nil {
		return fmt.Errorf("encode request: %w", err)
	}
	_, err = op(ctx, env, tx, body)
	return err
}

// settingExists reports whether the setting record key is stored.
func settingExists(tx handler.Tx, key string) (bool, error) {
	_, err := tx.Get(typePoolSettings, key)
	if errors.Is(err, handler.ErrNotFound) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("get setting %s: %w", key, err)
	}
	return true, nil
}

func alreadyExists(typeName, identifier string) *handler.Error {
	return handler.Errorf(handler.AlreadyExists, "Resource of type '%s' with identifier '%s' already exists.", typeName, identifier)
}

func unlistable(typeName string) *handler.Error {
	return handler.Errorf(handler.InvalidRequest, "Resource type %s does not support LIST action", typeName)
}

// pick copies the named properties of model that are present.
func pick(model map[string]any, names ...string) map[string]any {
	out := make(map[string]any, len(names))
	for _, n := range names {
		if v, ok := model[n]; ok && v != nil {
			out[n] = v
		}
	}
	return out
}

// ---- AWS::Cognito::UserPoolRiskConfigurationAttachment ----

// riskHandler serves the risk configuration of a client, or of the pool
// with ClientId "ALL" (SetRiskConfiguration / DescribeRiskConfiguration);
// its identifier is "<UserPoolId>|<ClientId>".
type riskHandler struct{}

func (riskHandler) TypeName() string { return typeRiskAttachment }

func (riskHandler) Prepare(_ handler.Env, desired map[string]any) (map[string]any, error) {
	return desired, nil
}

var riskProps = []string{"UserPoolId", "ClientId", "AccountTakeoverRiskConfiguration",
	"CompromisedCredentialsRiskConfiguration", "RiskExceptionConfiguration"}

func (h riskHandler) Create(ctx context.Context, env handler.Env, tx handler.Tx, model map[string]any) (map[string]any, error) {
	poolID, _ := model["UserPoolId"].(string)
	clientID, _ := model["ClientId"].(string)
	if found, err := settingExists(tx, settingKey(poolID, "risk", clientID)); err != nil || found {
		if err == nil {
			err = alreadyExists(typeRiskAttachment, poolID+"|"+clientID)
		}
		return nil, err
	}
	return h.set(ctx, env, tx, poolID, clientID, model)
}

// set runs SetRiskConfiguration with the model's configurations (a full
// replace, as the operation is) and returns the stored model.
func (h riskHandler) set(ctx context.Context, env handler.Env, tx handler.Tx, poolID, clientID string, model map[string]any) (map[string]any, error) {
	in := pick(model, riskProps...)
	in["UserPoolId"], in["ClientId"] = poolID, clientID
	if err := callOperation(ctx, env, tx, opSetRiskConfiguration, in); err != nil {
		return nil, toHandlerError(env, err)
	}
	return h.Read(ctx, env, tx, poolID+"|"+clientID)
}

func (riskHandler) Read(_ context.Context, _ handler.Env, tx handler.Tx, identifier string) (map[string]any, error) {
	poolID, clientID, ok := splitClientIdentifier(identifier)
	if !ok {
		return nil, notFoundError(typeRiskAttachment, identifier)
	}
	var rc riskConfiguration
	found, err := getJSON(tx, typePoolSettings, settingKey(poolID, "risk", clientID), &rc)
	if err != nil {
		return nil, err
	}
	if !found {
		return nil, notFoundError(typeRiskAttachment, identifier)
	}
	rc.LastModifiedDate = nil
	m, err := encodeModel(rc)
	if err != nil {
		return nil, err
	}
	m["UserPoolId"], m["ClientId"] = poolID, clientID
	return m, nil
}

func (h riskHandler) Update(ctx context.Context, env handler.Env, tx handler.Tx, identifier string, desired map[string]any) (map[string]any, error) {
	if _, err := h.Read(ctx, env, tx, identifier); err != nil {
		return nil, err
	}
	poolID, clientID, _ := splitClientIdentifier(identifier)
	return h.set(ctx, env, tx, poolID, clientID, desired)
}

func (h riskHandler) Delete(ctx context.Context, env handler.Env, tx handler.Tx, identifier string) error {
	if _, err := h.Read(ctx, env, tx, identifier); err != nil {
		return err
	}
	poolID, clientID, _ := splitClientIdentifier(identifier)
	return deleteIfPresent(tx, typePoolSettings, settingKey(poolID, "risk", clientID))
}

func (riskHandler) List(context.Context, handler.Env, handler.Tx, map[string]any) ([]map[string]any, error) {
	return nil, unlistable(typeRiskAttachment)
}

// ---- AWS::Cognito::UserPoolUICustomizationAttachment ----

// uiHandler serves the classic hosted UI's CSS of a client, or of the
// pool with ClientId "ALL" (SetUICustomization / GetUICustomization); its
// identifier is "<UserPoolId>|<ClientId>". CloudFormation has no logo
// property: a logo set through the IdP API is kept by updates.
type uiHandler struct{}

func (uiHandler) TypeName() string { return typeUIAttachment }

func (uiHandler) Prepare(_ handler.Env, desired map[string]any) (map[string]any, error) {
	return desired, nil
}

func (h uiHandler) Create(ctx context.Context, env handler.Env, tx handler.Tx, model map[string]any) (map[string]any, error) {
	poolID, _ := model["UserPoolId"].(string)
	clientID, _ := model["ClientId"].(string)
	if found, err := settingExists(tx, settingKey(poolID, "ui", clientID)); err != nil || found {
		if err == nil {
			err = alreadyExists(typeUIAttachment, poolID+"|"+clientID)
		}
		return nil, err
	}
	return h.set(ctx, env, tx, poolID, clientID, model, nil)
}

func (h uiHandler) set(ctx context.Context, env handler.Env, tx handler.Tx, poolID, clientID string, model map[string]any, logo []byte) (map[string]any, error) {
	in := pick(model, "CSS")
	in["UserPoolId"], in["ClientId"] = poolID, clientID
	if len(logo) > 0 {
		in["ImageFile"] = logo
	}
	if err := callOperation(ctx, env, tx, opSetUICustomization, in); err != nil {
		return nil, toHandlerError(env, err)
	}
	return h.Read(ctx, env, tx, poolID+"|"+clientID)
}

func (uiHandler) load(tx handler.Tx, identifier string) (*uiCustomization, error) {
	poolID, clientID, ok := splitClientIdentifier(identifier)
	if !ok {
		return nil, notFoundError(typeUIAttachment, identifier)
	}
	var u uiCustomization
	found, err := getJSON(tx, typePoolSettings, settingKey(poolID, "ui", clientID), &u)
	if err != nil {
		return nil, err
	}
	if !found {
		return nil, notFoundError(typeUIAttachment, identifier)
	}
	u.UserPoolId, u.ClientId = poolID, clientID
	return &u, nil
}

func (h uiHandler) Read(_ context.Context, _ handler.Env, tx handler.Tx, identifier string) (map[string]any, error) {
	u, err := h.load(tx, identifier)
	if err != nil {
		return nil, err
	}
	m := map[string]any{"UserPoolId": u.UserPoolId, "ClientId": u.ClientId}
	if u.CSS != "" {
		m["CSS"] = u.CSS
	}
	return m, nil
}

func (h uiHandler) Update(ctx context.Context, env handler.Env, tx handler.Tx, identifier string, desired map[string]any) (map[string]any, error) {
	u, err := h.load(tx, identifier)
	if err != nil {
		return nil, err
	}
	return h.set(ctx, env, tx, u.UserPoolId, u.ClientId, desired, u.Image)
}

func (h uiHandler) Delete(_ context.Context, _ handler.Env, tx handler.Tx, identifier string) error {
	u, err := h.load(tx, identifier)
	if err != nil {
		return err
	}
	return deleteIfPresent(tx, typePoolSettings, settingKey(u.UserPoolId, "ui", u.ClientId))
}

func (uiHandler) List(context.Context, handler.Env, handler.Tx, map[string]any) ([]map[string]any, error) {
	return nil, unlistable(typeUIAttachment)
}

// ---- AWS::Cognito::ManagedLoginBranding ----

// brandingHandler serves managed login branding styles
// (Create/Describe/Update/DeleteManagedLoginBranding); the identifier is
// "<UserPoolId>|<ManagedLoginBrandingId>", the id drawn in Prepare.
// ClientId and ReturnMergedResources are write-only: a read returns the
// style as DescribeManagedLoginBranding does, without its dates.
type brandingHandler struct{}

func (brandingHandler) TypeName() string { return typeBrandingStyle }

func (brandingHandler) Prepare(env handler.Env, desired map[string]any) (map[string]any, error) {
	if id, _ := desired["ManagedLoginBrandingId"].(string); id == "" {
		desired["ManagedLoginBrandingId"] = requestID(env.Rand)
	}
	return desired, nil
}

func (h brandingHandler) Create(ctx context.Context, env handler.Env, tx handler.Tx, model map[string]any) (map[string]any, error) {
	var in brandingInput
	if err := decodeModel(model, &in); err != nil {
		return nil, err
	}
	poolID, _ := model["UserPoolId"].(string)
	id, _ := model["ManagedLoginBrandingId"].(string)
	if found, err := settingExists(tx, brandingKey(poolID, id)); err != nil || found {
		if err == nil {
			err = alreadyExists(typeBrandingStyle, poolID+"|"+id)
		}
		return nil, err
	}
	b, err := createBranding(env, tx, &in, id)
	if err != nil {
		return nil, settingsHandlerError(env, err)
	}
	return brandingModel(b)
}

// brandingModel is the read model of a style: what Describe returns but
// the dates, absent values omitted.
func brandingModel(b *storedBranding) (map[string]any, error) {
	m, err := encodeModel(b.branding)
	if err != nil {
		return nil, err
	}
	delete(m, "CreationDate")
	delete(m, "LastModifiedDate")
	if len(b.Assets) == 0 {
		delete(m, "Assets")
	}
	return m, nil
}

func (brandingHandler) load(tx handler.Tx, identifier string) (*storedBranding, error) {
	poolID, id, ok := splitClientIdentifier(identifier)
	if !ok {
		return nil, notFoundError(typeBrandingStyle, identifier)
	}
	var b storedBranding
	found, err := getJSON(tx, typePoolSettings, brandingKey(poolID, id), &b)
	if err != nil {
		return nil, err
	}
	if !found {
		return nil, notFoundError(typeBrandingStyle, identifier)
	}
	return &b, nil
}

func (h brandingHandler) Read(_ context.Context, _ handler.Env, tx handler.Tx, identifier string) (map[string]any, error) {
	b, err := h.load(tx, identifier)
	if err != nil {
		return nil, err
	}
	return brandingModel(b)
}

// Update replaces the style's content with desired's, checked as
// UpdateManagedLoginBranding checks it: settings and assets as given (none
// of either means Cognito's provided values), or UseCognitoProvidedValues
// alone. UseCognitoProvidedValues left true from the current model beside
// new content gives way to the content.
func (h brandingHandler) Update(_ context.Context, env handler.Env, tx handler.Tx, identifier string, desired map[string]any) (map[string]any, error) {
	b, err := h.load(tx, identifier)
	if err != nil {
		return nil, err
	}
	var in brandingInput
	if err := decodeModel(desired, &in); err != nil {
		return nil, err
	}
	in.UserPoolId, in.ManagedLoginBrandingId = &b.UserPoolId, &b.ManagedLoginBrandingId
	hasContent := len(in.Settings) > 0 && string(in.Settings) != "null" || len(in.Assets) > 0
	if in.UseCognitoProvidedValues && b.UseCognitoProvidedValues && hasContent {
		// A read shows UseCognitoProvidedValues true for a style made
		// without content; a patch that only adds settings or assets
		// keeps it. The content is the intent: only a patch that turns it
		// on together with content is refused below.
		in.UseCognitoProvidedValues = false
	}
	if apiErr := in.check(false, true, true); apiErr != nil {
		return nil, toHandlerError(env, apiErr)
	}
	if len(in.Settings) == 0 || string(in.Settings) == "null" {
		in.Settings = nil
	}
	b.Settings, b.Assets = in.Settings, in.Assets
	b.UseCognitoProvidedValues = in.UseCognitoProvidedValues || (in.Settings == nil && len(in.Assets) == 0)
	b.LastModifiedDate = epochSeconds(env.Now)
	if err := putJSON(tx, typePoolSettings, brandingKey(b.UserPoolId, b.ManagedLoginBrandingId), b); err != nil {
		return nil, err
	}
	return brandingModel(b)
}

func (h brandingHandler) Delete(_ context.Context, _ handler.Env, tx handler.Tx, identifier string) error {
	b, err := h.load(tx, identifier)
	if err != nil {
		return err
	}
	return deleteIfPresent(tx, typePoolSettings, brandingKey(b.UserPoolId, b.ManagedLoginBrandingId))
}

func (brandingHandler) List(context.Context, handler.Env, handler.Tx, map[string]any) ([]map[string]any, error) {
	return nil, unlistable(typeBrandingStyle)
}

// ---- AWS::Cognito::LogDeliveryConfiguration ----

// logDeliveryHandler serves a pool's log delivery configuration
// (Set/GetLogDeliveryConfiguration). Its identifier Id is the user pool
// id, as CloudFormation's Ref returns it.
type logDeliveryHandler struct{}

func (logDeliveryHandler) TypeName() string { return typeLogDelivery }

func (logDeliveryHandler) Prepare(_ handler.Env, desired map[string]any) (map[string]any, error) {
	desired["Id"] = desired["UserPoolId"]
	return desired, nil
}

func (h logDeliveryHandler) Create(ctx context.Context, env handler.Env, tx handler.Tx, model map[string]any) (map[string]any, error) {
	poolID, _ := model["UserPoolId"].(string)
	if found, err := settingExists(tx, settingKey(poolID, "logdelivery", "")); err != nil || found {
		if err == nil {
			err = alreadyExists(typeLogDelivery, poolID)
		}
		return nil, err
	}
	return h.set(ctx, env, tx, poolID, model)
}

func (h logDeliveryHandler) set(ctx context.Context, env handler.Env, tx handler.Tx, poolID string, model map[string]any) (map[string]any, error) {
	confs, ok := model["LogConfigurations"]
	if !ok || confs == nil {
		confs = []any{}
	}
	in := map[string]any{"UserPoolId": poolID, "LogConfigurations": confs}
	if err := callOperation(ctx, env, tx, opSetLogDeliveryConfiguration, in); err != nil {
		return nil, toHandlerError(env, err)
	}
	return h.Read(ctx, env, tx, poolID)
}

func (logDeliveryHandler) Read(_ context.Context, _ handler.Env, tx handler.Tx, identifier string) (map[string]any, error) {
	var conf logDeliveryConfiguration
	found, err := getJSON(tx, typePoolSettings, settingKey(identifier, "logdelivery", ""), &conf)
	if err != nil {
		return nil, err
	}
	if !found || identifier == "" {
		return nil, notFoundError(typeLogDelivery, identifier)
	}
	if conf.LogConfigurations == nil {
		conf.LogConfigurations = []logConfiguration{}
	}
	m, err := encodeModel(conf)
	if err != nil {
		return nil, err
	}
	m["Id"], m["UserPoolId"] = identifier, identifier
	return m, nil
}

func (h logDeliveryHandler) Update(ctx context.Context, env handler.Env, tx handler.Tx, identifier string, desired map[string]any) (map[string]any, error) {
	if _, err := h.Read(ctx, env, tx, identifier); err != nil {
		return nil, err
	}
	return h.set(ctx, env, tx, identifier, desired)
}

func (h logDeliveryHandler) Delete(ctx context.Context, env handler.Env, tx handler.Tx, identifier string) error {
	if _, err := h.Read(ctx, env, tx, identifier); err != nil {
		return err
	}
	return deleteIfPresent(tx, typePoolSettings, settingKey(identifier, "logdelivery", ""))
}

func (logDeliveryHandler) List(context.Context, handler.Env, handler.Tx, map[string]any) ([]map[string]any, error) {
	return nil, unlistable(typeLogDelivery)
}

// ---- AWS::Cognito::Terms ----

// termsHandler serves terms documents (Create/Describe/Update/Delete/
// ListTerms); the identifier is "<UserPoolId>|<TermsId>", the id drawn in
// Prepare. ClientId is write-only and create-only.
type termsHandler struct{}

func (termsHandler) TypeName() string { return typeTermsDocument }

func (termsHandler) Prepare(env handler.Env, desired map[string]any) (map[string]any, error) {
	if id, _ := desired["TermsId"].(string); id == "" {
		desired["TermsId"] = requestID(env.Rand)
	}
	return desired, nil
}

func (termsHandler) Create(_ context.Context, env handler.Env, tx handler.Tx, model map[string]any) (map[string]any, error) {
	var in termsInput
	if err := decodeModel(model, &in); err != nil {
		return nil, err
	}
	poolID, _ := model["UserPoolId"].(string)
	id, _ := model["TermsId"].(string)
	if found, err := settingExists(tx, termsKey(poolID, id)); err != nil || found {
		if err == nil {
			err = alreadyExists(typeTermsDocument, poolID+"|"+id)
		}
		return nil, err
	}
	t, err := createTerms(env, tx, &in, id)
	if err != nil {
		return nil, settingsHandlerError(env, err)
	}
	return termsModel(t), nil
}

// termsModel is the read model: Describe's terms without the client and
// the dates.
func termsModel(t *terms) map[string]any {
	links := make(map[string]any, len(t.Links))
	for k, v := range t.Links {
		links[k] = v
	}
	return map[string]any{"UserPoolId": t.UserPoolId, "TermsId": t.TermsId, "TermsName": t.TermsName,
		"TermsSource": t.TermsSource, "Enforcement": t.Enforcement, "Links": links}
}

func (termsHandler) load(tx handler.Tx, identifier string) (*terms, error) {
	poolID, id, ok := splitClientIdentifier(identifier)
	if !ok {
		return nil, notFoundError(typeTermsDocument, identifier)
	}
	var t terms
	found, err := getJSON(tx, typePoolSettings, termsKey(poolID, id), &t)
	if err != nil {
		return nil, err
	}
	if !found {
		return nil, notFoundError(typeTermsDocument, identifier)
	}
	return &t, nil
}

func (h termsHandler) Read(_ context.Context, _ handler.Env, tx handler.Tx, identifier string) (map[string]any, error) {
	t, err := h.load(tx, identifier)
	if err != nil {
		return nil, err
	}
	return termsModel(t), nil
}

// Update replaces the document's name, source, enforcement and links with
// desired's, under UpdateTerms' checks.
func (h termsHandler) Update(_ context.Context, env handler.Env, tx handler.Tx, identifier string, desired map[string]any) (map[string]any, error) {
	t, err := h.load(tx, identifier)
	if err != nil {
		return nil, err
	}
	var in termsInput
	if err := decodeModel(desired, &in); err != nil {
		return nil, err
	}
	in.UserPoolId, in.TermsId = &t.UserPoolId, &t.TermsId
	if apiErr := in.check(false); apiErr != nil {
		return nil, toHandlerError(env, apiErr)
	}
	if in.TermsName != nil {
		t.TermsName = *in.TermsName
	}
	if in.TermsSource != nil {
		t.TermsSource = *in.TermsSource
	}
	if in.Enforcement != nil {
		t.Enforcement = *in.Enforcement
	}
	t.Links = in.Links
	if t.Links == nil {
		t.Links = map[string]string{}
	}
	if err := checkTermsRules(tx, t); err != nil {
		return nil, settingsHandlerError(env, err)
	}
	t.LastModifiedDate = epochSeconds(env.Now)
	if err := putJSON(tx, typePoolSettings, termsKey(t.UserPoolId, t.TermsId), t); err != nil {
		return nil, err
	}
	return termsModel(t), nil
}

func (h termsHandler) Delete(_ context.Context, _ handler.Env, tx handler.Tx, identifier string) error {
	t, err := h.load(tx, identifier)
	if err != nil {
		return err
	}
	return deleteIfPresent(tx, typePoolSettings, termsKey(t.UserPoolId, t.TermsId))
}

// List returns {UserPoolId, TermsId} of every terms document of the
// resource model's pool (ListTerms); a missing pool fails with Cognito's
// not-found message.
func (h termsHandler) List(ctx context.Context, env handler.Env, tx handler.Tx, resourceModel map[string]any) ([]map[string]any, error) {
	return h.ListPage(ctx, env, tx, resourceModel, "", -1)
}

// ListPage is List from the identifier after on, limit at most (< 0: all).
func (termsHandler) ListPage(_ context.Context, env handler.Env, tx handler.Tx, resourceModel map[string]any, after string, limit int) ([]map[string]any, error) {
	poolID, _ := resourceModel["UserPoolId"].(string)
	if _, err := loadPool(tx, poolID); err != nil {
		return nil, toHandlerError(env, err)
	}
	prefix := termsKey(poolID, "")
	recs, err := pageRecords(tx, typePoolSettings, prefix+"|", childCursor(after, poolID, prefix), limit)
	if err != nil {
		return nil, err
	}
	out := make([]map[string]any, 0, len(recs))
	for _, r := range recs {
		out = append(out, map[string]any{"UserPoolId": poolID, "TermsId": r.Identifier[len(prefix)+1:]})
	}
	return out, nil
}
