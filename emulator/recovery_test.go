package emulator

import (
	"context"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	cc "github.com/aws/aws-sdk-go-v2/service/cloudcontrol"
	"github.com/aws/aws-sdk-go-v2/service/cloudcontrol/types"

	"github.com/ccql/ccql/internal/cloudcontrol"
	"github.com/ccql/ccql/internal/schema"
	"github.com/ccql/ccql/internal/store"
)

var _ cloudcontrol.API = (*CloudControl)(nil)

// abandon stops s as a crash would: pending requests stay unfinished in
// the file.
func (s *Server) abandon(t *testing.T) {
	t.Helper()
	w := s.core.work
	w.mu.Lock()
	for token, d := range w.waiting {
		d.timer.Stop()
		delete(w.waiting, token)
	}
	w.mu.Unlock()
	close(s.stop)
	s.bgWG.Wait()
	if err := s.st.Close(); err != nil {
		t.Fatal(err)
	}
}

// A request left IN_PROGRESS by a process that died is finished by the
// next one to open the data directory.
func TestServer_RecoversOrphanedRequests(t *testing.T) {
	dir := t.TempDir()
	ctx := context.Background()
	a, err := NewServer(Options{DataDir: dir, Latency: time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	api := a.CloudControl("")
	var tokens []*string
	for range 3 {
		out, err := api.CreateResource(ctx, &cc.CreateResourceInput{TypeName: aws.String("AWS::Cognito::UserPool"), DesiredState: aws.String(`{"UserPoolName":"orphan"}`)})
		if err != nil {
			t.Fatal(err)
		}
		tokens = append(tokens, out.ProgressEvent.RequestToken)
	}
	a.abandon(t)

	// The dead process: a pid that cannot exist.
	st, err := store.Open(ctx, dir+"/"+store.FileName)
	if err != nil {
		t.Fatal(err)
	}
	if err := st.Update(ctx, func(tx store.Tx) error {
		rs, err := tx.Unfinished(10)
		if err != nil {
			return err
		}
		if len(rs) != 3 {
			t.Errorf("%d unfinished requests in the file, want 3", len(rs))
		}
		for _, r := range rs {
			r.Owner = "0:dead"
			if err := tx.PutRequest(r); err != nil {
				return err
			}
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	st.Close()

	b, err := NewServer(Options{DataDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	b.core.work.wg.Wait()
	api = b.CloudControl("")
	for _, tok := range tokens {
		out, err := api.GetResourceRequestStatus(ctx, &cc.GetResourceRequestStatusInput{RequestToken: tok})
		if err != nil {
			t.Fatal(err)
		}
		if out.ProgressEvent.OperationStatus != types.OperationStatusSuccess {
			t.Errorf("recovered request ended %s", out.ProgressEvent.OperationStatus)
		}
		if _, err := api.GetResource(ctx, &cc.GetResourceInput{TypeName: aws.String("AWS::Cognito::UserPool"), Identifier: out.ProgressEvent.Identifier}); err != nil {
			t.Errorf("recovered pool: %v", err)
		}
	}
}

// Requests of a live process are left to it.
func TestServer_LeavesLiveOwnersAlone(t *testing.T) {
	if !ownerAlive("1:init") {
		t.Error("pid 1 reported dead")
	}
	for _, o := range []string{"", "x", "0:dead", "-4:x", "2147483646:gone"} {
		if ownerAlive(o) {
			t.Errorf("ownerAlive(%q) = true", o)
		}
	}
}

// Close finishes accepted requests at once instead of waiting out the
// latency, and the state survives a reopen.
func TestServer_CloseDrains(t *testing.T) {
	dir := t.TempDir()
	ctx := context.Background()
	a, err := NewServer(Options{DataDir: dir, Latency: time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	out, err := a.CloudControl("").CreateResource(ctx, &cc.CreateResourceInput{TypeName: aws.String("AWS::Cognito::UserPool"), DesiredState: aws.String(`{"UserPoolName":"drained"}`)})
	if err != nil {
		t.Fatal(err)
	}
	if err := a.Close(); err != nil {
		t.Fatal(err)
	}
	b, err := NewServer(Options{DataDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	st, err := b.CloudControl("").GetResourceRequestStatus(ctx, &cc.GetResourceRequestStatusInput{RequestToken: out.ProgressEvent.RequestToken})
	if err != nil {
		t.Fatal(err)
	}
	if st.ProgressEvent.OperationStatus != types.OperationStatusSuccess {
		t.Errorf("after Close: %s", st.ProgressEvent.OperationStatus)
	}
}

func testRegistry(t testing.TB) *schema.Registry {
	t.Helper()
	return schema.NewRegistry()
}
