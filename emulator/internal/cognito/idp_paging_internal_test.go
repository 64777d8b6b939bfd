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

// TestIdPPaging_AuthEvents pages AdminListUserAuthEvents over a user's
// 1,500 events: newest first, as AWS lists them, each page read from the
// index (about a page of records, no whole-set list).
func TestIdPPaging_AuthEvents(t *testing.T) {
	if testing.Short() {
		t.Skip("stores a thousand events")
	}
	ctx := context.Background()
	st, err := store.Open(ctx, "")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	p := store.Partition{Account: "123456789012", Region: "us-east-1"}
	env := handler.Env{Account: p.Account, Region: p.Region, Now: time.Date(2026, 9, 1, 12, 0, 0, 0, time.UTC), Rand: rand.NewChaCha8([32]byte{5})}
	ops := Operations()
	call := func(tx handler.Tx, op, body string) (map[string]any, error) {
		out, err := ops[op](ctx, env, tx, []byte(body))
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
	const n, limit = 1500, 60
	var pool string
	var ids []string // oldest first
	err = st.Update(ctx, func(stx store.Tx) error {
		tx := store.Scope(stx, p)
		out, err := call(tx, "CreateUserPool", `{"PoolName":"audited","UserPoolTier":"PLUS","UserPoolAddOns":{"AdvancedSecurityMode":"AUDIT"}}`)
		if err != nil {
			return err
		}
		pool = out["UserPool"].(map[string]any)["Id"].(string)
		for _, name := range []string{"alice", "bob"} {
			if _, err := call(tx, "AdminCreateUser", `{"UserPoolId":"`+pool+`","Username":"`+name+`","MessageAction":"SUPPRESS"}`); err != nil {
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
				ev, err := newEvent(env, tx, cfg.ID, u, "SignIn")
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
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	token := ""
	for page := 0; ; page++ {
		body := fmt.Sprintf(`{"UserPoolId":%q,"Username":"alice","MaxResults":%d`, pool, limit)
		if token != "" {
			body += fmt.Sprintf(`,"NextToken":%q`, token)
		}
		var out map[string]any
		var tx readCounter
		err := st.View(ctx, func(stx store.Tx) error {
			tx = readCounter{Tx: store.Scope(stx, p)}
			var err error
			out, err = call(&tx, "AdminListUserAuthEvents", body+"}")
			return err
		})
		if err != nil {
			t.Fatalf("page %d: %v", page, err)
		}
		// The page, the next event, and the pool's and user's records.
		if tx.lists > 0 || tx.reads > limit+1+6 {
			t.Fatalf("page %d read %d records in %d whole-set lists; want at most %d and none", page, tx.reads, tx.lists, limit+7)
		}
		events := out["AuthEvents"].([]any)
		if next, _ := out["NextToken"].(string); next != "" && len(events) != limit {
			t.Fatalf("page %d has %d events and more follow, want %d", page, len(events), limit)
		}
		for _, e := range events {
			got = append(got, e.(map[string]any)["EventId"].(string))
		}
		next, _ := out["NextToken"].(string)
		if next == "" {
			break
		}
		token = next
	}
	slices.Reverse(ids)
	if !slices.Equal(got, ids) {
		t.Errorf("paged %d events, want alice's %d newest first", len(got), len(ids))
	}
}
