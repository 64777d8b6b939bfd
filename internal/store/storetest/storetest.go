// Package storetest is the conformance suite every store.Store
// implementation passes: call Run from the implementation's tests.
package storetest

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/ccql/ccql/internal/store"
)

// Run runs the suite. newStore returns a fresh, empty store; Run closes it.
func Run(t *testing.T, newStore func(t *testing.T) store.Store) {
	tests := []struct {
		name string
		fn   func(t *testing.T, s store.Store)
	}{
		{"ModelsCRUD", testModelsCRUD},
		{"ModelsPartitioned", testModelsPartitioned},
		{"ModelsPrefix", testModelsPrefix},
		{"UpdateErrorRollsBack", testUpdateErrorRollsBack},
		{"UpdatePanicRollsBack", testUpdatePanicRollsBack},
		{"ViewIsReadOnly", testViewIsReadOnly},
		{"ConcurrentUpdates", testConcurrentUpdates},
		{"RequestRoundTrip", testRequestRoundTrip},
		{"RequestByClientToken", testRequestByClientToken},
		{"ActiveRequest", testActiveRequest},
		{"RequestsFilterAndPage", testRequestsFilterAndPage},
		{"UnfinishedAndExpiry", testUnfinishedAndExpiry},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := newStore(t)
			t.Cleanup(func() {
				if err := s.Close(); err != nil {
					t.Errorf("Close: %v", err)
				}
			})
			tt.fn(t, s)
		})
	}
}

var (
	pA = store.Partition{Account: "111111111111", Region: "us-east-1"}
	pB = store.Partition{Account: "111111111111", Region: "eu-west-1"}
	pC = store.Partition{Account: "222222222222", Region: "us-east-1"}
)

const typ = "AWS::Test::Thing"

func update(t *testing.T, s store.Store, fn func(store.Tx) error) {
	t.Helper()
	if err := s.Update(context.Background(), fn); err != nil {
		t.Fatalf("Update: %v", err)
	}
}

func view(t *testing.T, s store.Store, fn func(store.Tx) error) {
	t.Helper()
	if err := s.View(context.Background(), fn); err != nil {
		t.Fatalf("View: %v", err)
	}
}

func testModelsCRUD(t *testing.T, s store.Store) {
	update(t, s, func(tx store.Tx) error {
		return tx.PutModel(pA, typ, "a", json.RawMessage(`{"Name":"a","N":1}`))
	})
	view(t, s, func(tx store.Tx) error {
		m, err := tx.Model(pA, typ, "a")
		if err != nil {
			return err
		}
		if got, want := string(m), `{"Name":"a","N":1}`; got != want {
			t.Errorf("Model = %s, want %s", got, want)
		}
		if _, err := tx.Model(pA, typ, "missing"); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("Model(missing) err = %v, want ErrNotFound", err)
		}
		return nil
	})
	update(t, s, func(tx store.Tx) error {
		return tx.PutModel(pA, typ, "a", json.RawMessage(`{"Name":"a","N":2}`))
	})
	view(t, s, func(tx store.Tx) error {
		m, err := tx.Model(pA, typ, "a")
		if err != nil {
			return err
		}
		if got, want := string(m), `{"Name":"a","N":2}`; got != want {
			t.Errorf("Model after replace = %s, want %s", got, want)
		}
		return nil
	})
	update(t, s, func(tx store.Tx) error { return tx.DeleteModel(pA, typ, "a") })
	update(t, s, func(tx store.Tx) error {
		if err := tx.DeleteModel(pA, typ, "a"); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("second DeleteModel err = %v, want ErrNotFound", err)
		}
		if _, err := tx.Model(pA, typ, "a"); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("Model after delete err = %v, want ErrNotFound", err)
		}
		return nil
	})
}

func testModelsPartitioned(t *testing.T, s store.Store) {
	update(t, s, func(tx store.Tx) error {
		for i, p := range []store.Partition{pA, pB, pC} {
			if err := tx.PutModel(p, typ, "x", json.RawMessage(fmt.Sprintf(`{"P":%d}`, i))); err != nil {
				return err
			}
		}
		return tx.PutModel(pA, "AWS::Test::Other", "x", json.RawMessage(`{"P":9}`))
	})
	view(t, s, func(tx store.Tx) error {
		for i, p := range []store.Partition{pA, pB, pC} {
			m, err := tx.Model(p, typ, "x")
			if err != nil {
				return err
			}
			if got, want := string(m), fmt.Sprintf(`{"P":%d}`, i); got != want {
				t.Errorf("%v: Model = %s, want %s", p, got, want)
			}
			if n, err := tx.CountModels(p, typ, ""); err != nil || n != 1 {
				t.Errorf("%v: CountModels = %d, %v; want 1", p, n, err)
			}
		}
		// Partitions lists where a type has models, in order.
		parts, err := tx.Partitions(typ)
		if err != nil {
			return err
		}
		want := []store.Partition{pA, pB, pC}
		sort.Slice(want, func(i, j int) bool {
			if want[i].Account != want[j].Account {
				return want[i].Account < want[j].Account
			}
			return want[i].Region < want[j].Region
		})
		if fmt.Sprint(parts) != fmt.Sprint(want) {
			t.Errorf("Partitions(%s) = %v, want %v", typ, parts, want)
		}
		if parts, err := tx.Partitions("AWS::Test::Other"); err != nil || len(parts) != 1 || parts[0] != pA {
			t.Errorf("Partitions(Other) = %v, %v; want [%v]", parts, err, pA)
		}
		if parts, err := tx.Partitions("AWS::Test::None"); err != nil || len(parts) != 0 {
			t.Errorf("Partitions(None) = %v, %v; want none", parts, err)
		}
		// The handler view sees only its partition.
		h := store.Scope(tx, pB)
		recs, err := h.List(typ, "")
		if err != nil {
			return err
		}
		if len(recs) != 1 || string(recs[0].Model) != `{"P":1}` {
			t.Errorf("Scope(pB).List = %+v", recs)
		}
		return nil
	})
}

func testModelsPrefix(t *testing.T, s store.Store) {
	ids := []string{"p1|c2", "p1|c1", "p10|c1", "p2|c1", "p1\xff|x"}
	update(t, s, func(tx store.Tx) error {
		for _, id := range ids {
			if err := tx.PutModel(pA, typ, id, json.RawMessage(`{}`)); err != nil {
				return err
			}
		}
		return nil
	})
	tests := []struct {
		prefix string
		want   []string
	}{
		{"", []string{"p1\xff|x", "p1|c1", "p1|c2", "p10|c1", "p2|c1"}},
		{"p1|", []string{"p1|c1", "p1|c2"}},
		{"p1", []string{"p1\xff|x", "p1|c1", "p1|c2", "p10|c1"}},
		{"p1\xff", []string{"p1\xff|x"}},
		{"zz", nil},
	}
	view(t, s, func(tx store.Tx) error {
		for _, tt := range tests {
			recs, err := tx.Models(pA, typ, tt.prefix)
			if err != nil {
				return err
			}
			var got []string
			for _, r := range recs {
				got = append(got, r.Identifier)
			}
			want := sortedBytes(tt.want)
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("Models(%q) mismatch (-want +got):\n%s", tt.prefix, diff)
			}
			n, err := tx.CountModels(pA, typ, tt.prefix)
			if err != nil {
				return err
			}
			if n != len(tt.want) {
				t.Errorf("CountModels(%q) = %d, want %d", tt.prefix, n, len(tt.want))
			}
		}
		return nil
	})
}

// sortedBytes sorts by byte order, the order identifiers are listed in.
func sortedBytes(in []string) []string {
	out := append([]string(nil), in...)
	for i := range out {
		for j := i + 1; j < len(out); j++ {
			if out[j] < out[i] {
				out[i], out[j] = out[j], out[i]
			}
		}
	}
	return out
}

func testUpdateErrorRollsBack(t *testing.T, s store.Store) {
	boom := errors.New("boom")
	err := s.Update(context.Background(), func(tx store.Tx) error {
		if err := tx.PutModel(pA, typ, "a", json.RawMessage(`{}`)); err != nil {
			return err
		}
		if err := tx.PutRequest(&store.Request{Token: "t1", Partition: pA, Operation: "CREATE", Status: store.StatusInProgress, TypeName: typ, Identifier: "a"}); err != nil {
			return err
		}
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatalf("Update err = %v, want boom", err)
	}
	view(t, s, func(tx store.Tx) error {
		if _, err := tx.Model(pA, typ, "a"); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("model survived a failed Update: err = %v", err)
		}
		if _, err := tx.Request(pA, "t1"); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("request survived a failed Update: err = %v", err)
		}
		return nil
	})
}

func testUpdatePanicRollsBack(t *testing.T, s store.Store) {
	func() {
		defer func() {
			if v := recover(); v != "kaboom" {
				t.Errorf("recovered %v, want kaboom", v)
			}
		}()
		s.Update(context.Background(), func(tx store.Tx) error { //nolint:errcheck // it panics
			tx.PutModel(pA, typ, "p", json.RawMessage(`{}`)) //nolint:errcheck
			panic("kaboom")
		})
	}()
	// The store still works and kept nothing.
	update(t, s, func(tx store.Tx) error { return tx.PutModel(pA, typ, "q", json.RawMessage(`{}`)) })
	view(t, s, func(tx store.Tx) error {
		if _, err := tx.Model(pA, typ, "p"); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("model survived a panicking Update: err = %v", err)
		}
		if _, err := tx.Model(pA, typ, "q"); err != nil {
			t.Errorf("Update after panic lost: %v", err)
		}
		return nil
	})
}

func testViewIsReadOnly(t *testing.T, s store.Store) {
	err := s.View(context.Background(), func(tx store.Tx) error {
		return tx.PutModel(pA, typ, "a", json.RawMessage(`{}`))
	})
	if err == nil {
		t.Fatal("PutModel in View succeeded")
	}
	view(t, s, func(tx store.Tx) error {
		if _, err := tx.Model(pA, typ, "a"); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("View wrote a model: err = %v", err)
		}
		return nil
	})
}

func testConcurrentUpdates(t *testing.T, s store.Store) {
	const n = 200
	var wg sync.WaitGroup
	errs := make(chan error, n)
	for i := range n {
		wg.Go(func() {
			errs <- s.Update(context.Background(), func(tx store.Tx) error {
				id := fmt.Sprintf("id-%03d", i)
				if i%10 == 0 {
					tx.PutModel(pA, typ, id, json.RawMessage(`{}`)) //nolint:errcheck
					return errors.New("rejected")
				}
				return tx.PutModel(pA, typ, id, json.RawMessage(fmt.Sprintf(`{"I":%d}`, i)))
			})
		})
	}
	wg.Wait()
	close(errs)
	failed := 0
	for err := range errs {
		if err != nil {
			failed++
		}
	}
	if failed != n/10 {
		t.Errorf("%d Updates failed, want %d", failed, n/10)
	}
	view(t, s, func(tx store.Tx) error {
		c, err := tx.CountModels(pA, typ, "id-")
		if err != nil {
			return err
		}
		if c != n-n/10 {
			t.Errorf("CountModels = %d, want %d", c, n-n/10)
		}
		return nil
	})
}

func sampleRequest(token string, created time.Time) *store.Request {
	return &store.Request{
		Token:         token,
		Partition:     pA,
		Operation:     "CREATE",
		Status:        store.StatusInProgress,
		TypeName:      typ,
		Identifier:    "id-" + token,
		ErrorCode:     "",
		StatusMessage: "",
		ResourceModel: `{"A":1}`,
		ClientToken:   "ct-" + token,
		Fingerprint:   "fp-" + token,
		Payload:       json.RawMessage(`{"desired":{"A":1}}`),
		Created:       created,
		Updated:       created.Add(time.Millisecond),
		Due:           created.Add(time.Second),
		Owner:         "owner-1",
	}
}

func testRequestRoundTrip(t *testing.T, s store.Store) {
	t0 := time.Date(2026, 1, 2, 3, 4, 5, 678_000_000, time.UTC)
	want := sampleRequest("r1", t0)
	update(t, s, func(tx store.Tx) error { return tx.PutRequest(want) })
	view(t, s, func(tx store.Tx) error {
		got, err := tx.Request(pA, "r1")
		if err != nil {
			return err
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("Request mismatch (-want +got):\n%s", diff)
		}
		if _, err := tx.Request(pB, "r1"); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("Request from another region err = %v, want ErrNotFound", err)
		}
		return nil
	})
	// Replace: the status moves on.
	want.Status, want.ErrorCode, want.StatusMessage = store.StatusFailed, "NotFound", "gone"
	want.Payload = nil
	update(t, s, func(tx store.Tx) error { return tx.PutRequest(want) })
	view(t, s, func(tx store.Tx) error {
		got, err := tx.Request(pA, "r1")
		if err != nil {
			return err
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("Request after replace mismatch (-want +got):\n%s", diff)
		}
		return nil
	})
}

func testRequestByClientToken(t *testing.T, s store.Store) {
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	old := sampleRequest("old", t0)
	old.ClientToken = "same"
	newer := sampleRequest("new", t0.Add(time.Hour))
	newer.ClientToken = "same"
	update(t, s, func(tx store.Tx) error {
		if err := tx.PutRequest(old); err != nil {
			return err
		}
		return tx.PutRequest(newer)
	})
	tests := []struct {
		p     store.Partition
		token string
		since time.Time
		want  string // "" = not found
	}{
		{pA, "same", t0, "new"},
		{pA, "same", t0.Add(2 * time.Hour), ""},
		{pB, "same", t0, ""},
		{pA, "other", t0, ""},
		{pA, "", t0, ""},
	}
	view(t, s, func(tx store.Tx) error {
		for _, tt := range tests {
			r, err := tx.RequestByClientToken(tt.p, tt.token, tt.since)
			got := ""
			if err == nil {
				got = r.Token
			} else if !errors.Is(err, store.ErrNotFound) {
				return err
			}
			if got != tt.want {
				t.Errorf("RequestByClientToken(%v, %q, %v) = %q, want %q", tt.p, tt.token, tt.since, got, tt.want)
			}
		}
		return nil
	})
}

func testActiveRequest(t *testing.T, s store.Store) {
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	done := sampleRequest("done", t0)
	done.Identifier, done.Status = "res", store.StatusSuccess
	update(t, s, func(tx store.Tx) error { return tx.PutRequest(done) })
	view(t, s, func(tx store.Tx) error {
		if _, err := tx.ActiveRequest(pA, typ, "res"); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("ActiveRequest with only a terminal request err = %v, want ErrNotFound", err)
		}
		return nil
	})
	for _, status := range []string{store.StatusPending, store.StatusInProgress, store.StatusCancelInProgress} {
		live := sampleRequest("live", t0)
		live.Identifier, live.Status = "res", status
		update(t, s, func(tx store.Tx) error { return tx.PutRequest(live) })
		view(t, s, func(tx store.Tx) error {
			r, err := tx.ActiveRequest(pA, typ, "res")
			if err != nil {
				t.Errorf("ActiveRequest with a %s request: %v", status, err)
				return nil
			}
			if r.Token != "live" {
				t.Errorf("ActiveRequest = %s, want live", r.Token)
			}
			if _, err := tx.ActiveRequest(pB, typ, "res"); !errors.Is(err, store.ErrNotFound) {
				t.Errorf("ActiveRequest in another partition err = %v", err)
			}
			return nil
		})
	}
}

func testRequestsFilterAndPage(t *testing.T, s store.Store) {
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	ops := []string{"CREATE", "UPDATE", "DELETE"}
	statuses := []string{store.StatusSuccess, store.StatusFailed}
	update(t, s, func(tx store.Tx) error {
		for i := range 30 {
			r := sampleRequest(fmt.Sprintf("r%02d", i), t0.Add(time.Duration(i/2)*time.Second)) // pairs share a time
			r.Operation = ops[i%3]
			r.Status = statuses[i%2]
			if err := tx.PutRequest(r); err != nil {
				return err
			}
		}
		other := sampleRequest("elsewhere", t0)
		other.Partition = pC
		return tx.PutRequest(other)
	})
	page := func(f store.RequestFilter) []string {
		var all []string
		for {
			var got []*store.Request
			view(t, s, func(tx store.Tx) error {
				var err error
				got, err = tx.Requests(pA, f)
				return err
			})
			for _, r := range got {
				all = append(all, r.Token)
			}
			if len(got) < f.Limit || len(got) == 0 {
				return all
			}
			f.After = got[len(got)-1].Cursor()
		}
	}
	all := page(store.RequestFilter{Limit: 7})
	if len(all) != 30 {
		t.Fatalf("paged %d requests, want 30: %v", len(all), all)
	}
	if all[0] != "r29" || all[29] != "r00" {
		t.Errorf("not newest first: %v", all)
	}
	seen := map[string]bool{}
	for _, tok := range all {
		if seen[tok] {
			t.Errorf("duplicate %s across pages", tok)
		}
		seen[tok] = true
	}
	creates := page(store.RequestFilter{Limit: 100, Operations: []string{"CREATE"}, Statuses: []string{store.StatusFailed}})
	for _, tok := range creates {
		var i int
		fmt.Sscanf(tok, "r%d", &i)
		if i%3 != 0 || i%2 != 1 {
			t.Errorf("filter returned %s", tok)
		}
	}
	if len(creates) != 5 {
		t.Errorf("CREATE+FAILED = %v, want 5 requests", creates)
	}
	view(t, s, func(tx store.Tx) error {
		if _, err := tx.Requests(pA, store.RequestFilter{After: "garbage"}); err == nil {
			t.Error("Requests with a bad cursor succeeded")
		}
		return nil
	})
}

func testUnfinishedAndExpiry(t *testing.T, s store.Store) {
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	update(t, s, func(tx store.Tx) error {
		for i, st := range []string{store.StatusInProgress, store.StatusSuccess, store.StatusCancelInProgress, store.StatusFailed, store.StatusPending} {
			r := sampleRequest(fmt.Sprintf("u%d", i), t0.Add(time.Duration(i)*time.Hour))
			r.Status = st
			if i == 4 {
				r.Partition = pC
			}
			if err := tx.PutRequest(r); err != nil {
				return err
			}
		}
		return nil
	})
	view(t, s, func(tx store.Tx) error {
		got, err := tx.Unfinished(10)
		if err != nil {
			return err
		}
		var toks []string
		for _, r := range got {
			toks = append(toks, r.Token)
		}
		if diff := cmp.Diff([]string{"u0", "u2", "u4"}, toks); diff != "" {
			t.Errorf("Unfinished mismatch (-want +got):\n%s", diff)
		}
		return nil
	})
	update(t, s, func(tx store.Tx) error {
		n, err := tx.DeleteRequestsBefore(t0.Add(150 * time.Minute))
		if err != nil {
			return err
		}
		if n != 3 {
			t.Errorf("DeleteRequestsBefore removed %d, want 3", n)
		}
		return nil
	})
	view(t, s, func(tx store.Tx) error {
		if _, err := tx.Request(pA, "u2"); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("expired request still there: %v", err)
		}
		if _, err := tx.Request(pA, "u3"); err != nil {
			t.Errorf("young request gone: %v", err)
		}
		return nil
	})
}
