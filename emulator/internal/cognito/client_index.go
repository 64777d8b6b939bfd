package cognito

import (
	"errors"
	"fmt"
	"strings"

	"github.com/ccql/ccql/internal/handler"
)

// The client-id index. Every operation that names only a ClientId
// (InitiateAuth, SignUp, ForgotPassword, the hosted UI, /oauth2/token…)
// must find the client's pool from the id alone, while clients are stored
// under "<poolId>|<clientId>". Listing every client of the partition to
// find the one id made each sign-in read every client; the index answers
// with one seek instead.
//
// Entries are kept under typeClientIndex as "<clientId>|<poolId>" (an
// empty model): the client's own key reversed. Keying by the pair rather
// than by the id alone keeps the index exact even if two pools held the
// same client id (ids are random, but a test's fixed random source or a
// Cloud Control create naming its ClientId can repeat one); a lookup
// takes the first entry of the id, i.e. the lowest pool id, which is the
// client the former scan (in "<poolId>|<clientId>" order) found.
//
// Every path that stores or removes a client keeps its entry in the same
// transaction: createClient (the IdP API and the Cloud Control handler
// both), removeClient (both deletes), deletePool's cascade (pool
// deletion, both APIs). Snapshots and `state load` copy the whole
// database, entries included.
//
// Data written before the index existed has clients and no entries. A
// marker record (typeIndexState "clients") says the partition's index is
// complete: it is written when the index is first built, by
// backfillClientIndex, which lists the partition's clients once. The
// emulator builds every partition's index when it opens a store and after
// a state load (BackfillIndexes), createClient builds it before its first
// entry, and a lookup that misses in a partition without the marker scans
// as before and builds it when its transaction may write (the answer is
// right either way). So a miss, for an unknown client, costs one seek and
// one Get once the partition is built, never a scan per call: the scan
// remains only for a store loaded from an old snapshot by another process
// while the server runs, until its next write transaction that looks a
// client up or creates one, or the next start.
const (
	typeClientIndex = "ccql::Cognito::ClientIndex"
	// typeIndexState holds the markers of built indexes: "clients" for
	// the partition's client index, "<poolId>|passkeys" for a pool's
	// passkey-credential index (passkey_index.go), which goes with its
	// pool (satelliteTypes).
	typeIndexState = "ccql::Cognito::IndexState"
)

// clientIndexMarker is the typeIndexState key of a complete client index.
const clientIndexMarker = "clients"

func clientIndexKey(poolID, clientID string) string { return clientID + "|" + poolID }

// indexClient records the entry of a stored client.
func indexClient(tx handler.Tx, poolID, clientID string) error {
	if err := tx.Put(typeClientIndex, clientIndexKey(poolID, clientID), []byte(`{}`)); err != nil {
		return fmt.Errorf("index client %s: %w", clientID, err)
	}
	return nil
}

// unindexClient removes the entry of a removed client.
func unindexClient(tx handler.Tx, poolID, clientID string) error {
	return deleteIfPresent(tx, typeClientIndex, clientIndexKey(poolID, clientID))
}

// clientIndexBuilt reports whether the partition's client index is complete.
func clientIndexBuilt(tx handler.Tx) (bool, error) { return markerSet(tx, clientIndexMarker) }

// markerSet reports whether the typeIndexState marker key is stored.
func markerSet(tx handler.Tx, key string) (bool, error) {
	_, err := tx.Get(typeIndexState, key)
	switch {
	case errors.Is(err, handler.ErrNotFound):
		return false, nil
	case err != nil:
		return false, fmt.Errorf("read index state %s: %w", key, err)
	}
	return true, nil
}

// backfillClientIndex builds the index from recs, every client of the
// partition, and marks it complete. In a read-only transaction it writes
// nothing and returns handler.ErrReadOnly (wrapped).
func backfillClientIndex(tx handler.Tx, recs []handler.Record) error {
	// The marker first: a read-only transaction refuses it before any
	// entry is written.
	if err := tx.Put(typeIndexState, clientIndexMarker, []byte(`{}`)); err != nil {
		return fmt.Errorf("mark client index: %w", err)
	}
	for _, r := range recs {
		if poolID, clientID, ok := splitClientIdentifier(r.Identifier); ok {
			if err := indexClient(tx, poolID, clientID); err != nil {
				return err
			}
		}
	}
	return nil
}

// ensureClientIndex builds the partition's client index unless it is.
func ensureClientIndex(tx handler.Tx) error {
	built, err := clientIndexBuilt(tx)
	if err != nil || built {
		return err
	}
	recs, err := tx.List(typeUserPoolClient, "")
	if err != nil {
		return fmt.Errorf("list clients: %w", err)
	}
	return backfillClientIndex(tx, recs)
}

// ClientTypeName is the type of app clients, whose partitions
// BackfillIndexes is to visit.
const ClientTypeName = typeUserPoolClient

// storeIndexMarker is the typeIndexState key that says every partition's
// indexes are built (kept in the store's empty partition, no account nor
// region): finding the partitions that hold clients reads the whole
// store, which the emulator does only while the marker is missing (a data
// dir or a snapshot of an older ccql), not at every start.
const storeIndexMarker = "store"

// IndexesBuilt reports whether the store's indexes are all built; tx is
// the scope of the store's empty partition.
func IndexesBuilt(tx handler.Tx) (bool, error) { return markerSet(tx, storeIndexMarker) }

// MarkIndexesBuilt records that BackfillIndexes ran on every partition;
// tx is the scope of the store's empty partition.
func MarkIndexesBuilt(tx handler.Tx) error {
	if err := tx.Put(typeIndexState, storeIndexMarker, []byte(`{}`)); err != nil {
		return fmt.Errorf("mark indexes built: %w", err)
	}
	return nil
}

// BackfillIndexes builds the lookup indexes of tx's partition that data
// written by an older ccql lacks (the client-id index); it does nothing
// once they are built. The emulator runs it when it opens a store and
// after a state load, in a write transaction.
func BackfillIndexes(tx handler.Tx) error {
	return ensureClientIndex(tx)
}

// indexedClientPool returns the pool the partition's client-id index
// names for clientID (one seek, no client read), or "" when it names none.
// The entry may be stale (left by an older ccql): lookupClient checks it.
func indexedClientPool(tx handler.Tx, clientID string) (string, error) {
	recs, err := pageRecords(tx, typeClientIndex, clientID+"|", "", 1)
	if err != nil || len(recs) == 0 {
		return "", err
	}
	return strings.TrimPrefix(recs[0].Identifier, clientID+"|"), nil
}

// lookupClient returns the app client clientID of the partition and its
// pool, or Cognito's ResourceNotFoundException.
func lookupClient(tx handler.Tx, clientID string) (string, *clientModel, error) {
	if clientID == "" || strings.Contains(clientID, "|") {
		return "", nil, clientNotFound(clientID)
	}
	poolID, err := indexedClientPool(tx, clientID)
	if err != nil {
		return "", nil, err
	}
	if poolID != "" {
		c, err := loadClient(tx, poolID, clientID)
		if err == nil {
			return poolID, c, nil
		}
		if !isNotFound(err) {
			return "", nil, err
		}
		// An entry without its client: this version deletes both
		// together, so it was left by an older one (which knows no
		// index) deleting the client. Drop it when the transaction may
		// write; the client is then not found, as below.
		if err := unindexClient(tx, poolID, clientID); err != nil && !errors.Is(err, handler.ErrReadOnly) {
			return "", nil, err
		}
	}
	built, err := clientIndexBuilt(tx)
	if err != nil {
		return "", nil, err
	}
	if built {
		return "", nil, clientNotFound(clientID)
	}
	return scanClients(tx, clientID)
}

// scanClients finds clientID by listing every client of the partition,
// for a partition whose index is not built, and builds it when the
// transaction may write.
func scanClients(tx handler.Tx, clientID string) (string, *clientModel, error) {
	recs, err := tx.List(typeUserPoolClient, "")
	if err != nil {
		return "", nil, fmt.Errorf("list clients: %w", err)
	}
	if err := backfillClientIndex(tx, recs); err != nil && !errors.Is(err, handler.ErrReadOnly) {
		return "", nil, err
	}
	for _, r := range recs {
		poolID, id, ok := splitClientIdentifier(r.Identifier)
		if !ok || id != clientID {
			continue
		}
		var c clientModel
		if err := decodeRaw(r.Model, &c); err != nil {
			return "", nil, err
		}
		if err := attachSecrets(tx, &c); err != nil {
			return "", nil, err
		}
		return poolID, &c, nil
	}
	return "", nil, clientNotFound(clientID)
}
