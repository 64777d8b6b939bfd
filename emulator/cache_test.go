package emulator_test

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	cc "github.com/aws/aws-sdk-go-v2/service/cloudcontrol"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"

	"github.com/ccql/ccql/emulator"
)

// TestReadCache_SharedDataDir: two servers on one data dir stand for two
// processes (ccql serve and ccql exec). Reads that one of them has cached
// must see what the other commits, at once, through GetResource and
// Cognito's DescribeUserPoolClient alike.
func TestReadCache_SharedDataDir(t *testing.T) {
	dir := t.TempDir()
	a := &env{t: t, s: emulator.NewTestServer(t, emulator.Options{DataDir: dir}), ctx: context.Background()}
	a.api = a.s.CloudControl("")
	b := &env{t: t, s: emulator.NewTestServer(t, emulator.Options{DataDir: dir}), ctx: context.Background()}
	b.api = b.s.CloudControl("")
	idpOf := func(s *emulator.Server) *cip.Client {
		return cip.NewFromConfig(sdkConfig(s.HTTPClient(), "AKID", "secret", "us-east-1"), func(o *cip.Options) {
			o.BaseEndpoint = aws.String(s.URL())
		})
	}
	idpA, idpB := idpOf(a.s), idpOf(b.s)

	pool := a.pool()
	id := a.client(pool, "")
	_, clientID, _ := strings.Cut(id, "|")
	describe := func(idp *cip.Client) string {
		t.Helper()
		out, err := idp.DescribeUserPoolClient(a.ctx, &cip.DescribeUserPoolClientInput{UserPoolId: aws.String(pool), ClientId: aws.String(clientID)})
		if err != nil {
			t.Fatalf("DescribeUserPoolClient: %v", err)
		}
		return aws.ToString(out.UserPoolClient.ClientName)
	}
	// Enough reads to pass every pooled read connection and fill the caches.
	const rounds = 12
	for range rounds {
		if got := a.get(clientType, id)["ClientName"]; got != "app" {
			t.Fatalf("ClientName = %v before any update", got)
		}
		if got := describe(idpA); got != "app" {
			t.Fatalf("described ClientName = %v before any update", got)
		}
	}

	for i, via := range []string{"cloud control on b", "cognito on b", "cloud control on a"} {
		name := fmt.Sprintf("name-%d", i)
		switch via {
		case "cloud control on b":
			ev, err := b.update(clientType, id, fmt.Sprintf(`[{"op":"replace","path":"/ClientName","value":%q}]`, name))
			if err != nil {
				t.Fatal(err)
			}
			b.mustSucceed(ev)
		case "cognito on b":
			if _, err := idpB.UpdateUserPoolClient(a.ctx, &cip.UpdateUserPoolClientInput{UserPoolId: aws.String(pool), ClientId: aws.String(clientID), ClientName: aws.String(name)}); err != nil {
				t.Fatal(err)
			}
		case "cloud control on a":
			ev, err := a.update(clientType, id, fmt.Sprintf(`[{"op":"replace","path":"/ClientName","value":%q}]`, name))
			if err != nil {
				t.Fatal(err)
			}
			a.mustSucceed(ev)
		}
		for range rounds {
			if got := a.get(clientType, id)["ClientName"]; got != name {
				t.Fatalf("after an update by %s: GetResource on a says ClientName %v, want %s", via, got, name)
			}
			if got := describe(idpA); got != name {
				t.Fatalf("after an update by %s: DescribeUserPoolClient on a says %v, want %s", via, got, name)
			}
		}
	}

	// A delete elsewhere makes the cached resource disappear too.
	ev, err := b.api.DeleteResource(b.ctx, &cc.DeleteResourceInput{TypeName: aws.String(clientType), Identifier: aws.String(id)})
	if err != nil {
		t.Fatal(err)
	}
	b.mustSucceed(ev.ProgressEvent)
	for range rounds {
		_, err := a.api.GetResource(a.ctx, &cc.GetResourceInput{TypeName: aws.String(clientType), Identifier: aws.String(id)})
		wantAPIError(t, err, "ResourceNotFoundException", "")
	}
}

// TestReadCache_ConcurrentReaders: while updates commit one after
// another, readers running all along never see a value older than the
// last update that had completed before their read began.
func TestReadCache_ConcurrentReaders(t *testing.T) {
	e := newEnv(t, emulator.Options{DataDir: t.TempDir()})
	pool := e.pool()
	id := e.client(pool, "")
	var latest atomic.Int64
	latest.Store(-1)
	stop := make(chan struct{})
	errs := make(chan error, 4)
	var wg sync.WaitGroup
	for range 4 {
		wg.Go(func() {
			for {
				select {
				case <-stop:
					return
				default:
				}
				floor := latest.Load()
				out, err := e.api.GetResource(e.ctx, &cc.GetResourceInput{TypeName: aws.String(clientType), Identifier: aws.String(id)})
				if err != nil {
					errs <- err
					return
				}
				var m struct{ ClientName string }
				if err := json.Unmarshal([]byte(aws.ToString(out.ResourceDescription.Properties)), &m); err != nil {
					errs <- err
					return
				}
				n := int64(-1)
				if v, ok := strings.CutPrefix(m.ClientName, "name-"); ok {
					n, _ = strconv.ParseInt(v, 10, 64)
				}
				if n < floor {
					errs <- fmt.Errorf("read ClientName %q after update %d had completed", m.ClientName, floor)
					return
				}
			}
		})
	}
	for i := range 30 {
		ev, err := e.update(clientType, id, fmt.Sprintf(`[{"op":"replace","path":"/ClientName","value":"name-%d"}]`, i))
		if err != nil {
			t.Fatal(err)
		}
		e.mustSucceed(ev)
		latest.Store(int64(i))
	}
	close(stop)
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}
