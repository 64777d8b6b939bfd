package cognito

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"github.com/ccql/ccql/internal/handler"
	"github.com/ccql/ccql/internal/store"
)

// readCounter is the store's Tx counting the records handed out: Get, List
// (the whole-set read, also counted apart) and ListAfter.
type readCounter struct {
	handler.Tx
	reads, lists int
}

func (c *readCounter) Get(typeName, id string) (json.RawMessage, error) {
	m, err := c.Tx.Get(typeName, id)
	if err == nil {
		c.reads++
	}
	return m, err
}

func (c *readCounter) List(typeName, prefix string) ([]handler.Record, error) {
	recs, err := c.Tx.List(typeName, prefix)
	c.lists++
	c.reads += len(recs)
	return recs, err
}

func (c *readCounter) ListAfter(typeName, prefix, after string, limit int) ([]handler.Record, error) {
	recs, err := c.Tx.(handler.TxPager).ListAfter(typeName, prefix, after, limit)
	c.reads += len(recs)
	return recs, err
}

// pagingStore is the IdP API over the real store for the paging tests.
type pagingStore struct {
	t   *testing.T
	st  *store.SQLite
	p   store.Partition
	env handler.Env
	ops map[string]Operation
}

func newPagingStore(t *testing.T) *pagingStore {
	t.Helper()
	st, err := store.Open(context.Background(), "")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	p := store.Partition{Account: "123456789012", Region: "us-east-1"}
	return &pagingStore{t: t, st: st, p: p, ops: Operations(),
		env: handler.Env{Account: p.Account, Region: p.Region, Now: time.Date(2026, 9, 1, 12, 0, 0, 0, time.UTC), Rand: rand.NewChaCha8([32]byte{5})}}
}

func (s *pagingStore) call(tx handler.Tx, op, body string) (map[string]any, error) {
	out, err := s.ops[op](context.Background(), s.env, tx, []byte(body))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", op, err)
	}
	b, err := json.Marshal(out)
	if err != nil {
		return nil, err
	}
	var m map[string]any
	return m, json.Unmarshal(b, &m)
}

// update runs fn in one write transaction.
func (s *pagingStore) update(fn func(tx handler.Tx) error) {
	s.t.Helper()
	if err := s.st.Update(context.Background(), func(stx store.Tx) error { return fn(store.Scope(stx, s.p)) }); err != nil {
		s.t.Fatal(err)
	}
}

// pages pages op (body: the request's members but the token) through
// tokenMember and returns every item's idKey; each page must hold limit
// items while more follow, list nothing whole and read at most maxReads
// records.
func (s *pagingStore) pages(op, body, itemsKey, tokenMember, idKey string, limit, maxReads int) []string {
	s.t.Helper()
	var got []string
	token := ""
	for page := 0; ; page++ {
		req := "{" + body
		if token != "" {
			req += fmt.Sprintf(`,%q:%q`, tokenMember, token)
		}
		var out map[string]any
		var tx readCounter
		err := s.st.View(context.Background(), func(stx store.Tx) error {
			tx = readCounter{Tx: store.Scope(stx, s.p)}
			var err error
			out, err = s.call(&tx, op, req+"}")
			return err
		})
		if err != nil {
			s.t.Fatalf("%s page %d: %v", op, page, err)
		}
		if tx.lists > 0 || tx.reads > maxReads {
			s.t.Fatalf("%s page %d read %d records in %d whole-set lists; want at most %d and none", op, page, tx.reads, tx.lists, maxReads)
		}
		items := out[itemsKey].([]any)
		next, _ := out[tokenMember].(string)
		if next != "" && len(items) != limit {
			s.t.Fatalf("%s page %d has %d items and more follow, want %d", op, page, len(items), limit)
		}
		for _, it := range items {
			got = append(got, it.(map[string]any)[idKey].(string))
		}
		if next == "" {
			return got
		}
		token = next
	}
}

// TestIdPPaging_AuthEvents pages AdminListUserAuthEvents over a user's
// 1,500 events: newest first, as AWS lists them, each page read from the
// index (about a page of records, no whole-set list).
func TestIdPPaging_AuthEvents(t *testing.T) {
	if testing.Short() {
		t.Skip("stores a thousand events")
	}
	s := newPagingStore(t)
	const n, limit = 1500, 60
	var pool string
	var ids []string // oldest first
	s.update(func(tx handler.Tx) error {
		out, err := s.call(tx, "CreateUserPool", `{"PoolName":"audited","UserPoolTier":"PLUS","UserPoolAddOns":{"AdvancedSecurityMode":"AUDIT"}}`)
		if err != nil {
			return err
		}
		pool = out["UserPool"].(map[string]any)["Id"].(string)
		for _, name := range []string{"alice", "bob"} {
			if _, err := s.call(tx, "AdminCreateUser", `{"UserPoolId":"`+pool+`","Username":"`+name+`","MessageAction":"SUPPRESS"}`); err != nil {
				return err
			}
		}
		cfg, alice, err := eventsUser(tx, pool, "alice")
		if err != nil {
			return err
		}
		_, bob, err := eventsUser(tx, pool, "bob")
		if err != nil {
			return err
		}
		for range n {
			for _, u := range []*user{alice, bob} { // bob's events sit beside alice's
				ev, err := newEvent(s.env, tx, cfg.ID, u, "SignIn")
				if err != nil {
					return err
				}
				ev.EventResponse = "Pass"
				if err := ev.save(tx); err != nil {
					return err
				}
				if u == alice {
					ids = append(ids, ev.EventId)
				}
			}
		}
		return nil
	})
	// The page, the next event, and the pool's and user's records.
	got := s.pages("AdminListUserAuthEvents", fmt.Sprintf(`"UserPoolId":%q,"Username":"alice","MaxResults":%d`, pool, limit),
		"AuthEvents", "NextToken", "EventId", limit, limit+1+6)
	slices.Reverse(ids)
	if !slices.Equal(got, ids) {
		t.Errorf("paged %d events, want alice's %d newest first", len(got), len(ids))
	}
}

// TestIdPPaging_AdminListDevices pages AdminListDevices over a user's
// 1,000 devices, in device key order, a page from the index at a time.
func TestIdPPaging_AdminListDevices(t *testing.T) {
	if testing.Short() {
		t.Skip("stores a thousand devices")
	}
	s := newPagingStore(t)
	const n, limit = 1000, 60
	var pool string
	var keys []string
	s.update(func(tx handler.Tx) error {
		out, err := s.call(tx, "CreateUserPool", `{"PoolName":"devices"}`)
		if err != nil {
			return err
		}
		pool = out["UserPool"].(map[string]any)["Id"].(string)
		cfg, err := loadPoolConfig(tx, pool)
		if err != nil {
			return err
		}
		for _, name := range []string{"alice", "bob"} {
			if _, err := s.call(tx, "AdminCreateUser", `{"UserPoolId":"`+pool+`","Username":"`+name+`","MessageAction":"SUPPRESS"}`); err != nil {
				return err
			}
			u, err := getUser(tx, cfg, name)
			if err != nil {
				return err
			}
			for i := range n {
				d := &deviceRecord{Key: fmt.Sprintf("us-east-1_%s-%04d", name, (i*37)%n), Sub: u.Sub, Username: name, Status: deviceStatuses[i%2]}
				if err := saveDevice(tx, pool, d); err != nil {
					return err
				}
				if name == "alice" {
					keys = append(keys, d.Key)
				}
			}
		}
		return nil
	})
	got := s.pages("AdminListDevices", fmt.Sprintf(`"UserPoolId":%q,"Username":"alice","Limit":%d`, pool, limit),
		"Devices", "PaginationToken", "DeviceKey", limit, limit+1+6)
	slices.Sort(keys)
	if !slices.Equal(got, keys) {
		t.Errorf("paged %d devices, want alice's %d in key order", len(got), len(keys))
	}
}
