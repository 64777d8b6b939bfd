package main

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/ccql/ccql/internal/benchmark"
)

func newBenchScaleCmd(a *app) *cobra.Command {
	var (
		sizes    string
		dataDir  string
		clients  int
		output   string
		fullView bool
		apiN     int
		fullMax  time.Duration
	)
	cmd := &cobra.Command{
		Use:   "scale",
		Short: "Load 10k, 100k (and 1M) log groups and measure creates, counts, peak RSS and store size",
		Long: `Load log groups (AWS::Logs::LogGroup) into a fresh emulator data dir, up to
each size in turn, and measure at each size:

  - the create rate: --api-creates log groups of each step are created
    through the emulator's Cloud Control API (durable CreateResource,
    --clients at once, acknowledged and finished); the rest of the step is
    bulk loaded through the emulator's BulkCreate, which stores each
    resource exactly as CreateResource and its completion would (same
    validation, handler and request ledger row) but 10,000 to a
    transaction. The output says how many rows came each way.
  - the cost of opening the store (as every ccql exec does), first after
    the load and again
  - ccql exec 'SELECT count(*) FROM awscc.logs.log_groups_list_only …' in its
    own process: seconds, CPU seconds and peak RSS
  - the same over the full view awscc.logs.log_groups (a GetResource per
    resource), unless --full-view=false; --full-view-timeout stops it
  - the size of the store file

Aims (issue 13, 2 cores): list-only count of 100,000 in at most 2 s, of
1,000,000 in at most 20 s, linear; peak RSS of the CLI under 200 MB at 1M.
1,000,000 is not loaded unless --sizes asks for it.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if output != "table" && output != "json" {
				return usageErrorf("--output %q: want table or json", output)
			}
			var ns []int
			for _, f := range strings.Split(sizes, ",") {
				n, err := strconv.Atoi(strings.TrimSpace(strings.ReplaceAll(f, "_", "")))
				if err != nil || n <= 0 {
					return usageErrorf("--sizes %q: want ascending positive counts, e.g. 10000,100000", sizes)
				}
				ns = append(ns, n)
			}
			bin, err := os.Executable()
			if err != nil {
				return fmt.Errorf("bench scale: %w", err)
			}
			res, err := benchmark.RunScale(a.ctx, benchmark.ScaleConfig{
				Sizes: ns, DataDir: dataDir, Clients: clients, CLI: bin, FullView: fullView,
				APICreates: apiN, FullViewTimeout: fullMax,
				Progress: func(s string) { fmt.Fprintf(a.stderr, "ccql bench scale: %s …\n", s) },
			})
			if err != nil {
				return err
			}
			if output == "json" {
				enc := json.NewEncoder(a.stdout)
				enc.SetIndent("", "  ")
				return enc.Encode(res)
			}
			return writeScaleTable(a.stdout, res)
		},
	}
	fs := cmd.Flags()
	fs.StringVar(&sizes, "sizes", "10000,100000", "comma-separated cumulative sizes, ascending (add 1000000 for the 1M row)")
	fs.StringVar(&dataDir, "data-dir", "", "state directory to load into (default: a new temporary directory; use a disk, not tmpfs)")
	fs.IntVar(&clients, "clients", benchmark.DefaultClients, "concurrent creators")
	fs.StringVarP(&output, "output", "o", "table", "output format: table or json")
	fs.BoolVar(&fullView, "full-view", true, "also count over the full view (a GetResource per resource)")
	fs.IntVar(&apiN, "api-creates", 2000, "log groups of each step created through the Cloud Control API (the create rate's sample); the rest are bulk loaded; 0 = all through the API")
	fs.DurationVar(&fullMax, "full-view-timeout", 0, "stop the full-view count after this long (0 = no limit)")
	return cmd
}

// writeScaleTable prints one row per size, then how the rows were
// loaded, then the aims.
func writeScaleTable(w io.Writer, res []benchmark.ScaleResult) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "resources\tAPI creates/s\topen s (again)\tlist-only count s (CPU s)\tlist-only peak RSS MB\tfull-view count s (CPU s)\tfull-view peak RSS MB\tdb MB\t")
	for _, r := range res {
		full, fullRSS := "-", "-"
		switch {
		case r.FullTimedOut:
			full = fmt.Sprintf("> %.0f (stopped)", r.FullSeconds)
		case r.FullSeconds > 0:
			full, fullRSS = fmt.Sprintf("%.2f (%.2f)", r.FullSeconds, r.FullCPU), fmt.Sprintf("%.0f", r.FullRSSMB)
		}
		fmt.Fprintf(tw, "%d\t%.0f\t%.2f (%.2f)\t%.2f (%.2f)\t%.0f\t%s\t%s\t%.1f\t\n", r.Resources, r.CreatePerSec, r.OpenSeconds, r.ReopenSecs, r.ListOnlySeconds, r.ListOnlyCPU, r.ListOnlyRSSMB, full, fullRSS, float64(r.DBBytes)/(1<<20))
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	fmt.Fprintln(w)
	for _, r := range res {
		fmt.Fprintf(w, "loaded to %d: %d through the Cloud Control API (create rate), %d bulk (BulkCreate, %.0f/s)\n", r.Resources, r.APICreated, r.BulkCreated, r.BulkPerSec)
	}
	fmt.Fprintln(w)
	for _, r := range res {
		switch r.Resources {
		case 100_000:
			fmt.Fprintf(w, "aim: list-only count of 100,000 ≤ %.0f s: %.2f s (%s)\n", benchmark.AimListOnly100kSeconds, r.ListOnlySeconds, yesNo(r.ListOnlySeconds <= benchmark.AimListOnly100kSeconds))
		case 1_000_000:
			fmt.Fprintf(w, "aim: list-only count of 1,000,000 ≤ %.0f s: %.2f s (%s)\n", benchmark.AimListOnly1MSeconds, r.ListOnlySeconds, yesNo(r.ListOnlySeconds <= benchmark.AimListOnly1MSeconds))
			fmt.Fprintf(w, "aim: CLI peak RSS at 1,000,000 < %.0f MB: %.0f MB (%s)\n", benchmark.AimCLIPeakRSSMB, r.ListOnlyRSSMB, yesNo(r.ListOnlyRSSMB < benchmark.AimCLIPeakRSSMB))
		}
	}
	return nil
}

func yesNo(b bool) string {
	if b {
		return "met"
	}
	return "NOT met"
}
