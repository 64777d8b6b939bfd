package emulator

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"slices"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	cc "github.com/aws/aws-sdk-go-v2/service/cloudcontrol"
	"github.com/aws/aws-sdk-go-v2/service/cloudcontrol/types"

	"github.com/ccql/ccql/emulator/internal/cognito"
	"github.com/ccql/ccql/emulator/internal/generic"
	"github.com/ccql/ccql/internal/cfnschema"
	"github.com/ccql/ccql/internal/handler"
	"github.com/ccql/ccql/internal/schema"
	"github.com/ccql/ccql/internal/store"
)

// exclusionsFile lists the types the walk does not expect to pass, one
// "TypeName<TAB>reason" a line; # starts a comment.
const exclusionsFile = "internal/generic/testdata/exclusions.txt"

func readExclusions(t *testing.T) map[string]string {
	t.Helper()
	f, err := os.Open(exclusionsFile)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	out := map[string]string{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		tn, reason, _ := strings.Cut(line, "\t")
		out[tn] = strings.TrimSpace(reason)
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// newWalkServer returns a server with the Cognito handlers and a generic
// handler for every other type of the full registry. It registers them
// all up front, which works whether or not the core resolves types
// lazily; types whose schema the core cannot compile are returned with
// the reason.
func newWalkServer(t *testing.T, reg *schema.Registry) (*Server, map[string]string) {
	t.Helper()
	hand := cognito.Handlers(reg)
	hs := slices.Clone(hand)
	uncompiled := map[string]string{}
	for _, tn := range reg.TypeNames() {
		if slices.ContainsFunc(hand, func(h handler.Handler) bool { return h.TypeName() == tn }) {
			continue
		}
		res, err := reg.Lookup(tn)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := newTypeInfo(res); err != nil {
			uncompiled[tn] = err.Error()
			continue
		}
		h, err := generic.New(res)
		if err != nil {
			t.Fatal(err)
		}
		hs = append(hs, h)
	}
	s, err := newServer(Options{}, reg, hs, cognito.Operations())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := s.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	return s, uncompiled
}

// TestGeneric_walkEveryType creates, reads, lists, updates and deletes one
// resource of every provisionable type through the Cloud Control API, from
// a minimal desired state synthesised from the type's schema.
func TestGeneric_walkEveryType(t *testing.T) {
	if testing.Short() {
		t.Skip("walks 1,490 types")
	}
	reg := schema.NewFullRegistry()
	s, uncompiled := newWalkServer(t, reg)
	if len(uncompiled) > 0 {
		// The jsonschema-based validator the core had before cfnschema
		// rejects Java patterns and remote $schema URLs; the walk is
		// meaningful only once the core validates with cfnschema.
		t.Skipf("the core cannot compile %d schemas (e.g. %s); the walk needs the core to validate with internal/cfnschema", len(uncompiled), firstKey(uncompiled))
	}
	excluded := readExclusions(t)
	w := &walker{s: s, api: s.CloudControl(""), ctx: context.Background(), p: store.Partition{Account: "000000000000", Region: "us-east-1"}}
	w.pool = w.userPool(t)

	var passed, skipped atomic.Int64
	names := reg.TypeNames()
	t.Run("types", func(t *testing.T) {
		for _, tn := range names {
			t.Run(tn, func(t *testing.T) {
				t.Parallel()
				if reason, ok := uncompiled[tn]; ok {
					skipped.Add(1)
					t.Skipf("the core cannot compile the schema: %s", reason)
				}
				if reason, ok := excluded[tn]; ok {
					skipped.Add(1)
					t.Skipf("excluded: %s", reason)
				}
				w.walk(t, reg, tn)
				if !t.Failed() {
					passed.Add(1)
				}
			})
		}
	})
	t.Logf("%d types: %d passed, %d skipped (%d excluded, %d uncompilable), %d failed; updates: %d changed a property, %d restated the model, %d found no new value",
		len(names), passed.Load(), skipped.Load(), len(excluded), len(uncompiled), int64(len(names))-passed.Load()-skipped.Load(),
		w.updated.Load(), w.restated.Load(), w.unchanged.Load())
	for tn := range excluded {
		if !slices.Contains(names, tn) {
			t.Errorf("%s excludes %s, which is not a type", exclusionsFile, tn)
		}
	}
}

type walker struct {
	// updated counts types whose update changed a property, restated the
	// types updated with a test operation only (every property create-only
	// or read-only), unchanged those where no new valid value was found.
	updated, restated, unchanged atomic.Int64

	s      *Server
	api    *CloudControl
	ctx    context.Context
	p      store.Partition
	pool   string // a user pool, for the Cognito types that need one
	client string // an app client of pool, for the types of cognitoClientTypes
}

func (w *walker) userPool(t *testing.T) string {
	t.Helper()
	out, err := w.api.CreateResource(w.ctx, &cc.CreateResourceInput{TypeName: aws.String("AWS::Cognito::UserPool"), DesiredState: aws.String(`{"UserPoolName":"walk"}`)})
	if err != nil {
		t.Fatal(err)
	}
	if ev := w.finish(t, out.ProgressEvent); ev.OperationStatus != types.OperationStatusSuccess {
		t.Fatalf("create user pool: %s %s", ev.OperationStatus, aws.ToString(ev.StatusMessage))
	}
	pool := aws.ToString(out.ProgressEvent.Identifier)
	// The group and the user that UserPoolUserToGroupAttachment joins, and
	// the client of the client's settings.
	for _, r := range []struct{ typeName, desired string }{
		{"AWS::Cognito::UserPoolGroup", `{"UserPoolId":"` + pool + `","GroupName":"walk-group"}`},
		{"AWS::Cognito::UserPoolUser", `{"UserPoolId":"` + pool + `","Username":"walk-user","MessageAction":"SUPPRESS"}`},
		{"AWS::Cognito::UserPoolClient", `{"UserPoolId":"` + pool + `","ClientName":"walk-client"}`},
	} {
		out, err := w.api.CreateResource(w.ctx, &cc.CreateResourceInput{TypeName: aws.String(r.typeName), DesiredState: aws.String(r.desired)})
		if err != nil {
			t.Fatal(err)
		}
		if ev := w.finish(t, out.ProgressEvent); ev.OperationStatus != types.OperationStatusSuccess {
			t.Fatalf("create %s: %s %s", r.typeName, ev.OperationStatus, aws.ToString(ev.StatusMessage))
		}
		if r.typeName == "AWS::Cognito::UserPoolClient" {
			_, w.client, _ = strings.Cut(aws.ToString(out.ProgressEvent.Identifier), "|")
		}
	}
	return pool
}

// finish completes a request now (completing is idempotent, so racing the
// worker is fine) and returns its final event.
func (w *walker) finish(t *testing.T, ev *types.ProgressEvent) *types.ProgressEvent {
	t.Helper()
	if err := w.s.core.complete(w.ctx, w.p, aws.ToString(ev.RequestToken)); err != nil {
		t.Fatalf("complete %s: %v", aws.ToString(ev.RequestToken), err)
	}
	out, err := w.api.GetResourceRequestStatus(w.ctx, &cc.GetResourceRequestStatusInput{RequestToken: ev.RequestToken})
	if err != nil {
		t.Fatalf("GetResourceRequestStatus: %v", err)
	}
	return out.ProgressEvent
}

func topLevel(paths []string) []string {
	var out []string
	for _, p := range paths {
		if rest, ok := strings.CutPrefix(p, "/properties/"); ok && !strings.Contains(rest, "/") {
			out = append(out, rest)
		}
	}
	return out
}

func (w *walker) walk(t *testing.T, reg *schema.Registry, tn string) {
	res, err := reg.Lookup(tn)
	if err != nil {
		t.Fatal(err)
	}
	sch, err := cfnschema.Compile(res.Raw)
	if err != nil {
		t.Fatal(err)
	}
	readOnly, writeOnly, createOnly := topLevel(res.ReadOnly), topLevel(res.WriteOnly), topLevel(res.CreateOnly)
	desired, err := sch.Example(cfnschema.ExampleOptions{Omit: readOnly, Prefer: res.IdentifierProperties()})
	if err != nil {
		t.Fatalf("synthesise a desired state: %v", err)
	}
	// The list handler's required properties say which parent a resource
	// belongs to; set them so the resource can be listed.
	for _, k := range res.Handlers["list"].Required {
		if _, ok := desired[k]; ok || slices.Contains(readOnly, k) {
			continue
		}
		if node, ok := sch.Property(k); ok {
			if v, err := node.Example(nil); err == nil {
				desired[k] = v
			}
		}
	}
	if fix, ok := cognitoDesired[tn]; ok {
		// Cognito's own rules go beyond its schemas.
		for k, v := range fix {
			desired[k] = v
		}
	}
	if _, ok := desired["UserPoolId"]; ok && strings.HasPrefix(tn, "AWS::Cognito::") {
		desired["UserPoolId"] = w.pool
	}
	if cognitoClientTypes[tn] {
		desired["ClientId"] = w.client
	}
	doc, _ := json.Marshal(desired)

	// Create.
	out, err := w.api.CreateResource(w.ctx, &cc.CreateResourceInput{TypeName: aws.String(tn), DesiredState: aws.String(string(doc))})
	if err != nil {
		t.Fatalf("CreateResource %s: %v", doc, err)
	}
	id := aws.ToString(out.ProgressEvent.Identifier)
	if id == "" {
		t.Fatalf("CreateResource %s: no Identifier in %+v", doc, out.ProgressEvent)
	}
	if ev := w.finish(t, out.ProgressEvent); ev.OperationStatus != types.OperationStatusSuccess {
		t.Fatalf("create %s ended %s: %s %s", doc, ev.OperationStatus, ev.ErrorCode, aws.ToString(ev.StatusMessage))
	}

	// Read: what we asked for is there, write-only properties are not.
	var got map[string]any
	if res.HasHandler("read") {
		got = w.get(t, tn, id)
		visible := without(jsonRoundTrip(desired).(map[string]any), handler.SplitPaths(res.WriteOnly))
		for k, v := range desired {
			if slices.Contains(writeOnly, k) {
				if _, ok := got[k]; ok {
					t.Errorf("GetResource shows write-only %s", k)
				}
				continue
			}
			if !contains(got[k], visible[k]) {
				t.Errorf("GetResource %s = %s, want %s", k, canon(got[k]), canon(v))
			}
		}
		for _, k := range res.IdentifierProperties() {
			if _, ok := walkValue(got, strings.Split(k, "/")); !ok {
				t.Errorf("GetResource has no identifier property %s", k)
			}
		}
		// The stored model stays valid, or no later update could pass the
		// core's validation of the patched model.
		stored := fillIn(jsonRoundTrip(got), jsonRoundTrip(desired)).(map[string]any)
		if msgs := sch.Validate(stored); len(msgs) > 0 {
			t.Errorf("the stored model %s does not validate: %v", canon(stored), msgs)
		}
	} else {
		_, err := w.api.GetResource(w.ctx, &cc.GetResourceInput{TypeName: aws.String(tn), Identifier: aws.String(id)})
		var ua *types.UnsupportedActionException
		if !errors.As(err, &ua) {
			t.Errorf("GetResource of a type without a read handler: %v, want UnsupportedActionException", err)
		}
		got = jsonRoundTrip(desired).(map[string]any)
	}

	// List, with the list handler's required properties from the model.
	if res.HasHandler("list") {
		rm := map[string]any{}
		for _, k := range res.Handlers["list"].Required {
			if v, ok := got[k]; ok {
				rm[k] = v
			} else if v, ok := desired[k]; ok {
				rm[k] = v
			}
		}
		rmDoc, _ := json.Marshal(rm)
		found := false
		var next *string
		for range 100 {
			lo, err := w.api.ListResources(w.ctx, &cc.ListResourcesInput{TypeName: aws.String(tn), ResourceModel: aws.String(string(rmDoc)), NextToken: next})
			if err != nil {
				t.Fatalf("ListResources %s: %v", rmDoc, err)
			}
			for _, d := range lo.ResourceDescriptions {
				found = found || aws.ToString(d.Identifier) == id
			}
			if next = lo.NextToken; next == nil {
				break
			}
		}
		if !found {
			t.Errorf("ListResources %s does not list %s", rmDoc, id)
		}
	}

	// A second resource of the type, named differently where the user
	// names it, must not collide with the first.
	w.second(t, res, sch, id, desired, got, readOnly)

	// Update one mutable property.
	if res.HasHandler("update") {
		w.update(t, res, sch, id, desired, got, readOnly, createOnly, writeOnly)
	}

	// Delete.
	if res.HasHandler("delete") {
		do, err := w.api.DeleteResource(w.ctx, &cc.DeleteResourceInput{TypeName: aws.String(tn), Identifier: aws.String(id)})
		if err != nil {
			t.Fatalf("DeleteResource: %v", err)
		}
		if ev := w.finish(t, do.ProgressEvent); ev.OperationStatus != types.OperationStatusSuccess {
			t.Fatalf("delete ended %s: %s %s", ev.OperationStatus, ev.ErrorCode, aws.ToString(ev.StatusMessage))
		}
		if res.HasHandler("read") {
			_, err := w.api.GetResource(w.ctx, &cc.GetResourceInput{TypeName: aws.String(tn), Identifier: aws.String(id)})
			var nf *types.ResourceNotFoundException
			if !errors.As(err, &nf) {
				t.Errorf("GetResource after delete: %v, want ResourceNotFoundException", err)
			}
		}
	}
}

// second creates a second resource from desired with its user-chosen
// names changed, and checks both resources exist under distinct
// identifiers; then deletes the second. Creating it may fail AlreadyExists
// only when its identifier is entirely the user's choice and unchanged.
func (w *walker) second(t *testing.T, res *schema.Resource, sch *cfnschema.Schema, id string, desired, got map[string]any, readOnly []string) {
	tn := res.TypeName
	if reason, ok := oneOnly[tn]; ok {
		t.Logf("no second resource: %s", reason)
		return
	}
	desired2 := renamed(res, sch, desired, readOnly)
	doc, _ := json.Marshal(desired2)
	out, err := w.api.CreateResource(w.ctx, &cc.CreateResourceInput{TypeName: aws.String(tn), DesiredState: aws.String(string(doc))})
	if err != nil {
		t.Fatalf("second CreateResource %s: %v", doc, err)
	}
	ev := w.finish(t, out.ProgressEvent)
	if ev.OperationStatus != types.OperationStatusSuccess {
		if ev.ErrorCode == types.HandlerErrorCodeAlreadyExists && w.sameIdentity(res, sch, got, desired, desired2) {
			return
		}
		t.Fatalf("second create %s (first %s) ended %s: %s %s", doc, id, ev.OperationStatus, ev.ErrorCode, aws.ToString(ev.StatusMessage))
	}
	id2 := aws.ToString(ev.Identifier)
	if id2 == id {
		t.Fatalf("second create %s has the first's identifier %s", doc, id)
	}
	if res.HasHandler("read") {
		w.get(t, tn, id)
		w.get(t, tn, id2)
	}
	if res.HasHandler("delete") {
		do, err := w.api.DeleteResource(w.ctx, &cc.DeleteResourceInput{TypeName: aws.String(tn), Identifier: aws.String(id2)})
		if err != nil {
			t.Fatalf("DeleteResource %s: %v", id2, err)
		}
		if ev := w.finish(t, do.ProgressEvent); ev.OperationStatus != types.OperationStatusSuccess {
			t.Fatalf("delete %s ended %s: %s %s", id2, ev.OperationStatus, ev.ErrorCode, aws.ToString(ev.StatusMessage))
		}
	}
}

// oneOnly are the types the walk makes no second resource of, and why.
var oneOnly = map[string]string{
	// A handler's Prepare may not read state, so a generated version
	// number cannot be the parent's next one: every version is "1".
	"AWS::Bedrock::FlowVersion":                     "versions are numbered 1",
	"AWS::Bedrock::AutomatedReasoningPolicyVersion": "versions are numbered 1",
	"AWS::AppConfig::HostedConfigurationVersion":    "versions are numbered 1",
	"AWS::Lex::BotVersion":                          "versions are numbered 1",
	// Cognito keeps one of these per pool or client.
	"AWS::Cognito::LogDeliveryConfiguration": "one per user pool",
	"AWS::Cognito::ManagedLoginBranding":     "one style per app client",
	"AWS::Cognito::Terms":                    "one document of each kind per app client",
}

// renamed returns a copy of desired with new valid values for its
// user-chosen names: the string properties ending in Name, the type's own
// Id ("Id", "DetectorId" of a Detector), and Foo where the identifier has
// a FooArn (an association's Application) — but not the list handler's
// required properties, which name the parent the two resources share.
func renamed(res *schema.Resource, sch *cfnschema.Schema, desired map[string]any, readOnly []string) map[string]any {
	out := jsonRoundTrip(desired).(map[string]any)
	ids := res.IdentifierProperties()
	rnd := rand.New(rand.NewPCG(7, uint64(len(res.TypeName))))
	for _, p := range res.Properties {
		name := p.Name
		cur, ok := out[name].(string)
		_, fixed := cognitoDesired[res.TypeName][name] // Cognito's rules tie it to other values
		if !ok || fixed || slices.Contains(readOnly, name) || slices.Contains(res.Handlers["list"].Required, name) {
			continue
		}
		_, typeLast, _ := strings.Cut(strings.TrimPrefix(res.TypeName, "AWS::"), "::")
		if !strings.HasSuffix(name, "Name") && name != "Id" && name != typeLast+"Id" && !slices.Contains(ids, name+"Arn") {
			continue
		}
		node, ok := sch.Property(name)
		if !ok {
			continue
		}
		for range 8 {
			v, err := node.Example(rnd)
			if err != nil || v == cur {
				continue
			}
			out[name] = v
			if len(sch.Validate(jsonRoundTrip(out))) == 0 {
				break
			}
			out[name] = cur
		}
	}
	return out
}

// sameIdentity reports whether a second desired state names the same
// resource as the first (whose model is got): each identifier property is
// one the user set to the same value, a FooArn of the same Foo, or the
// account, the region or an enum value (a per-account singleton such as
// AWS::Macie::Session).
func (w *walker) sameIdentity(res *schema.Resource, sch *cfnschema.Schema, got, first, second map[string]any) bool {
	for _, p := range res.IdentifierProperties() {
		path := strings.Split(p, "/")
		if v, ok := walkValue(got, path); ok && (v == w.p.Account || v == w.p.Region) {
			continue
		}
		if node, ok := sch.Property(path...); ok && len(node.Enum()) > 0 {
			continue // one of each kind (DevOpsGuru's ResourceCollectionType)
		}
		if _, ok := walkValue(second, path); !ok {
			base, isArn := strings.CutSuffix(p, "Arn")
			if !isArn {
				return false
			}
			path = []string{base}
		}
		v2, ok2 := walkValue(second, path)
		v1, ok1 := walkValue(first, path)
		if !ok1 || !ok2 || canon(v1) != canon(v2) {
			return false
		}
	}
	return true
}

func (w *walker) get(t *testing.T, tn, id string) map[string]any {
	t.Helper()
	out, err := w.api.GetResource(w.ctx, &cc.GetResourceInput{TypeName: aws.String(tn), Identifier: aws.String(id)})
	if err != nil {
		t.Fatalf("GetResource %s: %v", id, err)
	}
	var m map[string]any
	if err := json.Unmarshal([]byte(aws.ToString(out.ResourceDescription.Properties)), &m); err != nil {
		t.Fatal(err)
	}
	return m
}

// update changes the first mutable top-level property (scalars first) to
// a new value the whole model stays valid with, and checks a read shows it.
func (w *walker) update(t *testing.T, res *schema.Resource, sch *cfnschema.Schema, id string, desired, got map[string]any, readOnly, createOnly, writeOnly []string) {
	// The stored model: the read plus the write-only values it hides.
	current := fillIn(jsonRoundTrip(got), jsonRoundTrip(desired)).(map[string]any)
	// Properties with read-only or create-only parts cannot be replaced
	// by a patch (Cloud Control refuses even an unchanged value).
	fixed := func(name string) bool {
		for _, p := range slices.Concat(res.ReadOnly, res.CreateOnly) {
			if p == "/properties/"+name || strings.HasPrefix(p, "/properties/"+name+"/") {
				return true
			}
		}
		return slices.Contains(res.IdentifierProperties(), name)
	}
	var cands []string
	for _, p := range res.Properties {
		if !fixed(p.Name) {
			cands = append(cands, p.Name)
		}
	}
	slices.SortStableFunc(cands, func(a, b string) int {
		na, _ := sch.Property(a)
		nb, _ := sch.Property(b)
		return boolToInt(!na.Scalar()) - boolToInt(!nb.Scalar())
	})
	rnd := rand.New(rand.NewPCG(42, uint64(len(res.TypeName))))
	if fix, ok := cognitoUpdate[res.TypeName]; ok {
		cands = []string{fix.name}
	}
	why := map[string]string{}
	for _, name := range cands {
		node, ok := sch.Property(name)
		if !ok {
			continue
		}
		for try := range 8 {
			v, err := node.Example(rnd)
			if try%2 == 1 {
				v, err = node.LargerExample(rnd)
			}
			if fix, ok := cognitoUpdate[res.TypeName]; ok {
				v, err = fix.value, nil
			}
			if err != nil || canon(v) == canon(current[name]) {
				why[name] = fmt.Sprintf("no new value (%v)", err)
				continue
			}
			patched := map[string]any{}
			for k, cv := range current {
				patched[k] = cv
			}
			patched[name] = v
			if msgs := sch.Validate(jsonRoundTrip(patched)); len(msgs) > 0 {
				why[name] = fmt.Sprintf("%s makes the model invalid: %v", canon(v), msgs)
				continue
			}
			patch, _ := json.Marshal([]map[string]any{{"op": "add", "path": "/" + name, "value": v}})
			uo, err := w.api.UpdateResource(w.ctx, &cc.UpdateResourceInput{TypeName: aws.String(res.TypeName), Identifier: aws.String(id), PatchDocument: aws.String(string(patch))})
			if err != nil {
				t.Fatalf("UpdateResource %s: %v", patch, err)
			}
			if ev := w.finish(t, uo.ProgressEvent); ev.OperationStatus != types.OperationStatusSuccess {
				t.Fatalf("update %s ended %s: %s %s", patch, ev.OperationStatus, ev.ErrorCode, aws.ToString(ev.StatusMessage))
			}
			w.updated.Add(1)
			if slices.Contains(writeOnly, name) || !res.HasHandler("read") {
				return
			}
			after := w.get(t, res.TypeName, id)
			want := without(jsonRoundTrip(map[string]any{name: v}).(map[string]any), handler.SplitPaths(res.WriteOnly))
			if !contains(after[name], want[name]) {
				t.Errorf("after update %s, GetResource %s = %s", patch, name, canon(after[name]))
			}
			return
		}
	}
	if len(cands) > 0 {
		w.unchanged.Add(1)
		t.Logf("no mutable property to update (of %d candidates: %v)", len(cands), why)
		return
	}
	// Every property is create-only or read-only: an update can only
	// restate the model; a test operation does, and must succeed.
	idProp := res.IdentifierProperties()[0]
	idVal, _ := walkValue(current, strings.Split(idProp, "/"))
	patch, _ := json.Marshal([]map[string]any{{"op": "test", "path": "/" + idProp, "value": idVal}})
	uo, err := w.api.UpdateResource(w.ctx, &cc.UpdateResourceInput{TypeName: aws.String(res.TypeName), Identifier: aws.String(id), PatchDocument: aws.String(string(patch))})
	if err != nil {
		t.Fatalf("UpdateResource %s: %v", patch, err)
	}
	if ev := w.finish(t, uo.ProgressEvent); ev.OperationStatus != types.OperationStatusSuccess {
		t.Fatalf("update %s ended %s: %s %s", patch, ev.OperationStatus, ev.ErrorCode, aws.ToString(ev.StatusMessage))
	}
	w.restated.Add(1)
}

// cognitoDesired completes the synthesised desired states of the Cognito
// types whose hand-written handlers apply Cognito's rules, which the
// schemas do not state.
var cognitoDesired = map[string]map[string]any{
	"AWS::Cognito::UserPoolUserToGroupAttachment": {"GroupName": "walk-group", "Username": "walk-user"},
	"AWS::Cognito::UserPoolReplica":               {"RegionName": "eu-west-1"},
	"AWS::Cognito::UserPoolIdentityProvider": {
		"ProviderName": "Google", "ProviderType": "Google",
		"ProviderDetails": map[string]any{"client_id": "walk-client", "client_secret": "walk-secret", "authorize_scopes": "openid"},
	},
	"AWS::Cognito::Terms": {"Links": map[string]any{"cognito:default": "https://example.com/terms"}},
}

// cognitoClientTypes are the Cognito types whose resources belong to an
// app client: the walk gives them its client.
var cognitoClientTypes = map[string]bool{
	"AWS::Cognito::UserPoolRiskConfigurationAttachment": true,
	"AWS::Cognito::UserPoolUICustomizationAttachment":   true,
	"AWS::Cognito::ManagedLoginBranding":                true,
	"AWS::Cognito::Terms":                               true,
}

// cognitoUpdate is the property the walk changes on the Cognito types
// whose rules the synthesised values would break.
var cognitoUpdate = map[string]struct {
	name  string
	value any
}{
	"AWS::Cognito::UserPoolIdentityProvider": {"AttributeMapping", map[string]any{"email": "email"}},
	// The walk's region is the pool's: the attachment is the primary's,
	// whose Status is ACTIVE.
	"AWS::Cognito::UserPoolRegionalConfigurationAttachment": {"UserPoolTags", map[string]any{"walk": "tag"}},
	"AWS::Cognito::Terms":                             {"Links", map[string]any{"cognito:default": "https://example.com/v2/terms"}},
	"AWS::Cognito::UserPoolUICustomizationAttachment": {"CSS", ".banner-customizable { color: red; }"},
	"AWS::Cognito::ManagedLoginBranding":              {"Settings", map[string]any{"categories": map[string]any{"global": map[string]any{"colorSchemeMode": "DARK"}}}},
	"AWS::Cognito::LogDeliveryConfiguration": {"LogConfigurations", []any{map[string]any{"EventSource": "userNotification", "LogLevel": "ERROR",
		"CloudWatchLogsConfiguration": map[string]any{"LogGroupArn": "arn:aws:logs:us-east-1:000000000000:log-group:walk"}}}},
}

// contains reports whether got has everything want has: equal scalars,
// arrays of the same length with contained items, objects with at least
// want's keys (a service may add its own, like Cognito's provider details).
func contains(got, want any) bool {
	got, want = jsonRoundTrip(got), jsonRoundTrip(want)
	switch w := want.(type) {
	case map[string]any:
		g, ok := got.(map[string]any)
		if !ok {
			return false
		}
		for k, wv := range w {
			if !contains(g[k], wv) {
				return false
			}
		}
		return true
	case []any:
		g, ok := got.([]any)
		if !ok || len(g) != len(w) {
			return false
		}
		for i := range w {
			if !contains(g[i], w[i]) {
				return false
			}
		}
		return true
	}
	return canon(got) == canon(want)
}

// fillIn adds to got what from has and got lacks, recursively into
// objects (the write-only values a read hides, at any depth).
func fillIn(got, from any) any {
	g, ok1 := got.(map[string]any)
	f, ok2 := from.(map[string]any)
	if !ok1 || !ok2 {
		if got == nil {
			return from
		}
		return got
	}
	for k, fv := range f {
		g[k] = fillIn(g[k], fv)
	}
	return g
}

func boolToInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

func canon(v any) string {
	b, _ := json.Marshal(jsonRoundTrip(v))
	return string(b)
}

// jsonRoundTrip gives v the shapes encoding/json decodes to (float64
// numbers), as the server sees it.
func jsonRoundTrip(v any) any {
	b, err := json.Marshal(v)
	if err != nil {
		panic(fmt.Sprintf("encode %v: %v", v, err))
	}
	var out any
	if err := json.Unmarshal(b, &out); err != nil {
		panic(err)
	}
	return out
}

// walkValue returns the value at a path of object keys.
func walkValue(m map[string]any, path []string) (any, bool) {
	var cur any = m
	for _, k := range path {
		obj, ok := cur.(map[string]any)
		if !ok {
			return nil, false
		}
		if cur, ok = obj[k]; !ok {
			return nil, false
		}
	}
	return cur, true
}

func firstKey(m map[string]string) string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys[0]
}
