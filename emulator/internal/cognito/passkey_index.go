package cognito

import (
	"errors"
	"fmt"
	"strings"

	"github.com/ccql/ccql/internal/handler"
)

// The passkey-credential index. A registration must refuse a credential
// id already registered to any user of the pool, while passkeys are kept
// under their user, "<poolId>|<sub>|<credential id>": the index maps
// "<poolId>|<credential id>" to the sub, so the check is one Get instead
// of a list of every passkey of the pool.
//
// An entry is written with its passkey (registration) and removed with it
// (DeleteWebAuthnCredential, the user's deletion through forgetWebAuthn,
// the pool's through satelliteTypes). A pool whose passkeys were
// registered by an older ccql has none: the marker "<poolId>|passkeys"
// (typeIndexState) says the pool's index is complete. Without it the
// check scans the pool's passkeys, as before, and builds the index when
// the transaction may write (a registration always may, so a pool is
// built by its first registration after an upgrade); with it a miss is
// one more Get, never a scan.
const typeWebAuthnCredentialIndex = "ccql::Cognito::WebAuthnCredentialIndex"

func passkeyIndexKey(poolID, credID string) string { return poolID + "|" + credID }

func passkeyIndexMarker(poolID string) string { return poolID + "|passkeys" }

// passkeyIndexEntry is what an entry keeps: whose passkey it is.
type passkeyIndexEntry struct {
	Sub string `json:"Sub"`
}

// indexWebAuthnCredential records the entry of a stored passkey.
func indexWebAuthnCredential(tx handler.Tx, poolID, sub, credID string) error {
	return putJSON(tx, typeWebAuthnCredentialIndex, passkeyIndexKey(poolID, credID), passkeyIndexEntry{Sub: sub})
}

// unindexWebAuthnCredential removes the entry of a removed passkey.
func unindexWebAuthnCredential(tx handler.Tx, poolID, credID string) error {
	return deleteIfPresent(tx, typeWebAuthnCredentialIndex, passkeyIndexKey(poolID, credID))
}

// webAuthnCredentialOwner reports whether credID is registered to any user
// of the pool.
func webAuthnCredentialOwner(tx handler.Tx, poolID, credID string) (bool, error) {
	var e passkeyIndexEntry
	found, err := getJSON(tx, typeWebAuthnCredentialIndex, passkeyIndexKey(poolID, credID), &e)
	if err != nil {
		return false, err
	}
	if found {
		_, err := tx.Get(typeWebAuthnCredential, webAuthnKeyPrefix(poolID, e.Sub)+credID)
		if err == nil {
			return true, nil
		}
		if !errors.Is(err, handler.ErrNotFound) {
			return false, fmt.Errorf("get passkey: %w", err)
		}
		// An entry without its passkey was left by an older ccql
		// deleting the passkey: drop it, then answer as for no entry.
		if err := unindexWebAuthnCredential(tx, poolID, credID); err != nil && !errors.Is(err, handler.ErrReadOnly) {
			return false, err
		}
	}
	built, err := markerSet(tx, passkeyIndexMarker(poolID))
	if err != nil || built {
		return false, err
	}
	return scanWebAuthnCredentials(tx, poolID, credID)
}

// scanWebAuthnCredentials looks for credID among every passkey of a pool
// whose index is not built, and builds it when the transaction may write.
func scanWebAuthnCredentials(tx handler.Tx, poolID, credID string) (bool, error) {
	recs, err := tx.List(typeWebAuthnCredential, poolID+"|")
	if err != nil {
		return false, fmt.Errorf("list passkeys of %s: %w", poolID, err)
	}
	err = tx.Put(typeIndexState, passkeyIndexMarker(poolID), []byte(`{}`)) // refused first when read-only
	switch {
	case errors.Is(err, handler.ErrReadOnly):
	case err != nil:
		return false, fmt.Errorf("mark passkey index of %s: %w", poolID, err)
	default:
		for _, r := range recs {
			sub, id, ok := strings.Cut(strings.TrimPrefix(r.Identifier, poolID+"|"), "|")
			if !ok {
				continue
			}
			if err := indexWebAuthnCredential(tx, poolID, sub, id); err != nil {
				return false, err
			}
		}
	}
	for _, r := range recs {
		if strings.HasSuffix(r.Identifier, "|"+credID) {
			return true, nil
		}
	}
	return false, nil
}
