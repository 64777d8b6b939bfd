package emulator_test

import (
	"context"
	"fmt"
	"net/http"
	"sort"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	cc "github.com/aws/aws-sdk-go-v2/service/cloudcontrol"
	"github.com/aws/aws-sdk-go-v2/service/cloudcontrol/types"

	"github.com/ccql/ccql/emulator"
)

// benchClient creates one pool and one client and returns its identifier.
func benchSetup(b *testing.B, opts emulator.Options) (*emulator.Server, string) {
	b.Helper()
	s := emulator.NewTestServer(b, opts)
	api := s.CloudControl("")
	ctx := context.Background()
	out, err := api.CreateResource(ctx, &cc.CreateResourceInput{TypeName: aws.String(poolType), DesiredState: aws.String(`{"UserPoolName":"bench"}`)})
	if err != nil {
		b.Fatal(err)
	}
	s.Settle()
	pool := aws.ToString(out.ProgressEvent.Identifier)
	out, err = api.CreateResource(ctx, &cc.CreateResourceInput{TypeName: aws.String(clientType),
		DesiredState: aws.String(fmt.Sprintf(`{"UserPoolId":%q,"ClientName":"bench","GenerateSecret":true,"ExplicitAuthFlows":["ALLOW_USER_SRP_AUTH","ALLOW_REFRESH_TOKEN_AUTH"]}`, pool))})
	if err != nil {
		b.Fatal(err)
	}
	s.Settle()
	return s, aws.ToString(out.ProgressEvent.Identifier)
}

// reportPercentiles adds p50/p99 of the per-call latencies.
func reportPercentiles(b *testing.B, lat []time.Duration) {
	if len(lat) == 0 {
		return
	}
	sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
	b.ReportMetric(float64(lat[len(lat)/2].Nanoseconds())/1e3, "p50-µs")
	b.ReportMetric(float64(lat[len(lat)*99/100].Nanoseconds())/1e3, "p99-µs")
}

// BenchmarkGetResource_InProcess is the in-process API's GetResource of a
// UserPoolClient, from a durable (file-backed) store.
func BenchmarkGetResource_InProcess(b *testing.B) {
	s, id := benchSetup(b, emulator.Options{DataDir: b.TempDir()})
	api := s.CloudControl("")
	ctx := context.Background()
	in := &cc.GetResourceInput{TypeName: aws.String(clientType), Identifier: aws.String(id)}
	lat := make([]time.Duration, 0, 1<<16)
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		t0 := time.Now()
		if _, err := api.GetResource(ctx, in); err != nil {
			b.Fatal(err)
		}
		if len(lat) < cap(lat) {
			lat = append(lat, time.Since(t0))
		}
	}
	reportPercentiles(b, lat)
}

// BenchmarkGetResource_HTTP is GetResource through the real SDK client
// over loopback TCP, with 1, 4 and 16 concurrent clients.
func BenchmarkGetResource_HTTP(b *testing.B) {
	for _, clients := range []int{1, 4, 16} {
		b.Run(fmt.Sprintf("clients=%d", clients), func(b *testing.B) {
			s, id := benchSetup(b, emulator.Options{DataDir: b.TempDir(), Addr: "127.0.0.1:0"})
			hc := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: clients}}
			c := cc.New(cc.Options{Region: "us-east-1", BaseEndpoint: aws.String(s.URL()), HTTPClient: hc,
				Credentials: credentials.NewStaticCredentialsProvider("AKID", "secret", "")})
			in := &cc.GetResourceInput{TypeName: aws.String(clientType), Identifier: aws.String(id)}
			var mu sync.Mutex
			var lat []time.Duration
			b.SetParallelism((clients + 1) / 2) // GOMAXPROCS=2 here
			b.ResetTimer()
			b.RunParallel(func(pb *testing.PB) {
				local := make([]time.Duration, 0, 4096)
				for pb.Next() {
					t0 := time.Now()
					if _, err := c.GetResource(context.Background(), in); err != nil {
						b.Error(err)
						return
					}
					local = append(local, time.Since(t0))
				}
				mu.Lock()
				lat = append(lat, local...)
				mu.Unlock()
			})
			b.StopTimer()
			reportPercentiles(b, lat)
		})
	}
}

// BenchmarkCreateResource_Durable is acknowledged, fsynced creates of
// UserPools per second, in process, with 64 concurrent callers, including
// the worker's completions (every request is SUCCESS at the end). Group
// commit makes throughput grow with the number of callers in flight.
func BenchmarkCreateResource_Durable(b *testing.B) {
	s := emulator.NewTestServer(b, emulator.Options{DataDir: b.TempDir()})
	api := s.CloudControl("")
	var n atomic.Int64
	b.SetParallelism(32) // 64 callers with GOMAXPROCS=2
	b.ResetTimer()
	start := time.Now()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			i := n.Add(1)
			out, err := api.CreateResource(context.Background(), &cc.CreateResourceInput{TypeName: aws.String(poolType),
				DesiredState: aws.String(fmt.Sprintf(`{"UserPoolName":"p%d"}`, i))})
			if err != nil {
				b.Error(err)
				return
			}
			if out.ProgressEvent.OperationStatus != types.OperationStatusInProgress {
				b.Errorf("status %s", out.ProgressEvent.OperationStatus)
			}
		}
	})
	s.Settle()
	elapsed := time.Since(start)
	b.StopTimer()
	b.ReportMetric(float64(n.Load())/elapsed.Seconds(), "creates/s")
}
