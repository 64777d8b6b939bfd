package cognito

import (
	"errors"
	"fmt"
	"strings"

	"github.com/ccql/ccql/internal/handler"
)

// Key-set paging of the IdP API's List* operations. A page reads from the
// store's index (handler.TxPager, through pageRecords) only the records it
// returns plus the first of the next page, whose identifier the NextToken
// carries (bound to the list's scope as paginate's tokens are: the same
// token format, so a forged or foreign token is still refused). Every list
// is stored in the order AWS lists it, so the key order is the list's
// order: users under their name as the pool compares names, auth events
// under an inverted sequence (newest first), the rest under their ids.
//
// A list with a condition (ListUsers' Filter, ListUsersInGroup's group,
// ListDevices' remembered devices) scans from the cursor in key order
// until the page and the next record are found or the set ends: O(records
// scanned), never the whole set per page.
//
// Three lists stay whole-set, each bounded small by AWS's quotas:
// ListUserPoolReplicas (a replica per region), AdminListGroupsForUser (the
// group names kept on the user's own record, so a page reads only its
// groups) and ListTagsForResource (50 tags).

// scanChunk caps how many records a filtered page reads from the index at
// a time once its first read came up short: large enough that a sparse
// filter takes few queries, small enough that a page which fills late
// reads little beyond it.
const scanChunk = 256

// keyPage returns one page of size records of typeName under prefix that
// keep accepts (nil: every record), starting at the record token names
// (the first record when token is nil), and the token of the next page.
// A token that is not this scope's, or names a record outside prefix, is
// InvalidParameterException, as paginate answers.
func keyPage(tx handler.Tx, typeName, prefix string, size int, token *string, scope string, keep func(handler.Record) (bool, error)) (page, error) {
	var out []handler.Record
	take := func(r handler.Record) (bool, error) {
		if keep != nil {
			ok, err := keep(r)
			if err != nil || !ok {
				return false, err
			}
		}
		out = append(out, r)
		return len(out) > size, nil
	}
	after := ""
	if token != nil {
		id, ok := decodePageToken(*token, scope)
		if !ok || !strings.HasPrefix(id, prefix) {
			return page{}, invalidParameter("Invalid pagination token.")
		}
		// The token names the first record of its page; it may have been
		// deleted since, and then the page starts after it.
		m, err := tx.Get(typeName, id)
		if err != nil && !errors.Is(err, handler.ErrNotFound) {
			return page{}, fmt.Errorf("read %s %q: %w", typeName, id, err)
		}
		if err == nil {
			if _, err := take(handler.Record{Identifier: id, Model: m}); err != nil {
				return page{}, err
			}
		}
		after = id
	}
	chunk := 0
	for len(out) <= size {
		// The first read asks for what the page lacks; a condition that
		// rejects records makes later reads grow, up to scanChunk.
		chunk = max(size+1-len(out), min(2*chunk, scanChunk))
		recs, err := pageRecords(tx, typeName, prefix, after, chunk)
		if err != nil {
			return page{}, err
		}
		full := false
		for _, r := range recs {
			if full, err = take(r); err != nil {
				return page{}, err
			}
			if full {
				break
			}
		}
		if full || len(recs) < chunk {
			break
		}
		after = recs[len(recs)-1].Identifier
	}
	p := page{recs: out}
	if len(out) > size {
		p.recs = out[:size]
		p.next = encodePageToken(scope, out[size].Identifier)
	}
	return p, nil
}
