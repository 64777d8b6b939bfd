package cognito_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/ccql/ccql/emulator/internal/cognito"
	"github.com/ccql/ccql/internal/handler"
	"github.com/ccql/ccql/internal/store"
)

// idpStore is the IdP API over the real store, for paging tests: each
// call runs in its own transaction, through a countingTx.
type idpStore struct {
	t   *testing.T
	st  *store.SQLite
	p   store.Partition
	env handler.Env
	ops map[string]cognito.Operation
}

func newIdPStore(t *testing.T) *idpStore {
	t.Helper()
	st, err := store.Open(context.Background(), "")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	p := store.Partition{Account: "123456789012", Region: testRegion}
	return &idpStore{t: t, st: st, p: p, ops: cognito.Operations(),
		env: handler.Env{Account: p.Account, Region: p.Region, Now: time.Date(2026, 9, 1, 12, 0, 0, 0, time.UTC), Rand: rand.NewChaCha8([32]byte{9})}}
}

func decodeOut(out any) (map[string]any, error) {
	b, err := json.Marshal(out)
	if err != nil {
		return nil, err
	}
	var m map[string]any
	return m, json.Unmarshal(b, &m)
}

// batch runs calls (operation, body) in one write transaction.
func (s *idpStore) batch(calls func(call func(op, body string) (map[string]any, error)) error) {
	s.t.Helper()
	err := s.st.Update(context.Background(), func(stx store.Tx) error {
		tx := store.Scope(stx, s.p)
		return calls(func(op, body string) (map[string]any, error) {
			out, err := s.ops[op](context.Background(), s.env, tx, []byte(body))
			if err != nil {
				return nil, fmt.Errorf("%s %s: %w", op, body, err)
			}
			return decodeOut(out)
		})
	})
	if err != nil {
		s.t.Fatal(err)
	}
}

// read runs one read-only call and returns what it read.
func (s *idpStore) read(op, body string) (map[string]any, countingTx, error) {
	var out any
	var tx countingTx
	err := s.st.View(context.Background(), func(stx store.Tx) error {
		tx = countingTx{inner: store.Scope(stx, s.p)}
		var err error
		out, err = s.ops[op](context.Background(), s.env, &tx, []byte(body))
		return err
	})
	if err != nil {
		return nil, tx, err
	}
	m, err := decodeOut(out)
	return m, tx, err
}

// pageList pages op through its token (body makes a request from the
// token, "" for the first) and returns the pages' items as key(item); each
// page must list nothing whole and read at most maxReads records.
func (s *idpStore) pageList(op string, body func(token string) string, itemsKey, tokenKey string, key func(map[string]any) string, maxReads int) (pages [][]string, reads int) {
	s.t.Helper()
	token := ""
	for {
		out, tx, err := s.read(op, body(token))
		if err != nil {
			s.t.Fatalf("%s page %d: %v", op, len(pages), err)
		}
		if tx.lists > 0 || tx.reads > maxReads {
			s.t.Fatalf("%s page %d read %d records in %d whole-set lists; want at most %d and none", op, len(pages), tx.reads, tx.lists, maxReads)
		}
		reads += tx.reads
		items, _ := out[itemsKey].([]any)
		page := make([]string, 0, len(items))
		for _, it := range items {
			page = append(page, key(it.(map[string]any)))
		}
		pages = append(pages, page)
		next, _ := out[tokenKey].(string)
		if next == "" {
			return pages, reads
		}
		if len(pages) > 10000 {
			s.t.Fatalf("%s does not end", op)
		}
		token = next
	}
}

// chunked is want cut into pages of size.
func chunked(want []string, size int) [][]string {
	var out [][]string
	for len(want) > size {
		out = append(out, want[:size])
		want = want[size:]
	}
	return append(out, want)
}

func samePages(t *testing.T, what string, got, want [][]string) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%s: %d pages, want %d", what, len(got), len(want))
	}
	for i := range want {
		if !slices.Equal(got[i], want[i]) {
			t.Fatalf("%s: page %d is %v…, want %v…", what, i, got[i][:min(3, len(got[i]))], want[i][:min(3, len(want[i]))])
		}
	}
}

func bodyWith(base, tokenMember, token string) string {
	if token == "" {
		return "{" + base + "}"
	}
	return fmt.Sprintf("{%s,%q:%q}", base, tokenMember, token)
}

// TestIdPPaging_ListUsers pages ListUsers over thousands of users: every
// page is the next run of users in the pool's (case-folded) name order,
// and no page reads the whole pool, with or without a Filter; a Filter's
// pages together scan the pool about once.
func TestIdPPaging_ListUsers(t *testing.T) {
	if testing.Short() {
		t.Skip("creates thousands of users")
	}
	s := newIdPStore(t)
	const nUsers, limit = 3000, 60
	var pool, neighbour string
	var names, tenth []string
	s.batch(func(call func(op, body string) (map[string]any, error)) error {
		for i, name := range []string{"big", "neighbour"} {
			out, err := call("CreateUserPool", `{"PoolName":"`+name+`","UsernameConfiguration":{"CaseSensitive":false}}`)
			if err != nil {
				return err
			}
			id := out["UserPool"].(map[string]any)["Id"].(string)
			if i == 0 {
				pool = id
			} else {
				neighbour = id
			}
		}
		if _, err := call("CreateGroup", `{"UserPoolId":"`+pool+`","GroupName":"third"}`); err != nil {
			return err
		}
		for i := range nUsers {
			name := fmt.Sprintf("User%04d", i)
			if i%2 == 1 {
				name = strings.ToLower(name)
			}
			attrs := `[]`
			if i%10 == 0 {
				attrs = `[{"Name":"family_name","Value":"Tenth"}]`
				tenth = append(tenth, name)
			}
			if _, err := call("AdminCreateUser", `{"UserPoolId":"`+pool+`","Username":"`+name+`","MessageAction":"SUPPRESS","UserAttributes":`+attrs+`}`); err != nil {
				return err
			}
			if i%3 == 0 {
				if _, err := call("AdminAddUserToGroup", `{"UserPoolId":"`+pool+`","Username":"`+name+`","GroupName":"third"}`); err != nil {
					return err
				}
			}
			names = append(names, name)
			if i%100 == 0 { // the neighbour's users sit beside them in the index
				if _, err := call("AdminCreateUser", `{"UserPoolId":"`+neighbour+`","Username":"`+name+`","MessageAction":"SUPPRESS"}`); err != nil {
					return err
				}
			}
		}
		return nil
	})
	username := func(m map[string]any) string { return m["Username"].(string) }
	// A page reads its users, the next one, and the pool's own records.
	const overhead = 8

	got, _ := s.pageList("ListUsers", func(tok string) string {
		return bodyWith(fmt.Sprintf(`"UserPoolId":%q,"Limit":%d`, pool, limit), "PaginationToken", tok)
	}, "Users", "PaginationToken", username, limit+1+overhead)
	samePages(t, "ListUsers", got, chunked(names, limit))

	filter := `family_name = \"Tenth\"`
	got, reads := s.pageList("ListUsers", func(tok string) string {
		return bodyWith(fmt.Sprintf(`"UserPoolId":%q,"Limit":%d,"Filter":"%s"`, pool, limit, filter), "PaginationToken", tok)
	}, "Users", "PaginationToken", username, nUsers-1)
	samePages(t, "ListUsers with a Filter", got, chunked(tenth, limit))
	// Each page scans on from where the last stopped: the pages together
	// read the pool about once (plus a chunk read beyond each page).
	if max := nUsers + len(got)*(256+overhead); reads > max {
		t.Errorf("the filtered pages read %d records together, want at most %d (about one pass over %d users)", reads, max, nUsers)
	}

	var members []string
	for i, n := range names {
		if i%3 == 0 {
			members = append(members, n)
		}
	}
	got, _ = s.pageList("ListUsersInGroup", func(tok string) string {
		return bodyWith(fmt.Sprintf(`"UserPoolId":%q,"GroupName":"third","Limit":%d`, pool, limit), "NextToken", tok)
	}, "Users", "NextToken", username, nUsers-1)
	samePages(t, "ListUsersInGroup", got, chunked(members, limit))

	// Tokens stay bound to their list: another filter's, another list's or
	// a forged one is refused, never an empty page.
	first, _, err := s.read("ListUsers", fmt.Sprintf(`{"UserPoolId":%q,"Limit":2}`, pool))
	if err != nil {
		t.Fatal(err)
	}
	tok := first["PaginationToken"].(string)
	for _, tc := range []struct{ name, op, body string }{
		{"another filter", "ListUsers", fmt.Sprintf(`{"UserPoolId":%q,"Filter":"%s","PaginationToken":%q}`, pool, filter, tok)},
		{"another pool", "ListUsers", fmt.Sprintf(`{"UserPoolId":%q,"PaginationToken":%q}`, neighbour, tok)},
		{"another list", "ListUsersInGroup", fmt.Sprintf(`{"UserPoolId":%q,"GroupName":"third","NextToken":%q}`, pool, tok)},
		{"forged", "ListUsers", fmt.Sprintf(`{"UserPoolId":%q,"PaginationToken":"dXMtZWFzdC0xX3g"}`, pool)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out, _, err := s.read(tc.op, tc.body)
			var apiErr *cognito.APIError
			if !errors.As(err, &apiErr) || apiErr.Type != "InvalidParameterException" || apiErr.Message != "Invalid pagination token." {
				t.Errorf("got %v %v, want InvalidParameterException: Invalid pagination token.", out, err)
			}
		})
	}

	// The token names the next page's first user; deleted meanwhile, the
	// page starts with the one after it.
	s.batch(func(call func(op, body string) (map[string]any, error)) error {
		_, err := call("AdminDeleteUser", fmt.Sprintf(`{"UserPoolId":%q,"Username":%q}`, pool, names[2]))
		return err
	})
	next, _, err := s.read("ListUsers", fmt.Sprintf(`{"UserPoolId":%q,"Limit":2,"PaginationToken":%q}`, pool, tok))
	if err != nil {
		t.Fatal(err)
	}
	var after []string
	for _, u := range next["Users"].([]any) {
		after = append(after, username(u.(map[string]any)))
	}
	if want := names[3:5]; !slices.Equal(after, want) {
		t.Errorf("after deleting the token's user the page is %v, want %v", after, want)
	}
}

// TestIdPPaging_ClientsAndImportJobs pages ListUserPoolClients over a
// pool's quota of clients, ListUserImportJobs over a thousand jobs,
// ListGroups over 300 groups, ListTerms over 80 documents and
// ListResourceServers over the pool's quota of 25: every page is
// right and reads about a page.
func TestIdPPaging_ClientsAndImportJobs(t *testing.T) {
	if testing.Short() {
		t.Skip("creates thousands of clients and jobs")
	}
	s := newIdPStore(t)
	const n, limit = 1000, 60
	var pool string
	var clients, jobs, groups, servers, terms []string
	s.batch(func(call func(op, body string) (map[string]any, error)) error {
		out, err := call("CreateUserPool", `{"PoolName":"big"}`)
		if err != nil {
			return err
		}
		pool = out["UserPool"].(map[string]any)["Id"].(string)
		other, err := call("CreateUserPool", `{"PoolName":"neighbour"}`)
		if err != nil {
			return err
		}
		otherID := other["UserPool"].(map[string]any)["Id"].(string)
		for i := range n {
			c, err := call("CreateUserPoolClient", fmt.Sprintf(`{"UserPoolId":%q,"ClientName":"c%d"}`, pool, i))
			if err != nil {
				return err
			}
			clients = append(clients, c["UserPoolClient"].(map[string]any)["ClientId"].(string))
			j, err := call("CreateUserImportJob", fmt.Sprintf(`{"UserPoolId":%q,"JobName":"j%d","CloudWatchLogsRoleArn":"arn:aws:iam::123456789012:role/r"}`, pool, i))
			if err != nil {
				return err
			}
			jobs = append(jobs, j["UserImportJob"].(map[string]any)["JobId"].(string))
			if i < 40 {
				for _, kind := range []string{"terms-of-use", "privacy-policy"} {
					tm, err := call("CreateTerms", fmt.Sprintf(`{"UserPoolId":%q,"ClientId":%q,"TermsName":%q,"TermsSource":"LINK","Enforcement":"NONE","Links":{"cognito:default":"https://example.com/%s"}}`,
						pool, clients[i], kind, kind))
					if err != nil {
						return err
					}
					terms = append(terms, tm["Terms"].(map[string]any)["TermsId"].(string))
				}
			}
			if i < 300 {
				g := fmt.Sprintf("Group-%03d", (i*7)%300) // created out of order
				if _, err := call("CreateGroup", fmt.Sprintf(`{"UserPoolId":%q,"GroupName":%q}`, pool, g)); err != nil {
					return err
				}
				groups = append(groups, g)
			}
			if i < 25 { // the pool's quota
				rs := fmt.Sprintf("https://api.example.com/%03d", i)
				if _, err := call("CreateResourceServer", fmt.Sprintf(`{"UserPoolId":%q,"Identifier":%q,"Name":"rs"}`, pool, rs)); err != nil {
					return err
				}
				servers = append(servers, rs)
			}
			if i%100 == 0 {
				if _, err := call("CreateUserPoolClient", fmt.Sprintf(`{"UserPoolId":%q,"ClientName":"n"}`, otherID)); err != nil {
					return err
				}
			}
		}
		return nil
	})
	slices.Sort(clients)
	slices.Sort(jobs)
	slices.Sort(groups)
	slices.Sort(terms)
	const overhead = 4
	got, _ := s.pageList("ListUserPoolClients", func(tok string) string {
		return bodyWith(fmt.Sprintf(`"UserPoolId":%q,"MaxResults":%d`, pool, limit), "NextToken", tok)
	}, "UserPoolClients", "NextToken", func(m map[string]any) string { return m["ClientId"].(string) }, limit+1+overhead)
	samePages(t, "ListUserPoolClients", got, chunked(clients, limit))

	got, _ = s.pageList("ListUserImportJobs", func(tok string) string {
		return bodyWith(fmt.Sprintf(`"UserPoolId":%q,"MaxResults":%d`, pool, limit), "PaginationToken", tok)
	}, "UserImportJobs", "PaginationToken", func(m map[string]any) string { return m["JobId"].(string) }, limit+1+overhead)
	samePages(t, "ListUserImportJobs", got, chunked(jobs, limit))

	got, _ = s.pageList("ListGroups", func(tok string) string {
		return bodyWith(fmt.Sprintf(`"UserPoolId":%q,"Limit":%d`, pool, limit), "NextToken", tok)
	}, "Groups", "NextToken", func(m map[string]any) string { return m["GroupName"].(string) }, 2*limit+1+overhead) // a group and its dates
	samePages(t, "ListGroups", got, chunked(groups, limit))

	got, _ = s.pageList("ListResourceServers", func(tok string) string {
		return bodyWith(fmt.Sprintf(`"UserPoolId":%q,"MaxResults":4`, pool), "NextToken", tok)
	}, "ResourceServers", "NextToken", func(m map[string]any) string { return m["Identifier"].(string) }, 4+1+overhead)
	samePages(t, "ListResourceServers", got, chunked(servers, 4))

	got, _ = s.pageList("ListTerms", func(tok string) string {
		return bodyWith(fmt.Sprintf(`"UserPoolId":%q,"MaxResults":7`, pool), "NextToken", tok)
	}, "Terms", "NextToken", func(m map[string]any) string { return m["TermsId"].(string) }, 7+1+overhead)
	samePages(t, "ListTerms", got, chunked(terms, 7))
}

// TestIdPPaging_ReplicaPager: the replica handler lists a page at a time
// (handler.Pager) the replicas List returns, in identifier order.
func TestIdPPaging_ReplicaPager(t *testing.T) {
	s := newIdPStore(t)
	var pool string
	regions := []string{"eu-west-1", "ap-south-1", "us-west-2", "eu-central-1", "sa-east-1"}
	s.batch(func(call func(op, body string) (map[string]any, error)) error {
		out, err := call("CreateUserPool", `{"PoolName":"replicated"}`)
		if err != nil {
			return err
		}
		pool = out["UserPool"].(map[string]any)["Id"].(string)
		for _, r := range regions {
			if _, err := call("CreateUserPoolReplica", fmt.Sprintf(`{"UserPoolId":%q,"RegionName":%q}`, pool, r)); err != nil {
				return err
			}
		}
		return nil
	})
	var h handler.Handler
	for _, c := range cognito.Handlers(nil) {
		if c.TypeName() == "AWS::Cognito::UserPoolReplica" {
			h = c
		}
	}
	var want []string
	for _, r := range regions {
		want = append(want, pool+"|"+r)
	}
	slices.Sort(want)
	got := pageAll(t, s.st, s.p, s.env, h, func(m map[string]any) string { return m["UserPoolId"].(string) + "|" + m["RegionName"].(string) },
		map[string]any{"UserPoolId": pool}, 2)
	if !slices.Equal(got, want) {
		t.Errorf("paged replicas %v, want %v", got, want)
	}
}
