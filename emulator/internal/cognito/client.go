package cognito

// clientSpec is an app client configuration as a request states it. The
// CloudFormation properties and the CreateUserPoolClient /
// UpdateUserPoolClient members have the same names, so one type decodes
// both; members absent from the request stay nil.
type clientSpec struct {
	UserPoolId                               *string                 `json:"UserPoolId"`
	ClientId                                 *string                 `json:"ClientId"`
	ClientName                               *string                 `json:"ClientName"`
	GenerateSecret                           *bool                   `json:"GenerateSecret"`
	ClientSecret                             *string                 `json:"ClientSecret"`
	RefreshTokenValidity                     *int                    `json:"RefreshTokenValidity"`
	AccessTokenValidity                      *int                    `json:"AccessTokenValidity"`
	IdTokenValidity                          *int                    `json:"IdTokenValidity"`
	TokenValidityUnits                       *tokenValidityUnits     `json:"TokenValidityUnits"`
	ReadAttributes                           []string                `json:"ReadAttributes"`
	WriteAttributes                          []string                `json:"WriteAttributes"`
	ExplicitAuthFlows                        []string                `json:"ExplicitAuthFlows"`
	SupportedIdentityProviders               []string                `json:"SupportedIdentityProviders"`
	CallbackURLs                             []string                `json:"CallbackURLs"`
	LogoutURLs                               []string                `json:"LogoutURLs"`
	DefaultRedirectURI                       *string                 `json:"DefaultRedirectURI"`
	AllowedOAuthFlows                        []string                `json:"AllowedOAuthFlows"`
	AllowedOAuthScopes                       []string                `json:"AllowedOAuthScopes"`
	AllowedOAuthFlowsUserPoolClient          *bool                   `json:"AllowedOAuthFlowsUserPoolClient"`
	AnalyticsConfiguration                   *analyticsConfiguration `json:"AnalyticsConfiguration"`
	PreventUserExistenceErrors               *string                 `json:"PreventUserExistenceErrors"`
	EnableTokenRevocation                    *bool                   `json:"EnableTokenRevocation"`
	EnablePropagateAdditionalUserContextData *bool                   `json:"EnablePropagateAdditionalUserContextData"`
	AuthSessionValidity                      *int                    `json:"AuthSessionValidity"`
	RefreshTokenRotation                     *refreshTokenRotation   `json:"RefreshTokenRotation"`
}

// tokenValidityUnits are the units of the three token validities.
type tokenValidityUnits struct {
	AccessToken  *string `json:"AccessToken,omitempty"`
	IdToken      *string `json:"IdToken,omitempty"`
	RefreshToken *string `json:"RefreshToken,omitempty"`
}

// analyticsConfiguration is the Pinpoint analytics setting of a client.
type analyticsConfiguration struct {
	ApplicationArn *string `json:"ApplicationArn,omitempty"`
	ApplicationId  *string `json:"ApplicationId,omitempty"`
	ExternalId     *string `json:"ExternalId,omitempty"`
	RoleArn        *string `json:"RoleArn,omitempty"`
	UserDataShared *bool   `json:"UserDataShared,omitempty"`
}

// refreshTokenRotation is the refresh token rotation setting of a client.
type refreshTokenRotation struct {
	Feature                 *string `json:"Feature,omitempty"`
	RetryGracePeriodSeconds *int    `json:"RetryGracePeriodSeconds,omitempty"`
}

// clientModel is a stored app client: exactly what Cloud Control's
// GetResource returns (DescribeUserPoolClient mapped to CloudFormation
// property names, plus Name and the create-time GenerateSecret). Absent
// values are omitted rather than written as null.
type clientModel struct {
	UserPoolId                               string                  `json:"UserPoolId"`
	ClientName                               string                  `json:"ClientName"`
	Name                                     string                  `json:"Name,omitempty"`
	ClientId                                 string                  `json:"ClientId"`
	ClientSecret                             string                  `json:"ClientSecret,omitempty"`
	GenerateSecret                           *bool                   `json:"GenerateSecret,omitempty"`
	ExplicitAuthFlows                        []string                `json:"ExplicitAuthFlows,omitempty"`
	ReadAttributes                           []string                `json:"ReadAttributes,omitempty"`
	WriteAttributes                          []string                `json:"WriteAttributes,omitempty"`
	AuthSessionValidity                      int                     `json:"AuthSessionValidity"`
	RefreshTokenValidity                     int                     `json:"RefreshTokenValidity"`
	AccessTokenValidity                      *int                    `json:"AccessTokenValidity,omitempty"`
	IdTokenValidity                          *int                    `json:"IdTokenValidity,omitempty"`
	TokenValidityUnits                       *tokenValidityUnits     `json:"TokenValidityUnits,omitempty"`
	RefreshTokenRotation                     *refreshTokenRotation   `json:"RefreshTokenRotation,omitempty"`
	AllowedOAuthFlows                        []string                `json:"AllowedOAuthFlows,omitempty"`
	AllowedOAuthFlowsUserPoolClient          bool                    `json:"AllowedOAuthFlowsUserPoolClient"`
	AllowedOAuthScopes                       []string                `json:"AllowedOAuthScopes,omitempty"`
	CallbackURLs                             []string                `json:"CallbackURLs,omitempty"`
	DefaultRedirectURI                       string                  `json:"DefaultRedirectURI,omitempty"`
	LogoutURLs                               []string                `json:"LogoutURLs,omitempty"`
	SupportedIdentityProviders               []string                `json:"SupportedIdentityProviders,omitempty"`
	AnalyticsConfiguration                   *analyticsConfiguration `json:"AnalyticsConfiguration,omitempty"`
	PreventUserExistenceErrors               string                  `json:"PreventUserExistenceErrors,omitempty"`
	EnableTokenRevocation                    bool                    `json:"EnableTokenRevocation"`
	EnablePropagateAdditionalUserContextData bool                    `json:"EnablePropagateAdditionalUserContextData"`

	// otherSecrets are the client's other active secrets after a rotation
	// (api_client_secrets.go); never stored in the model.
	otherSecrets []string
}

// Defaults Cognito applies to an app client (reference B2).
const (
	DefaultRefreshTokenValidity = 30 // in the refresh token unit, days by default
	DefaultAuthSessionValidity  = 3  // minutes
	MaxClientsPerPool           = 1000
)

// Enum value sets of the cognito-idp model, in the model's order.
var (
	explicitAuthFlowValues = []string{
		"ADMIN_NO_SRP_AUTH", "CUSTOM_AUTH_FLOW_ONLY", "USER_PASSWORD_AUTH",
		"ALLOW_ADMIN_USER_PASSWORD_AUTH", "ALLOW_CUSTOM_AUTH", "ALLOW_USER_PASSWORD_AUTH",
		"ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH", "ALLOW_USER_AUTH",
	}
	legacyAuthFlows          = []string{"ADMIN_NO_SRP_AUTH", "CUSTOM_AUTH_FLOW_ONLY", "USER_PASSWORD_AUTH"}
	oauthFlowValues          = []string{"code", "implicit", "client_credentials"}
	timeUnitValues           = []string{"seconds", "minutes", "hours", "days"}
	preventUserExistenceVals = []string{"LEGACY", "ENABLED"}
	rotationFeatureValues    = []string{"ENABLED", "DISABLED"}
	standardScopes           = []string{"phone", "email", "openid", "profile", "aws.cognito.signin.user.admin"}
)

// unitSeconds is the length of one time unit in seconds.
var unitSeconds = map[string]int{"seconds": 1, "minutes": 60, "hours": 3600, "days": 86400}

// validateClientShape applies the cognito-idp model's member constraints to
// a client request. requireName is true for CreateUserPoolClient, whose
// ClientName is required (Cloud Control generates one before this runs);
// requireClientID for operations on an existing client.
func validateClientShape(s *clientSpec, requireName, requireClientID bool) *APIError {
	var v violations
	v.checkRequiredString("userPoolId", s.UserPoolId, 1, 55, &patUserPoolID)
	if requireClientID {
		v.checkRequiredString("clientId", s.ClientId, 1, 128, &patClientID)
	}
	if requireName {
		v.checkRequiredString("clientName", s.ClientName, 1, 128, &patClientName)
	} else {
		v.checkString("clientName", s.ClientName, 1, 128, &patClientName)
	}
	v.checkString("clientSecret", s.ClientSecret, 24, 64, &patClientID)
	v.checkInt("refreshTokenValidity", s.RefreshTokenValidity, 0, 315360000)
	v.checkInt("accessTokenValidity", s.AccessTokenValidity, 1, 86400)
	v.checkInt("idTokenValidity", s.IdTokenValidity, 1, 86400)
	if u := s.TokenValidityUnits; u != nil {
		v.checkEnum("tokenValidityUnits.accessToken", u.AccessToken, timeUnitValues)
		v.checkEnum("tokenValidityUnits.idToken", u.IdToken, timeUnitValues)
		v.checkEnum("tokenValidityUnits.refreshToken", u.RefreshToken, timeUnitValues)
	}
	attr, attrC := stringMember(1, 2048, nil)
	v.checkList("readAttributes", s.ReadAttributes, 0, attr, attrC)
	v.checkList("writeAttributes", s.WriteAttributes, 0, attr, attrC)
	flow, flowC := enumMember(explicitAuthFlowValues)
	v.checkList("explicitAuthFlows", s.ExplicitAuthFlows, 0, flow, flowC)
	idp, idpC := stringMember(1, 32, &patProviderName)
	v.checkList("supportedIdentityProviders", s.SupportedIdentityProviders, 0, idp, idpC)
	u, uC := stringMember(1, 1024, &patURL)
	v.checkList("callbackURLs", s.CallbackURLs, 100, u, uC)
	v.checkList("logoutURLs", s.LogoutURLs, 100, u, uC)
	v.checkString("defaultRedirectURI", s.DefaultRedirectURI, 1, 1024, &patURL)
	of, ofC := enumMember(oauthFlowValues)
	v.checkList("allowedOAuthFlows", s.AllowedOAuthFlows, 3, of, ofC)
	sc, scC := stringMember(1, 256, &patScope)
	v.checkList("allowedOAuthScopes", s.AllowedOAuthScopes, 50, sc, scC)
	if a := s.AnalyticsConfiguration; a != nil {
		v.checkString("analyticsConfiguration.applicationId", a.ApplicationId, 0, 0, &patHex)
		v.checkString("analyticsConfiguration.applicationArn", a.ApplicationArn, 20, 2048, &patARN)
		v.checkString("analyticsConfiguration.roleArn", a.RoleArn, 20, 2048, &patARN)
		v.checkString("analyticsConfiguration.externalId", a.ExternalId, 0, 131072, nil)
	}
	v.checkEnum("preventUserExistenceErrors", s.PreventUserExistenceErrors, preventUserExistenceVals)
	v.checkInt("authSessionValidity", s.AuthSessionValidity, 3, 15)
	if r := s.RefreshTokenRotation; r != nil {
		if r.Feature == nil {
			v.add("null", "refreshTokenRotation.feature", "Member must not be null")
		}
		v.checkEnum("refreshTokenRotation.feature", r.Feature, rotationFeatureValues)
		v.checkInt("refreshTokenRotation.retryGracePeriodSeconds", r.RetryGracePeriodSeconds, 0, 60)
	}
	return v.err()
}

// applyClientSpec builds the client's new configuration from a request:
// every member the request omits takes Cognito's default (create and update
// alike: UpdateUserPoolClient is a full replace). Identity, name and secret
// are the caller's business.
func applyClientSpec(m *clientModel, s *clientSpec) {
	m.ExplicitAuthFlows = s.ExplicitAuthFlows
	m.ReadAttributes = s.ReadAttributes
	m.WriteAttributes = s.WriteAttributes
	m.AuthSessionValidity = deref(s.AuthSessionValidity, DefaultAuthSessionValidity)
	m.TokenValidityUnits = fillUnits(s.TokenValidityUnits)
	m.RefreshTokenValidity = deref(s.RefreshTokenValidity, 0)
	if m.RefreshTokenValidity == 0 {
		// 0 or absent means the default, 30 days, expressed in the refresh
		// unit so that the stored value reads back (and re-validates on the
		// next full-replace update) as the same lifetime.
		unit := deref(m.TokenValidityUnits.RefreshToken, "days")
		m.RefreshTokenValidity = DefaultRefreshTokenValidity * unitSeconds["days"] / unitSeconds[unit]
	}
	m.AccessTokenValidity = s.AccessTokenValidity
	m.IdTokenValidity = s.IdTokenValidity
	m.RefreshTokenRotation = s.RefreshTokenRotation
	m.AllowedOAuthFlows = s.AllowedOAuthFlows
	m.AllowedOAuthFlowsUserPoolClient = deref(s.AllowedOAuthFlowsUserPoolClient, false)
	m.AllowedOAuthScopes = s.AllowedOAuthScopes
	m.CallbackURLs = s.CallbackURLs
	m.DefaultRedirectURI = deref(s.DefaultRedirectURI, "")
	m.LogoutURLs = s.LogoutURLs
	m.SupportedIdentityProviders = s.SupportedIdentityProviders
	m.AnalyticsConfiguration = s.AnalyticsConfiguration
	m.PreventUserExistenceErrors = deref(s.PreventUserExistenceErrors, "")
	m.EnableTokenRevocation = deref(s.EnableTokenRevocation, true)
	m.EnablePropagateAdditionalUserContextData = deref(s.EnablePropagateAdditionalUserContextData, false)
}

// fillUnits returns the units a client reports. With no unit given Cognito
// reports an empty object (reference B2, decision for open question E5);
// once any unit is given the others take their defaults, hours, hours and
// days.
func fillUnits(u *tokenValidityUnits) *tokenValidityUnits {
	if u == nil || (u.AccessToken == nil && u.IdToken == nil && u.RefreshToken == nil) {
		return &tokenValidityUnits{}
	}
	return &tokenValidityUnits{
		AccessToken:  ptr(deref(u.AccessToken, "hours")),
		IdToken:      ptr(deref(u.IdToken, "hours")),
		RefreshToken: ptr(deref(u.RefreshToken, "days")),
	}
}

func deref[T any](p *T, def T) T {
	if p == nil {
		return def
	}
	return *p
}

func ptr[T any](v T) *T { return &v }
