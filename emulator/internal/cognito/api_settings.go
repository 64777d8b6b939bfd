package cognito

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"fmt"
	"math/big"
	"net/netip"
	"regexp"
	"time"

	"github.com/ccql/ccql/internal/handler"
)

// Pool settings that only the IdP API knows (log delivery, UI
// customization, risk configuration, the SAML signing certificate, rotated
// client secrets) are stored under the private type typePoolSettings, with
// identifiers "<UserPoolId>|<kind>[|<ClientId>]", so they go with their
// pool (pool_service.go lists the type among the satellites).
const typePoolSettings = "ccql::Cognito::PoolSettings"

// settingKey is the identifier of one stored setting of a pool.
func settingKey(poolID, kind, clientID string) string {
	if clientID == "" {
		return poolID + "|" + kind
	}
	return poolID + "|" + kind + "|" + clientID
}

// allClients is the ClientId of a pool-wide UI customization or risk
// configuration.
const allClients = "ALL"

// settingsScope validates UserPoolId and an optional ClientId ("ALL" or
// absent meaning the whole pool), checks that both exist and returns the
// client id ("" for the pool).
func settingsScope(tx handler.Tx, poolID, clientID *string) (string, error) {
	var v violations
	v.checkRequiredString("userPoolId", poolID, 1, 55, &patUserPoolID)
	v.checkSensitive("clientId", clientID, 1, 128, &patClientID, false)
	if err := v.err(); err != nil {
		return "", err
	}
	if _, err := loadPool(tx, *poolID); err != nil {
		return "", err
	}
	if clientID == nil || *clientID == allClients {
		return "", nil
	}
	if _, err := loadClient(tx, *poolID, *clientID); err != nil {
		return "", err
	}
	return *clientID, nil
}

// ---- Log delivery ----

// patS3ARN is the cognito-idp model's pattern of an S3 bucket ARN (no region
// or account).
var patS3ARN = mustPattern(`arn:[\w+=/,.@-]+:[\w+=/,.@-]+:::[\w+=/,.@-]+(:[\w+=/,.@-]+)?(:[\w+=/,.@-]+)?`)

var (
	eventSourceValues = []string{"userNotification", "userAuthEvents"}
	logLevelValues    = []string{"ERROR", "INFO"}
)

type logConfiguration struct {
	EventSource                 *string         `json:"EventSource,omitempty"`
	LogLevel                    *string         `json:"LogLevel,omitempty"`
	CloudWatchLogsConfiguration *arnDestination `json:"CloudWatchLogsConfiguration,omitempty"`
	S3Configuration             *arnDestination `json:"S3Configuration,omitempty"`
	FirehoseConfiguration       *arnDestination `json:"FirehoseConfiguration,omitempty"`
}

// arnDestination is any of the three destinations; each has one ARN member.
type arnDestination struct {
	LogGroupArn *string `json:"LogGroupArn,omitempty"`
	BucketArn   *string `json:"BucketArn,omitempty"`
	StreamArn   *string `json:"StreamArn,omitempty"`
}

type logDeliveryConfiguration struct {
	UserPoolId        string             `json:"UserPoolId"`
	LogConfigurations []logConfiguration `json:"LogConfigurations"`
}

func opGetLogDeliveryConfiguration(_ context.Context, _ handler.Env, tx handler.Tx, body []byte) (any, error) {
	var in poolIDInput
	if err := decodeBody(body, &in); err != nil {
		return nil, err
	}
	if err := in.validate(); err != nil {
		return nil, err
	}
	if _, err := loadPool(tx, *in.UserPoolId); err != nil {
		return nil, err
	}
	conf := logDeliveryConfiguration{UserPoolId: *in.UserPoolId, LogConfigurations: []logConfiguration{}}
	if _, err := getJSON(tx, typePoolSettings, settingKey(*in.UserPoolId, "logdelivery", ""), &conf); err != nil {
		return nil, err
	}
	return map[string]any{"LogDeliveryConfiguration": conf}, nil
}

func opSetLogDeliveryConfiguration(_ context.Context, _ handler.Env, tx handler.Tx, body []byte) (any, error) {
	var in struct {
		UserPoolId        *string            `json:"UserPoolId"`
		LogConfigurations []logConfiguration `json:"LogConfigurations"`
	}
	if err := decodeBody(body, &in); err != nil {
		return nil, err
	}
	var v violations
	v.checkRequiredString("userPoolId", in.UserPoolId, 1, 55, &patUserPoolID)
	if in.LogConfigurations == nil {
		v.add("null", "logConfigurations", "Member must not be null")
	} else if len(in.LogConfigurations) > 2 {
		v.add("'[...]'", "logConfigurations", "Member must have length less than or equal to 2")
	}
	for i, c := range in.LogConfigurations {
		p := fmt.Sprintf("logConfigurations.%d.member.", i+1)
		if c.EventSource == nil {
			v.add("null", p+"eventSource", "Member must not be null")
		}
		v.checkEnum(p+"eventSource", c.EventSource, eventSourceValues)
		if c.LogLevel == nil {
			v.add("null", p+"logLevel", "Member must not be null")
		}
		v.checkEnum(p+"logLevel", c.LogLevel, logLevelValues)
		if d := c.CloudWatchLogsConfiguration; d != nil {
			v.checkString(p+"cloudWatchLogsConfiguration.logGroupArn", d.LogGroupArn, 20, 2048, &patARN)
		}
		if d := c.S3Configuration; d != nil {
			v.checkString(p+"s3Configuration.bucketArn", d.BucketArn, 3, 1024, &patS3ARN)
		}
		if d := c.FirehoseConfiguration; d != nil {
			v.checkString(p+"firehoseConfiguration.streamArn", d.StreamArn, 20, 2048, &patARN)
		}
	}
	if err := v.err(); err != nil {
		return nil, err
	}
	pool, err := loadPool(tx, *in.UserPoolId)
	if err != nil {
		return nil, err
	}
	seen := map[string]bool{}
	// The rules below follow the SDK's documentation of LogConfigurationType;
	// their messages are not ones Cognito is known to use.
	for _, c := range in.LogConfigurations {
		src := *c.EventSource
		if seen[src] {
			return nil, invalidParameter("Only one log configuration is allowed per event source: %s.", src)
		}
		seen[src] = true
		dests := 0
		for _, d := range []*arnDestination{c.CloudWatchLogsConfiguration, c.S3Configuration, c.FirehoseConfiguration} {
			if d != nil {
				dests++
			}
		}
		if dests != 1 {
			return nil, invalidParameter("A log configuration for %s must have exactly one destination.", src)
		}
		switch src {
		case "userNotification":
			if *c.LogLevel != "ERROR" || c.CloudWatchLogsConfiguration == nil {
				return nil, invalidParameter("userNotification logs are delivered at the ERROR level to a CloudWatch Logs log group.")
			}
		case "userAuthEvents":
			if *c.LogLevel != "INFO" {
				return nil, invalidParameter("userAuthEvents logs are delivered at the INFO level.")
			}
			if tier, _ := pool["UserPoolTier"].(string); tier != "PLUS" {
				return nil, apiErrorf(typeFeatureUnavailable, "The following feature is not available for the %s pricing tier configured: Threat Protection", tier)
			}
		}
	}
	conf := logDeliveryConfiguration{UserPoolId: *in.UserPoolId, LogConfigurations: in.LogConfigurations}
	if err := putJSON(tx, typePoolSettings, settingKey(*in.UserPoolId, "logdelivery", ""), conf); err != nil {
		return nil, err
	}
	return map[string]any{"LogDeliveryConfiguration": conf}, nil
}

// ---- UI customization (classic hosted UI) ----

// uiCustomization is a stored customization. Image is the logo's bytes
// (base64 in JSON), served as data by the hosted UI.
type uiCustomization struct {
	UserPoolId       string       `json:"UserPoolId"`
	ClientId         string       `json:"ClientId"`
	CSS              string       `json:"CSS,omitempty"`
	CSSVersion       string       `json:"CSSVersion,omitempty"`
	Image            []byte       `json:"Image,omitempty"`
	ImageType        string       `json:"ImageType,omitempty"`
	CreationDate     epochSeconds `json:"CreationDate"`
	LastModifiedDate epochSeconds `json:"LastModifiedDate"`
}

// maxLogoBytes is the classic hosted UI's logo size limit (100 KB).
const maxLogoBytes = 100 * 1024

// uiClasses are the CSS classes the classic hosted UI lets a customization
// style (the console's template.css).
var uiClasses = map[string]bool{
	"background-customizable": true, "banner-customizable": true, "errorMessage-customizable": true,
	"idpButton-customizable": true, "idpButton-customizable:hover": true, "inputField-customizable": true,
	"inputField-customizable:focus": true, "label-customizable": true, "legalText-customizable": true,
	"logo-customizable": true, "submitButton-customizable": true, "submitButton-customizable:hover": true,
	"textDescription-customizable": true, "idpDescription-customizable": true, "socialButton-customizable": true,
	"redirect-customizable": true, "passwordCheck-notValid-customizable": true, "passwordCheck-valid-customizable": true,
	"background-customizable:hover": true,
}

// cssSelector matches the selector before each rule block.
var cssSelector = regexp.MustCompile(`([^{}]*)\{[^{}]*\}`)

// checkCSS accepts rules whose selectors are only the customizable classes,
// and refuses anything that could leave a <style> element.
func checkCSS(css string) *APIError {
	if bytes.Contains(bytes.ToLower([]byte(css)), []byte("</")) {
		return invalidParameter("The CSS is not valid.")
	}
	rest := cssSelector.ReplaceAllStringFunc(css, func(rule string) string {
		sel := cssSelector.FindStringSubmatch(rule)[1]
		for _, s := range splitSelectors(sel) {
			if !uiClasses[s] {
				return "\x00" + s + "\x00"
			}
		}
		return ""
	})
	if i := bytes.IndexByte([]byte(rest), 0); i >= 0 {
		bad := rest[i+1:]
		bad = bad[:bytes.IndexByte([]byte(bad), 0)]
		// Not a message Cognito is known to use for a class outside the template.
		return invalidParameter("The CSS class %q is not one that the hosted UI allows you to customize.", bad)
	}
	if len(bytes.TrimSpace([]byte(rest))) > 0 {
		return invalidParameter("The CSS is not valid.")
	}
	return nil
}

// splitSelectors returns the class names of a selector list ".a, .b:hover".
func splitSelectors(sel string) []string {
	var out []string
	for _, part := range bytes.Split([]byte(sel), []byte(",")) {
		s := string(bytes.TrimSpace(part))
		if len(s) > 1 && s[0] == '.' {
			out = append(out, s[1:])
		} else {
			out = append(out, s)
		}
	}
	return out
}

// logoType returns the MIME type of a PNG or JPEG logo, "" otherwise.
func logoType(b []byte) string {
	switch {
	case bytes.HasPrefix(b, []byte("\x89PNG\r\n\x1a\n")):
		return "image/png"
	case bytes.HasPrefix(b, []byte{0xff, 0xd8, 0xff}):
		return "image/jpeg"
	}
	return ""
}

func (u *uiCustomization) toAPI(env handler.Env) map[string]any {
	out := map[string]any{"UserPoolId": u.UserPoolId, "ClientId": u.ClientId}
	if u.CSS != "" {
		out["CSS"] = u.CSS
		out["CSSVersion"] = u.CSSVersion
	}
	if len(u.Image) > 0 {
		ext := "png"
		if u.ImageType == "image/jpeg" {
			ext = "jpg"
		}
		out["ImageUrl"] = fmt.Sprintf("https://cognito-idp.%s.amazonaws.com/%s/%s/%s/assets/images/image.%s", env.Region, u.UserPoolId, u.ClientId, u.CSSVersion, ext)
	}
	if time.Time(u.CreationDate).IsZero() {
		return out
	}
	out["CreationDate"] = u.CreationDate
	out["LastModifiedDate"] = u.LastModifiedDate
	return out
}

// effectiveUI returns the customization that applies to clientID: its own,
// else the pool's, else an empty one for the pool.
func effectiveUI(tx handler.Tx, poolID, clientID string) (*uiCustomization, error) {
	for _, c := range []string{clientID, allClients} {
		if c == "" {
			continue
		}
		var u uiCustomization
		found, err := getJSON(tx, typePoolSettings, settingKey(poolID, "ui", c), &u)
		if err != nil {
			return nil, err
		}
		if found {
			return &u, nil
		}
	}
	return &uiCustomization{UserPoolId: poolID, ClientId: allClients}, nil
}

func opGetUICustomization(_ context.Context, env handler.Env, tx handler.Tx, body []byte) (any, error) {
	var in struct {
		UserPoolId *string `json:"UserPoolId"`
		ClientId   *string `json:"ClientId"`
	}
	if err := decodeBody(body, &in); err != nil {
		return nil, err
	}
	clientID, err := settingsScope(tx, in.UserPoolId, in.ClientId)
	if err != nil {
		return nil, err
	}
	u, err := effectiveUI(tx, *in.UserPoolId, clientID)
	if err != nil {
		return nil, err
	}
	return map[string]any{"UICustomization": u.toAPI(env)}, nil
}

func opSetUICustomization(_ context.Context, env handler.Env, tx handler.Tx, body []byte) (any, error) {
	var in struct {
		UserPoolId *string `json:"UserPoolId"`
		ClientId   *string `json:"ClientId"`
		CSS        *string `json:"CSS"`
		ImageFile  []byte  `json:"ImageFile"`
	}
	if err := decodeBody(body, &in); err != nil {
		return nil, err
	}
	clientID, err := settingsScope(tx, in.UserPoolId, in.ClientId)
	if err != nil {
		return nil, err
	}
	poolID := *in.UserPoolId
	u := uiCustomization{UserPoolId: poolID, ClientId: allClients, CreationDate: epochSeconds(env.Now)}
	if clientID != "" {
		u.ClientId = clientID
	}
	key := settingKey(poolID, "ui", u.ClientId)
	var prev uiCustomization
	found, err := getJSON(tx, typePoolSettings, key, &prev)
	if err != nil {
		return nil, err
	}
	if found {
		u.CreationDate = prev.CreationDate
	}
	if in.CSS != nil {
		if apiErr := checkCSS(*in.CSS); apiErr != nil {
			return nil, apiErr
		}
		u.CSS = *in.CSS
	}
	if len(in.ImageFile) > 0 {
		if len(in.ImageFile) > maxLogoBytes {
			// Not a message Cognito is known to use for the 100 KB limit.
			return nil, invalidParameter("The image file must be at most 100 KB.")
		}
		if u.ImageType = logoType(in.ImageFile); u.ImageType == "" {
			return nil, invalidParameter("The image file must be a PNG or JPEG image.")
		}
		u.Image = in.ImageFile
	}
	u.CSSVersion = env.Now.UTC().Format("20060102150405")
	u.LastModifiedDate = epochSeconds(env.Now)
	if err := putJSON(tx, typePoolSettings, key, u); err != nil {
		return nil, err
	}
	return map[string]any{"UICustomization": u.toAPI(env)}, nil
}

// ---- CSV header of user import ----

// csvHeader is the header of a user import CSV for pool: the standard
// attributes but sub and identities, the pool's custom attributes, then cognito:mfa_enabled
// and cognito:username, as GetCSVHeader lists them.
func csvHeader(pool map[string]any) []string {
	var out []string
	for _, a := range schemaAttributes(pool) {
		name, _ := a["Name"].(string)
		if name == "sub" || name == "identities" || name == "" {
			continue
		}
		out = append(out, name)
	}
	return append(out, "cognito:mfa_enabled", "cognito:username")
}

func opGetCSVHeader(_ context.Context, _ handler.Env, tx handler.Tx, body []byte) (any, error) {
	var in poolIDInput
	if err := decodeBody(body, &in); err != nil {
		return nil, err
	}
	if err := in.validate(); err != nil {
		return nil, err
	}
	pool, err := loadPool(tx, *in.UserPoolId)
	if err != nil {
		return nil, err
	}
	return map[string]any{"UserPoolId": *in.UserPoolId, "CSVHeader": csvHeader(pool)}, nil
}

// ---- Risk configuration ----

var (
	takeoverActionValues    = []string{"BLOCK", "MFA_IF_CONFIGURED", "MFA_REQUIRED", "NO_ACTION"}
	compromisedActionValues = []string{"BLOCK", "NO_ACTION"}
	eventFilterValues       = []string{"SIGN_IN", "PASSWORD_CHANGE", "SIGN_UP"}
)

type takeoverAction struct {
	Notify      *bool   `json:"Notify,omitempty"`
	EventAction *string `json:"EventAction,omitempty"`
}

type riskConfiguration struct {
	UserPoolId                       string `json:"UserPoolId"`
	ClientId                         string `json:"ClientId,omitempty"`
	AccountTakeoverRiskConfiguration *struct {
		Actions *struct {
			LowAction    *takeoverAction `json:"LowAction,omitempty"`
			MediumAction *takeoverAction `json:"MediumAction,omitempty"`
			HighAction   *takeoverAction `json:"HighAction,omitempty"`
		} `json:"Actions,omitempty"`
		NotifyConfiguration map[string]any `json:"NotifyConfiguration,omitempty"`
	} `json:"AccountTakeoverRiskConfiguration,omitempty"`
	CompromisedCredentialsRiskConfiguration *struct {
		EventFilter []string `json:"EventFilter,omitempty"`
		Actions     *struct {
			EventAction *string `json:"EventAction,omitempty"`
		} `json:"Actions,omitempty"`
	} `json:"CompromisedCredentialsRiskConfiguration,omitempty"`
	RiskExceptionConfiguration *struct {
		BlockedIPRangeList []string `json:"BlockedIPRangeList,omitempty"`
		SkippedIPRangeList []string `json:"SkippedIPRangeList,omitempty"`
	} `json:"RiskExceptionConfiguration,omitempty"`
	LastModifiedDate *epochSeconds `json:"LastModifiedDate,omitempty"`
}

func (rc *riskConfiguration) validate() *APIError {
	var v violations
	if at := rc.AccountTakeoverRiskConfiguration; at != nil {
		if at.Actions == nil {
			v.add("null", "accountTakeoverRiskConfiguration.actions", "Member must not be null")
		} else {
			acts := at.Actions
			for i, a := range []*takeoverAction{acts.LowAction, acts.MediumAction, acts.HighAction} {
				name := []string{"lowAction", "mediumAction", "highAction"}[i]
				if a == nil {
					continue
				}
				p := "accountTakeoverRiskConfiguration.actions." + name + "."
				if a.Notify == nil {
					v.add("null", p+"notify", "Member must not be null")
				}
				if a.EventAction == nil {
					v.add("null", p+"eventAction", "Member must not be null")
				}
				v.checkEnum(p+"eventAction", a.EventAction, takeoverActionValues)
			}
		}
		if nc := at.NotifyConfiguration; nc != nil {
			if _, ok := nc["SourceArn"].(string); !ok {
				v.add("null", "accountTakeoverRiskConfiguration.notifyConfiguration.sourceArn", "Member must not be null")
			}
		}
	}
	if cc := rc.CompromisedCredentialsRiskConfiguration; cc != nil {
		if cc.Actions == nil {
			v.add("null", "compromisedCredentialsRiskConfiguration.actions", "Member must not be null")
		} else {
			if cc.Actions.EventAction == nil {
				v.add("null", "compromisedCredentialsRiskConfiguration.actions.eventAction", "Member must not be null")
			}
			v.checkEnum("compromisedCredentialsRiskConfiguration.actions.eventAction", cc.Actions.EventAction, compromisedActionValues)
		}
		member, constraints := enumMember(eventFilterValues)
		v.checkList("compromisedCredentialsRiskConfiguration.eventFilter", cc.EventFilter, 3, member, constraints)
	}
	if re := rc.RiskExceptionConfiguration; re != nil {
		v.checkList("riskExceptionConfiguration.blockedIPRangeList", re.BlockedIPRangeList, 200, func(string) []string { return nil }, nil)
		v.checkList("riskExceptionConfiguration.skippedIPRangeList", re.SkippedIPRangeList, 200, func(string) []string { return nil }, nil)
	}
	if err := v.err(); err != nil {
		return err
	}
	if re := rc.RiskExceptionConfiguration; re != nil {
		for _, cidr := range append(append([]string{}, re.BlockedIPRangeList...), re.SkippedIPRangeList...) {
			if _, err := netip.ParsePrefix(cidr); err != nil {
				// Not a message Cognito is known to use for a bad CIDR block.
				return invalidParameter("Invalid IP range: %s", cidr)
			}
		}
	}
	return nil
}

func opDescribeRiskConfiguration(_ context.Context, _ handler.Env, tx handler.Tx, body []byte) (any, error) {
	var in struct {
		UserPoolId *string `json:"UserPoolId"`
		ClientId   *string `json:"ClientId"`
	}
	if err := decodeBody(body, &in); err != nil {
		return nil, err
	}
	clientID, err := settingsScope(tx, in.UserPoolId, in.ClientId)
	if err != nil {
		return nil, err
	}
	for _, c := range []string{clientID, allClients} {
		if c == "" {
			continue
		}
		var rc riskConfiguration
		found, err := getJSON(tx, typePoolSettings, settingKey(*in.UserPoolId, "risk", c), &rc)
		if err != nil {
			return nil, err
		}
		if found {
			return map[string]any{"RiskConfiguration": rc}, nil
		}
	}
	return map[string]any{"RiskConfiguration": riskConfiguration{UserPoolId: *in.UserPoolId}}, nil
}

func opSetRiskConfiguration(_ context.Context, env handler.Env, tx handler.Tx, body []byte) (any, error) {
	var rc riskConfiguration
	if err := decodeBody(body, &rc); err != nil {
		return nil, err
	}
	poolID, clientIn := rc.UserPoolId, rc.ClientId
	var poolPtr, clientPtr *string
	if poolID != "" {
		poolPtr = &poolID
	}
	if clientIn != "" {
		clientPtr = &clientIn
	}
	if apiErr := rc.validate(); apiErr != nil {
		return nil, apiErr
	}
	clientID, err := settingsScope(tx, poolPtr, clientPtr)
	if err != nil {
		return nil, err
	}
	scope := allClients
	rc.ClientId = ""
	if clientID != "" {
		scope, rc.ClientId = clientID, clientID
	}
	now := epochSeconds(env.Now)
	rc.LastModifiedDate = &now
	if err := putJSON(tx, typePoolSettings, settingKey(poolID, "risk", scope), rc); err != nil {
		return nil, err
	}
	return map[string]any{"RiskConfiguration": rc}, nil
}

// ---- SAML signing certificate ----

type samlCertificate struct {
	Certificate []byte `json:"Certificate"` // X.509 DER
}

// newSigningCertificate makes a pool's self-signed RSA-2048 certificate for
// SAML request signing, valid ten years from now.
func newSigningCertificate(env handler.Env, poolID string) ([]byte, error) {
	priv, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		return nil, fmt.Errorf("generate SAML signing key: %w", err)
	}
	serial, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 64))
	if err != nil {
		return nil, fmt.Errorf("SAML certificate serial: %w", err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: serial,
		Subject:      pkix.Name{CommonName: poolID, Organization: []string{"Amazon Cognito"}, Country: []string{"US"}},
		NotBefore:    env.Now.Add(-time.Minute),
		NotAfter:     env.Now.AddDate(10, 0, 0),
		KeyUsage:     x509.KeyUsageDigitalSignature,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &priv.PublicKey, priv)
	if err != nil {
		return nil, fmt.Errorf("create SAML signing certificate: %w", err)
	}
	return der, nil
}

func opGetSigningCertificate(_ context.Context, env handler.Env, tx handler.Tx, body []byte) (any, error) {
	var in poolIDInput
	if err := decodeBody(body, &in); err != nil {
		return nil, err
	}
	if err := in.validate(); err != nil {
		return nil, err
	}
	if _, err := loadPool(tx, *in.UserPoolId); err != nil {
		return nil, err
	}
	key := settingKey(*in.UserPoolId, "samlcert", "")
	var c samlCertificate
	found, err := getJSON(tx, typePoolSettings, key, &c)
	if err != nil {
		return nil, err
	}
	if !found {
		if c.Certificate, err = newSigningCertificate(env, *in.UserPoolId); err != nil {
			return nil, err
		}
		if err := putJSON(tx, typePoolSettings, key, c); err != nil {
			return nil, err
		}
	}
	return map[string]any{"Certificate": base64.StdEncoding.EncodeToString(c.Certificate)}, nil
}
