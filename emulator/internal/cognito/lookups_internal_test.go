package cognito

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"testing"

	"github.com/ccql/ccql/internal/handler"
	"github.com/ccql/ccql/internal/store"
)

// signInPartition is a partition holding clients app clients spread over
// pools of at most MaxClientsPerPool, the first of which lets alice sign
// in with USER_PASSWORD_AUTH; it returns that client's id.
func signInPartition(s *pagingStore, clients int) (poolID, clientID string) {
	s.t.Helper()
	s.update(func(tx handler.Tx) error {
		var pool string
		for i := range clients {
			if i%MaxClientsPerPool == 0 {
				out, err := s.call(tx, "CreateUserPool", fmt.Sprintf(`{"PoolName":"p%d"}`, i))
				if err != nil {
					return err
				}
				pool = out["UserPool"].(map[string]any)["Id"].(string)
			}
			out, err := s.call(tx, "CreateUserPoolClient", fmt.Sprintf(`{"UserPoolId":%q,"ClientName":"c%d","ExplicitAuthFlows":["ALLOW_USER_PASSWORD_AUTH","ALLOW_REFRESH_TOKEN_AUTH"]}`, pool, i))
			if err != nil {
				return err
			}
			if i == clients/2 { // in the middle of the index, not first or last
				poolID, clientID = pool, out["UserPoolClient"].(map[string]any)["ClientId"].(string)
			}
		}
		if _, err := s.call(tx, "AdminCreateUser", fmt.Sprintf(`{"UserPoolId":%q,"Username":"alice","MessageAction":"SUPPRESS"}`, poolID)); err != nil {
			return err
		}
		_, err := s.call(tx, "AdminSetUserPassword", fmt.Sprintf(`{"UserPoolId":%q,"Username":"alice","Password":"Passw0rd!x","Permanent":true}`, poolID))
		return err
	})
	return poolID, clientID
}

// signInReads signs alice in through clientID in one write transaction
// and returns the records it read.
func signInReads(s *pagingStore, clientID string) readCounter {
	s.t.Helper()
	var tx readCounter
	err := s.st.Update(context.Background(), func(stx store.Tx) error {
		tx = readCounter{Tx: store.Scope(stx, s.p)}
		out, err := s.call(&tx, "InitiateAuth", fmt.Sprintf(`{"ClientId":%q,"AuthFlow":"USER_PASSWORD_AUTH","AuthParameters":{"USERNAME":"alice","PASSWORD":"Passw0rd!x"}}`, clientID))
		if err != nil {
			return err
		}
		if out["AuthenticationResult"] == nil {
			return fmt.Errorf("InitiateAuth answered %v, want tokens", out)
		}
		return nil
	})
	if err != nil {
		s.t.Fatal(err)
	}
	return tx
}

// TestLookups_SignInReadsConstant signs in through one client of 50 and of
// 5,000 in the partition: the client is found by its id from an index,
// so the sign-in reads the same few records at both sizes and lists no
// whole set.
func TestLookups_SignInReadsConstant(t *testing.T) {
	if testing.Short() {
		t.Skip("creates 5,000 app clients")
	}
	reads := map[int]int{}
	for _, n := range []int{50, 5000} {
		s := newPagingStore(t)
		_, client := signInPartition(s, n)
		signInReads(s, client) // the first sign-in may create the pool's signing keys
		tx := signInReads(s, client)
		t.Logf("InitiateAuth with %d clients in the partition: %d records read, %d whole-set lists", n, tx.reads, tx.lists)
		reads[n] = tx.reads
	}
	if reads[5000] != reads[50] || reads[50] > 20 {
		t.Errorf("InitiateAuth read %d records with 50 clients and %d with 5,000; want the same few", reads[50], reads[5000])
	}
}

// clientIndexEntries returns the client-id index of the partition.
func clientIndexEntries(s *pagingStore) []string {
	s.t.Helper()
	var out []string
	err := s.st.View(context.Background(), func(stx store.Tx) error {
		recs, err := store.Scope(stx, s.p).List(typeClientIndex, "")
		for _, r := range recs {
			out = append(out, r.Identifier)
		}
		return err
	})
	if err != nil {
		s.t.Fatal(err)
	}
	return out
}

func equalSets(a, b []string) bool {
	a, b = slices.Clone(a), slices.Clone(b)
	slices.Sort(a)
	slices.Sort(b)
	return slices.Equal(a, b)
}

// TestLookups_ClientIndexFollowsEveryPath creates and deletes clients
// through the IdP API and the Cloud Control handler, and deletes pools
// through both: the index holds exactly the stored clients after each.
func TestLookups_ClientIndexFollowsEveryPath(t *testing.T) {
	s := newPagingStore(t)
	ctx := context.Background()
	var pools []string
	var ch, ph handler.Handler = clientHandler{}, poolHandler{}
	s.update(func(tx handler.Tx) error {
		for i := range 3 {
			out, err := s.call(tx, "CreateUserPool", fmt.Sprintf(`{"PoolName":"p%d"}`, i))
			if err != nil {
				return err
			}
			pools = append(pools, out["UserPool"].(map[string]any)["Id"].(string))
		}
		return nil
	})
	want := func() []string {
		var out []string
		err := s.st.View(ctx, func(stx store.Tx) error {
			recs, err := store.Scope(stx, s.p).List(typeUserPoolClient, "")
			for _, r := range recs {
				p, c, _ := splitClientIdentifier(r.Identifier)
				out = append(out, clientIndexKey(p, c))
			}
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		return out
	}
	check := func(step string, n int) {
		t.Helper()
		got, w := clientIndexEntries(s), want()
		if len(w) != n || !equalSets(got, w) {
			t.Fatalf("after %s: index %v, stored clients %v (want %d)", step, got, w, n)
		}
	}
	var idp, cc []string // "<pool>|<client>"
	s.update(func(tx handler.Tx) error {
		for _, pool := range pools {
			for i := range 2 {
				out, err := s.call(tx, "CreateUserPoolClient", fmt.Sprintf(`{"UserPoolId":%q,"ClientName":"idp%d"}`, pool, i))
				if err != nil {
					return err
				}
				idp = append(idp, pool+"|"+out["UserPoolClient"].(map[string]any)["ClientId"].(string))
				m, err := ch.Prepare(s.env, map[string]any{"UserPoolId": pool, "ClientName": fmt.Sprintf("cc%d", i)})
				if err != nil {
					return err
				}
				if m, err = ch.Create(ctx, s.env, tx, m); err != nil {
					return err
				}
				cc = append(cc, pool+"|"+m["ClientId"].(string))
			}
		}
		return nil
	})
	check("creating 6 clients through each API", 12)
	s.update(func(tx handler.Tx) error {
		p, c, _ := splitClientIdentifier(idp[0])
		if _, err := s.call(tx, "DeleteUserPoolClient", fmt.Sprintf(`{"UserPoolId":%q,"ClientId":%q}`, p, c)); err != nil {
			return err
		}
		return ch.Delete(ctx, s.env, tx, cc[0])
	})
	check("deleting a client through each API", 10)
	// Every client is found by its id alone, and a deleted one is not.
	s.update(func(tx handler.Tx) error {
		for i, key := range append(slices.Clone(idp), cc...) {
			p, c, _ := splitClientIdentifier(key)
			gotPool, _, err := lookupClient(tx, c)
			deleted := i == 0 || i == len(idp)
			switch {
			case deleted && !isNotFound(err):
				return fmt.Errorf("deleted client %s: lookup answered %v, want not found", key, err)
			case !deleted && (err != nil || gotPool != p):
				return fmt.Errorf("client %s: lookup answered pool %q, %v", key, gotPool, err)
			}
		}
		return nil
	})
	s.update(func(tx handler.Tx) error {
		if _, err := s.call(tx, "DeleteUserPool", fmt.Sprintf(`{"UserPoolId":%q}`, pools[0])); err != nil {
			return err
		}
		return ph.Delete(ctx, s.env, tx, pools[1])
	})
	check("deleting a pool through each API", 4)
}

// dropClientIndex makes the partition look as an older ccql left it:
// clients and no index.
func dropClientIndex(s *pagingStore) {
	s.t.Helper()
	s.update(func(tx handler.Tx) error {
		recs, err := tx.List(typeClientIndex, "")
		if err != nil {
			return err
		}
		for _, r := range recs {
			if err := tx.Delete(typeClientIndex, r.Identifier); err != nil {
				return err
			}
		}
		return deleteIfPresent(tx, typeIndexState, clientIndexMarker)
	})
}

// lookupReads looks clientID up in a read-only or a write transaction and
// returns what it read and whether it found the client.
func lookupReads(s *pagingStore, clientID string, write bool) (readCounter, bool) {
	s.t.Helper()
	var tx readCounter
	found := false
	run := func(stx store.Tx) error {
		tx = readCounter{Tx: store.Scope(stx, s.p)}
		_, _, err := lookupClient(&tx, clientID)
		if err != nil && !isNotFound(err) {
			return err
		}
		found = err == nil
		return nil
	}
	var err error
	if write {
		err = s.st.Update(context.Background(), run)
	} else {
		err = s.st.View(context.Background(), run)
	}
	if err != nil {
		s.t.Fatal(err)
	}
	return tx, found
}

// TestLookups_ClientIndexOfOlderStores: a store whose clients have no
// index entries (written by an older ccql) still finds them; a read-only
// lookup scans without writing, a write transaction's lookup builds the
// index, and from then on a hit or a miss reads a couple of records. An
// unknown client in a built partition is never a scan.
func TestLookups_ClientIndexOfOlderStores(t *testing.T) {
	s := newPagingStore(t)
	_, client := signInPartition(s, 40)
	if tx, found := lookupReads(s, "nosuchclient0000000000000", true); found || tx.lists > 0 || tx.reads > 1 {
		t.Fatalf("an unknown client in a built partition: found %v, %d reads, %d lists; want not found, at most 1 read, no list", found, tx.reads, tx.lists)
	}
	dropClientIndex(s)
	for range 2 { // a read-only transaction writes nothing: it scans again
		tx, found := lookupReads(s, client, false)
		if !found || tx.lists != 1 {
			t.Fatalf("read-only lookup in an unindexed partition: found %v, %d lists; want found by a scan", found, tx.lists)
		}
	}
	if got := clientIndexEntries(s); len(got) != 0 {
		t.Fatalf("a read-only lookup wrote index entries %v", got)
	}
	if tx, found := lookupReads(s, client, true); !found || tx.lists != 1 {
		t.Fatalf("write lookup in an unindexed partition: found %v, %d lists; want found by a scan", found, tx.lists)
	}
	if got := clientIndexEntries(s); len(got) != 40 {
		t.Fatalf("the write lookup built %d index entries, want 40", len(got))
	}
	for _, id := range []string{client, "nosuchclient0000000000000"} {
		tx, found := lookupReads(s, id, false)
		if found != (id == client) || tx.lists > 0 || tx.reads > 4 {
			t.Errorf("lookup of %s after the backfill: found %v, %d reads, %d lists; want a few reads and no list", id, found, tx.reads, tx.lists)
		}
	}
	// BackfillIndexes (the emulator's, at start and after a load) and
	// createClient build it as well.
	for _, build := range []func(tx handler.Tx) error{
		BackfillIndexes,
		func(tx handler.Tx) error {
			pool, _ := lookupPoolOfAny(tx)
			_, err := s.call(tx, "CreateUserPoolClient", fmt.Sprintf(`{"UserPoolId":%q,"ClientName":"late"}`, pool))
			return err
		},
	} {
		dropClientIndex(s)
		n := len(clientIndexEntries(s))
		s.update(build)
		if got := len(clientIndexEntries(s)); got < 40 || n != 0 {
			t.Fatalf("the backfill built %d index entries, want every client's", got)
		}
		if tx, found := lookupReads(s, client, false); !found || tx.lists > 0 {
			t.Fatalf("lookup after the backfill: found %v, %d lists", found, tx.lists)
		}
	}
}

// lookupPoolOfAny returns the id of one pool of the partition.
func lookupPoolOfAny(tx handler.Tx) (string, error) {
	recs, err := tx.List(typeUserPool, "")
	if err != nil || len(recs) == 0 {
		return "", fmt.Errorf("no pool: %v", err)
	}
	return recs[0].Identifier, nil
}

// BenchmarkLookups_InitiateAuth is one USER_PASSWORD_AUTH sign-in over
// the store with 10 and with 10,000 app clients in the partition: the
// client lookup is one index seek, so both cost the same.
func BenchmarkLookups_InitiateAuth(b *testing.B) {
	for _, n := range []int{10, 10_000} {
		b.Run(fmt.Sprintf("clients=%d", n), func(b *testing.B) {
			t := &testing.T{}
			s := newPagingStore(t)
			_, client := signInPartition(s, n)
			if t.Failed() {
				b.Fatal("setup failed")
			}
			s.t = t
			for b.Loop() {
				signInReads(s, client)
			}
			if t.Failed() {
				b.Fatal("sign-in failed")
			}
		})
	}
}

// TestLookups_PasskeyIndex: the credential-id index follows registration,
// DeleteWebAuthnCredential, the user's and the pool's deletion; the
// duplicate check reads one entry, not the pool's passkeys; a pool whose
// passkeys have no entries (an older ccql's) is scanned once and indexed.
func TestLookups_PasskeyIndex(t *testing.T) {
	f := newPasskeyFixture(t, nil)
	entries := func() int {
		t.Helper()
		n, err := f.tx.Count(typeWebAuthnCredentialIndex, f.cfg.ID+"|")
		if err != nil {
			t.Fatal(err)
		}
		return n
	}
	owner := func(credID string) (bool, readCounter) {
		t.Helper()
		tx := readCounter{Tx: f.tx}
		ok, err := webAuthnCredentialOwner(&tx, f.cfg.ID, credID)
		if err != nil {
			t.Fatal(err)
		}
		return ok, tx
	}
	a, b := newSoftAuthenticator(t, -7), newSoftAuthenticator(t, -7)
	f.register(a)
	f.register(b)
	if n := entries(); n != 2 {
		t.Fatalf("%d index entries after two registrations, want 2", n)
	}
	for _, tc := range []struct {
		id   string
		want bool
	}{{a.id(), true}, {"bm90LXJlZ2lzdGVyZWQ", false}} {
		got, tx := owner(tc.id)
		if got != tc.want || tx.lists > 0 || tx.reads > 2 {
			t.Errorf("owner of %s: %v with %d reads and %d lists; want %v from the index", tc.id, got, tx.reads, tx.lists, tc.want)
		}
	}
	// A second registration of the same credential is refused.
	if err := f.complete(json.RawMessage(a.create(f.start(), passkeyOrigin, ceremony{}))); apiType(err) != typeInvalidParameter {
		t.Fatalf("registering a's credential again: %v, want InvalidParameterException", err)
	}
	f.mustCall(opDeleteWebAuthnCredential, map[string]any{"AccessToken": f.access, "CredentialId": a.id()})
	if got, _ := owner(a.id()); got || entries() != 1 {
		t.Fatalf("after DeleteWebAuthnCredential: owner %v, %d entries; want none for it", got, entries())
	}

	// An older store: b's passkey without its entry nor the marker.
	if err := f.tx.Delete(typeWebAuthnCredentialIndex, passkeyIndexKey(f.cfg.ID, b.id())); err != nil {
		t.Fatal(err)
	}
	if err := f.tx.Delete(typeIndexState, passkeyIndexMarker(f.cfg.ID)); err != nil {
		t.Fatal(err)
	}
	if got, tx := owner(b.id()); !got || tx.lists != 1 {
		t.Fatalf("owner of b in an unindexed pool: %v with %d lists; want found by a scan", got, tx.lists)
	}
	if got, tx := owner(b.id()); !got || tx.lists != 0 || entries() != 1 {
		t.Fatalf("owner of b after the scan: %v with %d lists, %d entries; want found from the index built by the scan", got, tx.lists, entries())
	}

	u := f.reload(&user{Username: "alice"})
	if err := removeUser(f.tx, f.cfg, u); err != nil {
		t.Fatal(err)
	}
	if n := entries(); n != 0 {
		t.Fatalf("%d index entries left after the user's deletion", n)
	}
	g := newPasskeyFixture(t, nil)
	g.register(newSoftAuthenticator(t, -7))
	if err := deletePool(g.tx, g.cfg.ID); err != nil {
		t.Fatal(err)
	}
	for _, typ := range []string{typeWebAuthnCredentialIndex, typeIndexState} {
		if n, _ := g.tx.Count(typ, g.cfg.ID+"|"); n != 0 {
			t.Errorf("%d %s records left after the pool's deletion", n, typ)
		}
	}
}

// TestLookups_EventIDs: an event id carries its sequence, so the feedback
// operations find an event with one Get whatever the user's number of
// events; a user whose first events were recorded by an older ccql
// (plain random ids) is still served, by a scan.
func TestLookups_EventIDs(t *testing.T) {
	s := newPagingStore(t)
	var pool string
	var cfg *poolConfig
	var who *user    // the user whose events are recorded
	var ids []string // oldest first
	record := func(tx handler.Tx, n int, legacy bool) error {
		for range n {
			ev, err := newEvent(s.env, tx, cfg.ID, who, eventSignIn)
			if err != nil {
				return err
			}
			if seq, ok := eventSeqOf(ev.EventId); !ok || eventKey(cfg.ID, who.Sub, seq) != ev.Key {
				return fmt.Errorf("event id %s does not lead to its key %s", ev.EventId, ev.Key)
			}
			if legacy { // as an older ccql drew it
				if ev.EventId, err = newUUID(s.env.Rand); err != nil {
					return err
				}
			}
			ev.EventResponse = responsePass
			if err := ev.save(tx); err != nil {
				return err
			}
			ids = append(ids, ev.EventId)
		}
		return nil
	}
	s.update(func(tx handler.Tx) error {
		out, err := s.call(tx, "CreateUserPool", `{"PoolName":"audited","UserPoolTier":"PLUS","UserPoolAddOns":{"AdvancedSecurityMode":"AUDIT"}}`)
		if err != nil {
			return err
		}
		pool = out["UserPool"].(map[string]any)["Id"].(string)
		if _, err := s.call(tx, "AdminCreateUser", `{"UserPoolId":"`+pool+`","Username":"alice","MessageAction":"SUPPRESS"}`); err != nil {
			return err
		}
		if cfg, who, err = eventsUser(tx, pool, "alice"); err != nil {
			return err
		}
		return record(tx, 300, false)
	})
	find := func(id string) (*storedEvent, readCounter) {
		t.Helper()
		var tx readCounter
		var ev *storedEvent
		err := s.st.View(context.Background(), func(stx store.Tx) error {
			tx = readCounter{Tx: store.Scope(stx, s.p)}
			var err error
			ev, err = findEvent(&tx, cfg.ID, who, id)
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		return ev, tx
	}
	for _, id := range []string{ids[0], ids[150], ids[299]} {
		if ev, tx := find(id); ev == nil || ev.EventId != id || tx.lists > 0 || tx.reads != 1 {
			t.Errorf("event %s: found %v with %d reads and %d lists; want it with one Get", id, ev != nil, tx.reads, tx.lists)
		}
	}
	for _, id := range []string{"00000000-0000-4000-8000-000000000000", "not-a-uuid", ids[5][:35] + "x"} {
		if ev, tx := find(id); ev != nil || tx.lists > 0 || tx.reads > 2 {
			t.Errorf("unknown event %s: found %v with %d reads and %d lists; want none with at most two Gets", id, ev != nil, tx.reads, tx.lists)
		}
	}
	// The feedback operation finds it through the API too.
	s.update(func(tx handler.Tx) error {
		_, err := s.call(tx, "AdminUpdateAuthEventFeedback", fmt.Sprintf(`{"UserPoolId":%q,"Username":"alice","EventId":%q,"FeedbackValue":"Invalid"}`, pool, ids[42]))
		return err
	})
	if ev, _ := find(ids[42]); ev == nil || ev.EventFeedback == nil || ev.EventFeedback.FeedbackValue != "Invalid" {
		t.Fatalf("feedback not stored on event %s: %+v", ids[42], ev)
	}

	// Bob's first events are an older ccql's, then this one's.
	ids = nil
	s.update(func(tx handler.Tx) error {
		if _, err := s.call(tx, "AdminCreateUser", `{"UserPoolId":"`+pool+`","Username":"bob","MessageAction":"SUPPRESS"}`); err != nil {
			return err
		}
		var err error
		if _, who, err = eventsUser(tx, pool, "bob"); err != nil {
			return err
		}
		if err := record(tx, 20, true); err != nil {
			return err
		}
		return record(tx, 20, false)
	})
	if ev, tx := find(ids[3]); ev == nil || ev.EventId != ids[3] || tx.lists != 1 {
		t.Errorf("older event %s: found %v with %d lists; want it by a scan", ids[3], ev != nil, tx.lists)
	}
	if ev, tx := find(ids[30]); ev == nil || ev.EventId != ids[30] || tx.lists != 0 || tx.reads != 1 {
		t.Errorf("newer event %s: found %v with %d reads and %d lists; want it with one Get", ids[30], ev != nil, tx.reads, tx.lists)
	}
	if ev, _ := find("00000000-0000-4000-8000-000000000000"); ev != nil {
		t.Errorf("an unknown event found among older ones")
	}
}

// TestLookups_LogRecordPages pages a pool's 2,000 log records: each page
// reads about its own records from the index (no whole-set list), with
// or without a source filter, and the pages together are the records.
func TestLookups_LogRecordPages(t *testing.T) {
	s := newPagingStore(t)
	const n, limit = 2000, 70
	pool := "us-east-1_LogPaging"
	s.update(func(tx handler.Tx) error {
		for i := 1; i <= n; i++ {
			src := "userAuthEvents"
			if i%4 == 0 {
				src = "userNotification"
			}
			if err := putJSON(tx, typeLogRecord, logRecordKey(pool, i), LogRecord{UserPoolId: pool, Sequence: i, EventSource: src}); err != nil {
				return err
			}
		}
		// A neighbour pool's records sit beside them.
		return putJSON(tx, typeLogRecord, logRecordKey(pool+"x", 1), LogRecord{UserPoolId: pool + "x", Sequence: 1, EventSource: "userAuthEvents"})
	})
	for _, source := range []string{"", "userAuthEvents"} {
		var got []int
		after := 0
		for page := 0; ; page++ {
			var tx readCounter
			var recs []LogRecord
			err := s.st.View(context.Background(), func(stx store.Tx) error {
				tx = readCounter{Tx: store.Scope(stx, s.p)}
				var err error
				recs, err = ListLogRecordsPage(&tx, pool, source, after, limit)
				return err
			})
			if err != nil {
				t.Fatal(err)
			}
			// A filtered page may read one chunk beyond what it keeps.
			if tx.lists > 0 || tx.reads > 2*limit+scanChunk {
				t.Fatalf("page %d (source %q) read %d records in %d whole-set lists", page, source, tx.reads, tx.lists)
			}
			for _, r := range recs {
				got = append(got, r.Sequence)
			}
			if len(recs) < limit {
				break
			}
			after = recs[len(recs)-1].Sequence
		}
		var want []int
		for i := 1; i <= n; i++ {
			if source == "" || i%4 != 0 {
				want = append(want, i)
			}
		}
		if !slices.Equal(got, want) {
			t.Errorf("source %q: paged %d records, want %d in sequence order", source, len(got), len(want))
		}
	}
	var all []LogRecord
	s.update(func(tx handler.Tx) (err error) {
		all, err = ListLogRecords(tx, pool, "")
		return err
	})
	if len(all) != n {
		t.Errorf("ListLogRecords returned %d records, want %d", len(all), n)
	}
}
