package cognito_test

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"github.com/ccql/ccql/emulator/internal/cognito"
	"github.com/ccql/ccql/internal/handler"
	"github.com/ccql/ccql/internal/store"
)

// countingTx is the store's handler.Tx (with its TxPager) counting the
// records each call hands the handler: what a page reads.
type countingTx struct {
	inner handler.Tx
	reads int // records returned by Get, List and ListAfter
	lists int // calls of List, the whole-set read
}

func (c *countingTx) Get(typeName, id string) (json.RawMessage, error) {
	m, err := c.inner.Get(typeName, id)
	if err == nil {
		c.reads++
	}
	return m, err
}

func (c *countingTx) Put(typeName, id string, m json.RawMessage) error {
	return c.inner.Put(typeName, id, m)
}

func (c *countingTx) Delete(typeName, id string) error { return c.inner.Delete(typeName, id) }

func (c *countingTx) List(typeName, prefix string) ([]handler.Record, error) {
	recs, err := c.inner.List(typeName, prefix)
	c.lists++
	c.reads += len(recs)
	return recs, err
}

func (c *countingTx) Count(typeName, prefix string) (int, error) {
	return c.inner.Count(typeName, prefix)
}

func (c *countingTx) ListAfter(typeName, prefix, after string, limit int) ([]handler.Record, error) {
	recs, err := c.inner.(handler.TxPager).ListAfter(typeName, prefix, after, limit)
	c.reads += len(recs)
	return recs, err
}

var _ handler.TxPager = (*countingTx)(nil)

// pageAll pages through h's list for rm the way the core does (limit+1
// asked, limit kept, the last identifier as the next cursor) and checks
// that each page reads at most about a page of records and never the whole
// set.
func pageAll(t *testing.T, st *store.SQLite, p store.Partition, env handler.Env, h handler.Handler, idOf func(map[string]any) string, rm map[string]any, limit int) []string {
	t.Helper()
	pager, ok := h.(handler.Pager)
	if !ok {
		t.Fatalf("%s is not a handler.Pager", h.TypeName())
	}
	var ids []string
	after := ""
	for page := 0; ; page++ {
		var models []map[string]any
		var tx countingTx
		err := st.View(context.Background(), func(stx store.Tx) error {
			tx = countingTx{inner: store.Scope(stx, p)}
			var err error
			models, err = pager.ListPage(context.Background(), env, &tx, rm, after, limit+1)
			return err
		})
		if err != nil {
			t.Fatalf("page %d: %v", page, err)
		}
		// The page itself (limit+1) and the pool's own records.
		if tx.lists > 0 || tx.reads > limit+1+4 {
			t.Fatalf("page %d of %s read %d records in %d full lists; a page of %d should read at most %d and list nothing whole",
				page, h.TypeName(), tx.reads, tx.lists, limit, limit+5)
		}
		more := len(models) > limit
		if more {
			models = models[:limit]
		}
		for _, m := range models {
			ids = append(ids, idOf(m))
		}
		if !more {
			return ids
		}
		if len(models) != limit {
			t.Fatalf("page %d has %d models and more follow, want %d", page, len(models), limit)
		}
		after = ids[len(ids)-1]
	}
}

func TestPager_ClientsAndUsers(t *testing.T) {
	if testing.Short() {
		t.Skip("creates thousands of clients and users")
	}
	ctx := context.Background()
	st, err := store.Open(ctx, "")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	p := store.Partition{Account: "123456789012", Region: testRegion}
	env := handler.Env{Account: p.Account, Region: p.Region, Now: time.Date(2026, 9, 1, 12, 0, 0, 0, time.UTC), Rand: rand.NewChaCha8([32]byte{7})}
	hs := map[string]handler.Handler{}
	for _, h := range cognito.Handlers(nil) {
		hs[h.TypeName()] = h
	}

	const nClients, nUsers = 1000, 2000 // 1,000 clients is a pool's quota
	var pool, other string
	var clients, users []string
	// The closure runs on the store's writer goroutine: it returns errors
	// rather than failing the test there.
	err = st.Update(ctx, func(stx store.Tx) error {
		tx := store.Scope(stx, p)
		mk := func(h handler.Handler, m map[string]any) (map[string]any, error) {
			m, err := h.Prepare(env, m)
			if err != nil {
				return nil, err
			}
			out, err := h.Create(ctx, env, tx, m)
			if err != nil {
				return nil, fmt.Errorf("create %s: %w", h.TypeName(), err)
			}
			return out, nil
		}
		m, err := mk(hs[poolTypeName], map[string]any{"UserPoolName": "big", "UsernameConfiguration": map[string]any{"CaseSensitive": false}})
		if err != nil {
			return err
		}
		pool = m["UserPoolId"].(string)
		if m, err = mk(hs[poolTypeName], map[string]any{"UserPoolName": "neighbour"}); err != nil {
			return err
		}
		other = m["UserPoolId"].(string)
		for i := range nClients {
			c, err := mk(hs[clientTypeName], map[string]any{"UserPoolId": pool, "ClientName": fmt.Sprintf("c%d", i)})
			if err != nil {
				return err
			}
			clients = append(clients, pool+"|"+c["ClientId"].(string))
			if i%100 == 0 { // the neighbour's clients sit beside them in the index
				if _, err := mk(hs[clientTypeName], map[string]any{"UserPoolId": other, "ClientName": "n"}); err != nil {
					return err
				}
			}
		}
		for i := range nUsers {
			// Mixed case: the pool compares names case-insensitively.
			name := fmt.Sprintf("User%04d", i)
			if i%2 == 1 {
				name = fmt.Sprintf("user%04d", i)
			}
			if _, err := mk(hs["AWS::Cognito::UserPoolUser"], map[string]any{"UserPoolId": pool, "Username": name, "MessageAction": "SUPPRESS"}); err != nil {
				return err
			}
			users = append(users, name)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}

	slices.Sort(clients)
	got := pageAll(t, st, p, env, hs[clientTypeName], func(m map[string]any) string { return m["UserPoolId"].(string) + "|" + m["ClientId"].(string) },
		map[string]any{"UserPoolId": pool}, 100)
	if !slices.Equal(got, clients) {
		t.Errorf("paged %d clients, want the pool's %d in identifier order", len(got), len(clients))
	}
	gotUsers := pageAll(t, st, p, env, hs["AWS::Cognito::UserPoolUser"], func(m map[string]any) string { return m["UserPoolId"].(string) + "|" + m["Username"].(string) },
		map[string]any{"UserPoolId": pool}, 97)
	var wantUsers []string
	for _, u := range users { // in the order of the folded names
		wantUsers = append(wantUsers, pool+"|"+u)
	}
	if !slices.Equal(gotUsers, wantUsers) {
		t.Errorf("paged %d users, want %d in the pool's name order; first %v", len(gotUsers), len(wantUsers), gotUsers[:min(3, len(gotUsers))])
	}
	pools := pageAll(t, st, p, env, hs[poolTypeName], func(m map[string]any) string { return m["UserPoolId"].(string) }, nil, 1)
	if want := []string{min(pool, other), max(pool, other)}; !slices.Equal(pools, want) {
		t.Errorf("pools %v, want %v", pools, want)
	}
}
