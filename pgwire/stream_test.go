package pgwire_test

import (
	"context"
	"fmt"
	"strings"
	"sync/atomic"
	"testing"

	cc "github.com/aws/aws-sdk-go-v2/service/cloudcontrol"
	"github.com/ccql/ccql"
	"github.com/ccql/ccql/emulator"
	"github.com/ccql/ccql/pgwire"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgproto3"
)

// listCounter is the embedded emulator's Cloud Control, counting
// ListResources calls.
type listCounter struct {
	ccql.CloudControlClient
	lists atomic.Int64
}

func (l *listCounter) ListResources(ctx context.Context, in *cc.ListResourcesInput, o ...func(*cc.Options)) (*cc.ListResourcesOutput, error) {
	l.lists.Add(1)
	return l.CloudControlClient.ListResources(ctx, in, o...)
}

// TestServer_StreamsLargeResult reads thousands of log groups through
// pgx, with the extended and the simple protocol and with a portal row
// limit: the first rows reach the client when only some of the list's
// pages have been read, every row arrives once, and the engine, limited
// to one statement session, is never left holding one (a leaked session
// would block the next statement).
func TestServer_StreamsLargeResult(t *testing.T) {
	const total = 3000
	srv, err := emulator.NewServer(emulator.Options{DataDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	cl := &listCounter{CloudControlClient: srv.CloudControl("000000000000")}
	eng, err := ccql.Open(context.Background(), ccql.Config{CloudControl: cl, Wait: true, MaxStatements: 1})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { eng.Close() })
	for start := 0; start < total; start += 500 {
		var vals []string
		for i := start; i < start+500; i++ {
			vals = append(vals, fmt.Sprintf("('/pg/g%05d', 'us-east-1')", i))
		}
		if _, err := eng.Query(context.Background(), "INSERT INTO awscc.logs.log_groups (LogGroupName, region) VALUES "+strings.Join(vals, ", ")); err != nil {
			t.Fatal(err)
		}
	}
	ts := startServer(t, eng, pgwire.Config{})
	const stmt = `SELECT log_group_name, region FROM awscc.logs.log_groups_list_only WHERE region = 'us-east-1'`

	for _, mode := range []pgx.QueryExecMode{pgx.QueryExecModeCacheStatement, pgx.QueryExecModeSimpleProtocol} {
		t.Run(mode.String(), func(t *testing.T) {
			c := connect(t, ts.url("u", ""))
			ctx := ctxT(t)
			for range 2 { // the second run needs the session the first had
				cl.lists.Store(0)
				rows, err := c.Query(ctx, stmt, mode)
				if err != nil {
					t.Fatal(err)
				}
				seen := map[string]bool{}
				var atFirst int64
				for rows.Next() {
					if len(seen) == 0 {
						atFirst = cl.lists.Load()
					}
					var name, region string
					if err := rows.Scan(&name, &region); err != nil {
						t.Fatal(err)
					}
					if seen[name] || region != "us-east-1" {
						t.Fatalf("row %q %q repeated or wrong", name, region)
					}
					seen[name] = true
				}
				if err := rows.Err(); err != nil {
					t.Fatal(err)
				}
				if tag := rows.CommandTag().String(); tag != fmt.Sprintf("SELECT %d", total) || len(seen) != total {
					t.Fatalf("%d rows, tag %q; want %d", len(seen), tag, total)
				}
				pages := cl.lists.Load()
				if pages < 3 || atFirst >= pages {
					t.Errorf("first row after %d of %d ListResources calls, want before the last", atFirst, pages)
				}
			}
		})
	}

	t.Run("portal row limit", func(t *testing.T) {
		c := connect(t, ts.url("u", ""))
		got := exchange(t, c,
			&pgproto3.Parse{Name: "s", Query: stmt},
			&pgproto3.Bind{DestinationPortal: "p", PreparedStatement: "s"},
			&pgproto3.Execute{Portal: "p", MaxRows: 1000},
			&pgproto3.Execute{Portal: "p", MaxRows: 1000},
			&pgproto3.Execute{Portal: "p", MaxRows: 1000},
			&pgproto3.Execute{Portal: "p", MaxRows: 1000},
			&pgproto3.Sync{},
			// Closed portals free the session: a new statement runs.
			&pgproto3.Bind{DestinationPortal: "q", PreparedStatement: "s"},
			&pgproto3.Execute{Portal: "q", MaxRows: 10},
			&pgproto3.Close{ObjectType: 'P', Name: "q"},
			&pgproto3.Sync{},
			&pgproto3.Query{String: "SELECT count(*) FROM awscc.logs.log_groups_list_only WHERE region = 'us-east-1'"},
		)
		var rows int
		var other []string
		for _, m := range got {
			if strings.HasPrefix(m, "DataRow /pg/") {
				rows++
				continue
			}
			other = append(other, m)
		}
		// The third Execute sends the last rows and completes (a portal
		// suspends only when more rows come); a fourth completes again.
		want := []string{"ParseComplete", "BindComplete", "PortalSuspended", "PortalSuspended",
			"CommandComplete SELECT 3000", "CommandComplete SELECT 3000", "ReadyForQuery I",
			"BindComplete", "PortalSuspended", "CloseComplete", "ReadyForQuery I",
			"RowDescription count(*):20:0", "DataRow 3000", "CommandComplete SELECT 1", "ReadyForQuery I"}
		if rows != total+10 || strings.Join(other, "\n") != strings.Join(want, "\n") {
			t.Fatalf("%d rows; messages:\n%s\nwant:\n%s", rows, strings.Join(other, "\n"), strings.Join(want, "\n"))
		}
	})
}
