package cognito

import (
	"context"
	"fmt"
	"regexp"
	"strings"

	"github.com/ccql/ccql/internal/handler"
)

// Terms documents (terms of use and privacy policy links of an app client,
// shown by managed login). They are stored under typePoolSettings
// "<UserPoolId>|terms|<TermsId>" and go with their pool. The hosted UI
// links them (hostedui_managed.go); AWS::Cognito::Terms serves them to
// Cloud Control (settings_handlers.go).

const typeTermsExists = "TermsExistsException"

var (
	termsSourceValues      = []string{"LINK"}
	termsEnforcementValues = []string{"NONE"}
	termsKinds             = []string{"terms-of-use", "privacy-policy"}
	patTermsID             = mustPattern(`[\w-]+`)
	patTermsName           = mustPattern(`[\p{L}\p{M}\p{S}\p{N}\p{P}\s]+`)
	reTermsLanguage        = regexp.MustCompile(`^cognito:(default|english|french|spanish|german|bahasa-indonesia|italian|japanese|korean|portuguese-brazil|chinese-\(simplified\)|chinese-\(traditional\))$`)
)

// maxTermsLinks bounds a terms document's Links map (the model's 12).
const maxTermsLinks = 12

type terms struct {
	TermsId          string            `json:"TermsId"`
	UserPoolId       string            `json:"UserPoolId"`
	ClientId         string            `json:"ClientId"`
	TermsName        string            `json:"TermsName"`
	TermsSource      string            `json:"TermsSource"`
	Enforcement      string            `json:"Enforcement"`
	Links            map[string]string `json:"Links"`
	CreationDate     epochSeconds      `json:"CreationDate"`
	LastModifiedDate epochSeconds      `json:"LastModifiedDate"`
}

type termsInput struct {
	UserPoolId  *string           `json:"UserPoolId"`
	ClientId    *string           `json:"ClientId"`
	TermsId     *string           `json:"TermsId"`
	TermsName   *string           `json:"TermsName"`
	TermsSource *string           `json:"TermsSource"`
	Enforcement *string           `json:"Enforcement"`
	Links       map[string]string `json:"Links"`
}

// check records the member violations; creating requires the create
// members, otherwise the TermsId.
func (in *termsInput) check(creating bool) *APIError {
	var v violations
	v.checkRequiredString("userPoolId", in.UserPoolId, 1, 55, &patUserPoolID)
	if creating {
		v.checkSensitive("clientId", in.ClientId, 1, 128, &patClientID, true)
		v.checkRequiredString("termsName", in.TermsName, 1, 50, &patTermsName)
		if in.TermsSource == nil {
			v.add("null", "termsSource", "Member must not be null")
		}
		if in.Enforcement == nil {
			v.add("null", "enforcement", "Member must not be null")
		}
	} else {
		v.checkRequiredString("termsId", in.TermsId, 1, 64, &patTermsID)
		v.checkString("termsName", in.TermsName, 1, 50, &patTermsName)
	}
	v.checkEnum("termsSource", in.TermsSource, termsSourceValues)
	v.checkEnum("enforcement", in.Enforcement, termsEnforcementValues)
	if len(in.Links) > maxTermsLinks {
		v.add("'{...}'", "links", fmt.Sprintf("Member must have length less than or equal to %d", maxTermsLinks))
	}
	for _, k := range sortedKeys(in.Links) {
		val := in.Links[k]
		for _, c := range stringConstraints(val, 1, 1024, &patURL) {
			v.add(quote(val), "links."+k+".member.value", c)
		}
	}
	if err := v.err(); err != nil {
		return err
	}
	for _, k := range sortedKeys(in.Links) {
		if !reTermsLanguage.MatchString(k) {
			// Not a message Cognito is known to use for an unknown language key.
			return invalidParameter("Links key %s is not cognito:default or a supported cognito:<language>.", k)
		}
	}
	return nil
}

// termsKind is "terms-of-use" or "privacy-policy", the document type a
// TermsName must begin with, or "".
func termsKind(name string) string {
	for _, k := range termsKinds {
		if strings.HasPrefix(name, k) {
			return k
		}
	}
	return ""
}

func termsKey(poolID, id string) string { return settingKey(poolID, "terms", id) }

func listTerms(tx handler.Tx, poolID string) ([]handler.Record, []terms, error) {
	recs, err := tx.List(typePoolSettings, termsKey(poolID, "")+"|")
	if err != nil {
		return nil, nil, fmt.Errorf("list terms of %s: %w", poolID, err)
	}
	out := make([]terms, 0, len(recs))
	for _, r := range recs {
		var t terms
		if err := decodeRaw(r.Model, &t); err != nil {
			return nil, nil, err
		}
		out = append(out, t)
	}
	return recs, out, nil
}

// checkTermsRules applies the rules beyond shapes to t (new or updated):
// the name's document type, links for cognito:default, one document of
// each type per client.
func checkTermsRules(tx handler.Tx, t *terms) error {
	kind := termsKind(t.TermsName)
	if kind == "" {
		// Not a message Cognito is known to use; the rule is AWS's.
		return invalidParameter("TermsName must begin with terms-of-use or privacy-policy.")
	}
	if _, ok := t.Links["cognito:default"]; !ok {
		// Not a message Cognito is known to use for a missing default link.
		return invalidParameter("Links must include cognito:default.")
	}
	_, all, err := listTerms(tx, t.UserPoolId)
	if err != nil {
		return err
	}
	for _, o := range all {
		if o.TermsId != t.TermsId && o.ClientId == t.ClientId && termsKind(o.TermsName) == kind {
			// Not a message Cognito is known to use; the exception is AWS's.
			return apiErrorf(typeTermsExists, "Client %s already has %s terms: %s.", t.ClientId, kind, o.TermsId)
		}
	}
	return nil
}

func opCreateTerms(_ context.Context, env handler.Env, tx handler.Tx, body []byte) (any, error) {
	var in termsInput
	if err := decodeBody(body, &in); err != nil {
		return nil, err
	}
	t, err := createTerms(env, tx, &in, requestID(env.Rand))
	if err != nil {
		return nil, err
	}
	return map[string]any{"Terms": t}, nil
}

// createTerms checks and stores new terms with the given id (the IdP
// operation draws it; Cloud Control's Prepare has drawn it already).
func createTerms(env handler.Env, tx handler.Tx, in *termsInput, id string) (*terms, error) {
	if err := in.check(true); err != nil {
		return nil, err
	}
	if _, err := loadPool(tx, *in.UserPoolId); err != nil {
		return nil, err
	}
	if _, err := loadClient(tx, *in.UserPoolId, *in.ClientId); err != nil {
		return nil, err
	}
	t := &terms{
		TermsId: id, UserPoolId: *in.UserPoolId, ClientId: *in.ClientId, TermsName: *in.TermsName,
		TermsSource: *in.TermsSource, Enforcement: *in.Enforcement, Links: in.Links,
		CreationDate: epochSeconds(env.Now), LastModifiedDate: epochSeconds(env.Now),
	}
	if t.Links == nil {
		t.Links = map[string]string{}
	}
	if err := checkTermsRules(tx, t); err != nil {
		return nil, err
	}
	if err := putJSON(tx, typePoolSettings, termsKey(t.UserPoolId, t.TermsId), t); err != nil {
		return nil, err
	}
	return t, nil
}

func loadTerms(tx handler.Tx, in *termsInput) (*terms, error) {
	if _, err := loadPool(tx, *in.UserPoolId); err != nil {
		return nil, err
	}
	var t terms
	found, err := getJSON(tx, typePoolSettings, termsKey(*in.UserPoolId, *in.TermsId), &t)
	if err != nil {
		return nil, err
	}
	if !found {
		// Not a message Cognito is known to use for unknown terms.
		return nil, resourceNotFound("Terms %s do not exist.", *in.TermsId)
	}
	return &t, nil
}

func opDescribeTerms(_ context.Context, _ handler.Env, tx handler.Tx, body []byte) (any, error) {
	var in termsInput
	if err := decodeBody(body, &in); err != nil {
		return nil, err
	}
	if err := in.check(false); err != nil {
		return nil, err
	}
	t, err := loadTerms(tx, &in)
	if err != nil {
		return nil, err
	}
	return map[string]any{"Terms": t}, nil
}

func opUpdateTerms(_ context.Context, env handler.Env, tx handler.Tx, body []byte) (any, error) {
	var in termsInput
	if err := decodeBody(body, &in); err != nil {
		return nil, err
	}
	if err := in.check(false); err != nil {
		return nil, err
	}
	t, err := loadTerms(tx, &in)
	if err != nil {
		return nil, err
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
	if in.Links != nil {
		t.Links = in.Links
	}
	if err := checkTermsRules(tx, t); err != nil {
		return nil, err
	}
	t.LastModifiedDate = epochSeconds(env.Now)
	if err := putJSON(tx, typePoolSettings, termsKey(t.UserPoolId, t.TermsId), t); err != nil {
		return nil, err
	}
	return map[string]any{"Terms": t}, nil
}

func opDeleteTerms(_ context.Context, _ handler.Env, tx handler.Tx, body []byte) (any, error) {
	var in termsInput
	if err := decodeBody(body, &in); err != nil {
		return nil, err
	}
	if err := in.check(false); err != nil {
		return nil, err
	}
	t, err := loadTerms(tx, &in)
	if err != nil {
		return nil, err
	}
	if err := tx.Delete(typePoolSettings, termsKey(t.UserPoolId, t.TermsId)); err != nil {
		return nil, fmt.Errorf("delete terms %s: %w", t.TermsId, err)
	}
	return struct{}{}, nil
}

func opListTerms(_ context.Context, _ handler.Env, tx handler.Tx, body []byte) (any, error) {
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
	p, err := keyPage(tx, typePoolSettings, termsKey(*in.UserPoolId, "")+"|", size, in.NextToken, "ListTerms|"+*in.UserPoolId, nil)
	if err != nil {
		return nil, err
	}
	out := make([]map[string]any, 0, len(p.recs))
	for _, r := range p.recs {
		var t terms
		if err := decodeRaw(r.Model, &t); err != nil {
			return nil, err
		}
		out = append(out, map[string]any{"TermsId": t.TermsId, "TermsName": t.TermsName, "Enforcement": t.Enforcement,
			"CreationDate": t.CreationDate, "LastModifiedDate": t.LastModifiedDate})
	}
	res := map[string]any{"Terms": out}
	if p.next != "" {
		res["NextToken"] = p.next
	}
	return res, nil
}
