package emulator

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	cc "github.com/aws/aws-sdk-go-v2/service/cloudcontrol"
	"github.com/aws/aws-sdk-go-v2/service/cloudcontrol/types"

	"github.com/ccql/ccql/internal/cloudcontrol"
	"github.com/ccql/ccql/internal/schema"
	"github.com/ccql/ccql/internal/store"
)

// countingStore counts the models the store hands to handlers in reads:
// the work a list page costs, independent of the machine's speed.
type countingStore struct {
	*store.SQLite
	rows atomic.Int64
}

func (c *countingStore) View(ctx context.Context, fn func(store.Tx) error) error {
	return c.SQLite.View(ctx, func(tx store.Tx) error { return fn(countingTx{tx, &c.rows}) })
}

type countingTx struct {
	store.Tx
	rows *atomic.Int64
}

func (t countingTx) Models(p store.Partition, typeName, prefix string) ([]store.Record, error) {
	recs, err := t.Tx.Models(p, typeName, prefix)
	t.rows.Add(int64(len(recs)))
	return recs, err
}

func (t countingTx) ModelsAfter(p store.Partition, typeName, prefix, after string, limit int) ([]store.Record, error) {
	recs, err := t.Tx.ModelsAfter(p, typeName, prefix, after, limit)
	t.rows.Add(int64(len(recs)))
	return recs, err
}

const logGroupType = "AWS::Logs::LogGroup"

// loadLogGroups stores n log groups directly (as the generic handler
// stores them), in one transaction: the test is about reading.
func loadLogGroups(t *testing.T, st store.Store, p store.Partition, n int) {
	t.Helper()
	err := st.Update(context.Background(), func(tx store.Tx) error {
		for i := range n {
			name := fmt.Sprintf("/scale/group-%06d", i)
			m := fmt.Sprintf(`{"LogGroupName":%q,"Arn":"arn:aws:logs:%s:%s:log-group:%s:*","RetentionInDays":7}`, name, p.Region, p.Account, name)
			if err := tx.PutModel(p, logGroupType, name, json.RawMessage(m)); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// TestListResources_pageCost pages through 50,000 log groups and checks
// that every page costs about the same: the rows the store reads for a
// page are bounded by the page size, not by the number of resources (the
// old path read all 50,000 for each page).
func TestListResources_pageCost(t *testing.T) {
	if testing.Short() {
		t.Skip("loads 50,000 resources")
	}
	ctx := context.Background()
	sq, err := store.Open(ctx, "")
	if err != nil {
		t.Fatal(err)
	}
	cs := &countingStore{SQLite: sq}
	c := newCore(cs, schema.NewFullRegistry(), nil, Options{Now: time.Now})
	t.Cleanup(func() {
		c.work.drain()
		sq.Close()
	})
	const total, pageSize = 50000, 100
	p := store.Partition{Account: "000000000000", Region: "us-east-1"}
	loadLogGroups(t, cs, p, total)
	api := &CloudControl{c: c, account: p.Account}
	in := &cc.ListResourcesInput{TypeName: aws.String(logGroupType), MaxResults: aws.Int32(pageSize)}
	seen, pages := 0, 0
	minRows, maxRows := int64(1<<62), int64(0)
	prev := ""
	for {
		before := cs.rows.Load()
		out, err := api.ListResources(ctx, in, cloudcontrol.WithRegion(p.Region))
		if err != nil {
			t.Fatalf("page %d: %v", pages, err)
		}
		rows := cs.rows.Load() - before
		pages++
		for _, d := range out.ResourceDescriptions {
			if id := aws.ToString(d.Identifier); id <= prev {
				t.Fatalf("page %d: identifier %q after %q: not in order", pages, id, prev)
			} else {
				prev = id
			}
		}
		seen += len(out.ResourceDescriptions)
		if out.NextToken == nil {
			break
		}
		minRows, maxRows = min(minRows, rows), max(maxRows, rows)
		in.NextToken = out.NextToken
	}
	if seen != total || pages != total/pageSize {
		t.Fatalf("listed %d resources in %d pages, want %d in %d", seen, pages, total, total/pageSize)
	}
	// Every full page reads the page and one more row (to know whether
	// another page follows): the same work at page 1 and page 500.
	if maxRows > pageSize+1 || minRows < pageSize {
		t.Errorf("rows read per page: %d to %d, want %d to %d whatever the page's position", minRows, maxRows, pageSize, pageSize+1)
	}
}

// TestListResources_tokenBound: a NextToken continues its own list only.
// A forged one, or one of another type, region, account or ResourceModel,
// is InvalidRequestException.
func TestListResources_tokenBound(t *testing.T) {
	ctx := context.Background()
	s, err := newServer(Options{}, schema.NewFullRegistry(), nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	p := store.Partition{Account: "000000000000", Region: "us-east-1"}
	loadLogGroups(t, s.st, p, 5)
	loadLogGroups(t, s.st, store.Partition{Account: "000000000000", Region: "eu-west-1"}, 5)
	api := s.CloudControl("")
	first, err := api.ListResources(ctx, &cc.ListResourcesInput{TypeName: aws.String(logGroupType), MaxResults: aws.Int32(2)})
	if err != nil || first.NextToken == nil {
		t.Fatalf("first page: %v %v", first, err)
	}
	token := first.NextToken
	next, err := api.ListResources(ctx, &cc.ListResourcesInput{TypeName: aws.String(logGroupType), MaxResults: aws.Int32(2), NextToken: token})
	if err != nil || len(next.ResourceDescriptions) != 2 || aws.ToString(next.ResourceDescriptions[0].Identifier) != "/scale/group-000002" {
		t.Fatalf("second page: %+v %v", next, err)
	}
	forged := base64.RawURLEncoding.EncodeToString([]byte("/scale/group-000003"))
	for _, tc := range []struct {
		name    string
		in      *cc.ListResourcesInput
		account string
		region  string
	}{
		{"forged", &cc.ListResourcesInput{TypeName: aws.String(logGroupType), NextToken: &forged}, "", "us-east-1"},
		{"garbage", &cc.ListResourcesInput{TypeName: aws.String(logGroupType), NextToken: aws.String("%%%")}, "", "us-east-1"},
		{"another type", &cc.ListResourcesInput{TypeName: aws.String("AWS::Cognito::UserPool"), NextToken: token}, "", "us-east-1"},
		{"another region", &cc.ListResourcesInput{TypeName: aws.String(logGroupType), NextToken: token}, "", "eu-west-1"},
		{"another account", &cc.ListResourcesInput{TypeName: aws.String(logGroupType), NextToken: token}, "123456789012", "us-east-1"},
		{"another query", &cc.ListResourcesInput{TypeName: aws.String(logGroupType), NextToken: token, ResourceModel: aws.String(`{"LogGroupClass":"STANDARD"}`)}, "", "us-east-1"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out, err := s.CloudControl(tc.account).ListResources(ctx, tc.in, cloudcontrol.WithRegion(tc.region))
			var ir *types.InvalidRequestException
			if !errors.As(err, &ir) || aws.ToString(ir.Message) != "Invalid NextToken" {
				t.Errorf("got %+v, %v; want InvalidRequestException: Invalid NextToken", out, err)
			}
		})
	}
}
