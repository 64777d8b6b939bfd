// Package suggest finds the names closest to one a user mistyped, for the
// "did you mean" part of an error: edit distance over names compared
// without case, underscores or a plural ending, so that user_pool finds
// user_pools and UserPoolClient finds user_pool_clients.
package suggest

import (
	"slices"
	"strings"
)

// Closest returns up to n candidates close enough to name to be what the
// user meant, the closest first (ties by name). Nothing is returned when
// no candidate is close.
func Closest(name string, candidates []string, n int) []string {
	type scored struct {
		name  string
		score int
	}
	key := fold(name)
	limit := max(1, len(key)/3)
	var found []scored
	seen := map[string]bool{}
	for _, c := range candidates {
		if seen[c] || strings.EqualFold(c, name) && c == name {
			continue
		}
		seen[c] = true
		ck := fold(c)
		d := distance(key, ck)
		// A prefix counts too: aws for awscc, user_pool_client for
		// user_pool_clients_list_only.
		if d > limit && !(len(key) >= 3 && strings.HasPrefix(ck, key)) {
			continue
		}
		found = append(found, scored{c, d})
	}
	// The same name written another way (user_pool for user_pools) is
	// what was meant; nothing else is worth listing beside it.
	if slices.ContainsFunc(found, func(f scored) bool { return f.score == 0 }) {
		found = slices.DeleteFunc(found, func(f scored) bool { return f.score > 0 })
	}
	slices.SortFunc(found, func(a, b scored) int {
		if a.score != b.score {
			return a.score - b.score
		}
		return strings.Compare(a.name, b.name)
	})
	out := make([]string, 0, min(n, len(found)))
	for _, f := range found[:min(n, len(found))] {
		out = append(out, f.name)
	}
	return out
}

// Same reports whether a and b are one name written two ways: case,
// underscores, dashes or a plural ending apart.
func Same(a, b string) bool { return fold(a) == fold(b) }

// fold is the form names are compared in: lower case, without _ and -,
// and singular.
func fold(s string) string {
	s = strings.ToLower(s)
	s = strings.NewReplacer("_", "", "-", "", " ", "").Replace(s)
	switch {
	case strings.HasSuffix(s, "ies") && len(s) > 4:
		s = s[:len(s)-3] + "y"
	case strings.HasSuffix(s, "sses"), strings.HasSuffix(s, "xes"), strings.HasSuffix(s, "ches"), strings.HasSuffix(s, "shes"):
		s = s[:len(s)-2]
	case strings.HasSuffix(s, "ss"):
	case strings.HasSuffix(s, "s") && len(s) > 3:
		s = s[:len(s)-1]
	}
	return s
}

// distance is the Levenshtein distance between a and b, in bytes (names
// are ASCII).
func distance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}

// List joins names for a message: "a", "a or b", "a, b or c".
func List(names []string) string {
	switch len(names) {
	case 0:
		return ""
	case 1:
		return names[0]
	}
	return strings.Join(names[:len(names)-1], ", ") + " or " + names[len(names)-1]
}
