package emulator_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"net/http"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	cc "github.com/aws/aws-sdk-go-v2/service/cloudcontrol"

	"github.com/ccql/ccql/emulator"
)

func adminDo(t *testing.T, hc *http.Client, method, url string, body []byte, sign bool) (int, []byte) {
	t.Helper()
	req, err := http.NewRequest(method, url, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if sign {
		sum := sha256.Sum256(body)
		if err := v4.NewSigner().SignHTTP(context.Background(), aws.Credentials{AccessKeyID: "AKIDGOOD", SecretAccessKey: "good-secret"},
			req, hex.EncodeToString(sum[:]), "ccql", "us-east-1", time.Now()); err != nil {
			t.Fatal(err)
		}
	}
	resp, err := hc.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, b
}

// TestAdmin_stateAndHealth: the admin endpoints of a running server save a
// snapshot and load it back (every resource and request as saved), need a
// signature when credentials are set, and health reports readiness.
func TestAdmin_stateAndHealth(t *testing.T) {
	opts := emulator.Options{Credentials: map[string]string{"AKIDGOOD": "good-secret"}, Addr: "127.0.0.1:0"}
	s := emulator.NewTestServer(t, opts, memHandler{})
	hc := listenerClient(t, time.Minute)
	api := s.CloudControl("")
	ctx := context.Background()
	create := func(domain string) {
		t.Helper()
		if _, err := api.CreateResource(ctx, &cc.CreateResourceInput{TypeName: aws.String(domainType), DesiredState: aws.String(`{"UserPoolId":"p1","Domain":"` + domain + `"}`)}); err != nil {
			t.Fatal(err)
		}
		s.Settle()
	}
	exists := func(domain string) bool {
		_, err := api.GetResource(ctx, &cc.GetResourceInput{TypeName: aws.String(domainType), Identifier: aws.String("p1|" + domain)})
		return err == nil
	}
	requests := func() []string {
		out, err := api.ListResourceRequests(ctx, &cc.ListResourceRequestsInput{MaxResults: aws.Int32(100)})
		if err != nil {
			t.Fatal(err)
		}
		var toks []string
		for _, r := range out.ResourceRequestStatusSummaries {
			toks = append(toks, aws.ToString(r.RequestToken))
		}
		sort.Strings(toks)
		return toks
	}

	if code, body := adminDo(t, hc, http.MethodGet, s.URL()+"/_ccql/health", nil, false); code != 200 || !strings.Contains(string(body), `"status":"ok"`) {
		t.Errorf("health: %d %s", code, body)
	}
	create("kept")
	wantRequests := requests()
	if code, body := adminDo(t, hc, http.MethodPost, s.URL()+"/_ccql/state/save", nil, false); code != 400 || !strings.Contains(string(body), "MissingAuthenticationTokenException") {
		t.Errorf("unsigned save: %d %s", code, body)
	}
	code, snap := adminDo(t, hc, http.MethodPost, s.URL()+"/_ccql/state/save", nil, true)
	if code != 200 || !bytes.HasPrefix(snap, []byte("SQLite format 3\x00")) {
		t.Fatalf("save: %d %.100q", code, snap)
	}
	create("added-later")
	if _, err := api.DeleteResource(ctx, &cc.DeleteResourceInput{TypeName: aws.String(domainType), Identifier: aws.String("p1|kept")}); err != nil {
		t.Fatal(err)
	}
	s.Settle()
	if exists("kept") || !exists("added-later") {
		t.Fatal("changes after the save did not happen")
	}
	if code, body := adminDo(t, hc, http.MethodPost, s.URL()+"/_ccql/state/load", []byte("not a snapshot"), true); code != 400 {
		t.Errorf("load of garbage: %d %s", code, body)
	}
	if code, body := adminDo(t, hc, http.MethodPost, s.URL()+"/_ccql/state/load", snap, true); code != 200 {
		t.Fatalf("load: %d %s", code, body)
	}
	if !exists("kept") || exists("added-later") {
		t.Errorf("after load: kept %v, added-later %v; want the snapshot's state", exists("kept"), exists("added-later"))
	}
	if got := requests(); strings.Join(got, ",") != strings.Join(wantRequests, ",") {
		t.Errorf("requests after load = %v, want %v", got, wantRequests)
	}
	if code, _ := adminDo(t, hc, http.MethodGet, s.URL()+"/_ccql/nope", nil, false); code != 404 {
		t.Errorf("unknown admin path: %d", code)
	}
}
