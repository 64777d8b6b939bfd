// Package awsregion knows which regions AWS has, so that a statement bound
// to a region that does not exist (us-east-9) is an error naming the real
// ones instead of an empty result.
//
// The list is data: partitions.json is the AWS SDK for Go v2's partition
// file (aws-sdk-go-v2 v1.48.0, internal/endpoints/awsrulesfn/partitions.json),
// copied as is; refresh it from a newer SDK when AWS opens a region.
package awsregion

import (
	_ "embed"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strings"
	"sync"

	"github.com/ccql/ccql/internal/suggest"
)

//go:embed partitions.json
var partitionsJSON []byte

// ErrUnknown is returned (wrapped, with the region) for a region no
// partition has.
var ErrUnknown = errors.New("unknown region")

// Partition is one AWS partition and its regions, sorted.
type Partition struct {
	ID      string   // "aws", "aws-cn", "aws-us-gov", …
	Regions []string // "us-east-1", …; the "aws-global" style pseudo-regions left out
}

var partitions = sync.OnceValues(func() ([]Partition, error) {
	var doc struct {
		Partitions []struct {
			ID      string                     `json:"id"`
			Regions map[string]json.RawMessage `json:"regions"`
		} `json:"partitions"`
	}
	if err := json.Unmarshal(partitionsJSON, &doc); err != nil {
		return nil, fmt.Errorf("awsregion: partitions.json: %w", err)
	}
	out := make([]Partition, 0, len(doc.Partitions))
	for _, p := range doc.Partitions {
		var regions []string
		for r := range p.Regions {
			if !strings.HasSuffix(r, "-global") {
				regions = append(regions, r)
			}
		}
		sort.Strings(regions)
		out = append(out, Partition{ID: p.ID, Regions: regions})
	}
	return out, nil
})

// Partitions returns every partition with its regions.
func Partitions() []Partition {
	ps, err := partitions()
	if err != nil {
		panic(err) // the embedded file is fixed at build time; a test parses it
	}
	return ps
}

// Check returns nil for a region AWS has, else an error wrapping ErrUnknown
// that names the closest regions and every region of the aws partition.
func Check(region string) error {
	var all []string
	for _, p := range Partitions() {
		if slices.Contains(p.Regions, region) {
			return nil
		}
		all = append(all, p.Regions...)
	}
	msg := fmt.Sprintf("%q: AWS has no such region", region)
	if near := suggest.Closest(region, all, 3); len(near) > 0 {
		msg += " (did you mean " + suggest.List(near) + "?)"
	}
	ps := Partitions()
	msg += "; the aws partition has " + strings.Join(ps[0].Regions, ", ")
	var others []string
	for _, p := range ps[1:] {
		others = append(others, p.ID)
	}
	msg += " (and the " + strings.Join(others, ", ") + " partitions theirs)"
	return fmt.Errorf("%w %s", ErrUnknown, msg)
}
