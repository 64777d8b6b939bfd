package cognito

import (
	"fmt"
	"strconv"

	"github.com/ccql/ccql/internal/handler"
)

// Event ids that name their record. AdminUpdateAuthEventFeedback and
// UpdateAuthEventFeedback name an event by its EventId, while events are
// stored under "<poolId>|<sub>|<inverted sequence>" (newest first); finding
// one listed every event of the user. An event id is now a random UUID
// (version 4) whose last 48 bits, the node field, are the event's sequence
// XOR the first 48 bits: the id still looks as random as AWS's, and it
// gives back its sequence, hence its key, for one Get.
//
// Events recorded by an older ccql have plain random ids. They are older
// than every event recorded since (a user's sequence only grows), so a
// user's first event (sequence 1) tells them apart: when it has an
// encoded id, so has every later event, and an id that does not lead to
// its event is unknown; otherwise the user's events are scanned, as
// before.

// eventIDWithSeq returns the UUID id with its node field replaced by
// seq XOR its first 48 bits.
func eventIDWithSeq(id string, seq int64) (string, error) {
	head, ok := uuidHead(id)
	if !ok || seq <= 0 || seq > maxEventSeq {
		return "", fmt.Errorf("event id %q for sequence %d", id, seq)
	}
	return fmt.Sprintf("%s%012x", id[:24], uint64(seq)^head), nil
}

// eventSeqOf returns the sequence an event id carries; ok is false when
// the id is no UUID or its sequence is out of range (an id of an older
// ccql may still give one: callers check the event found).
func eventSeqOf(id string) (seq int64, ok bool) {
	head, ok := uuidHead(id)
	if !ok {
		return 0, false
	}
	node, err := strconv.ParseUint(id[24:], 16, 64)
	if err != nil {
		return 0, false
	}
	s := node ^ head
	if s == 0 || s > maxEventSeq {
		return 0, false
	}
	return int64(s), true
}

// uuidHead returns the first 48 bits of a UUID in its text form.
func uuidHead(id string) (uint64, bool) {
	if len(id) != 36 || id[8] != '-' || id[13] != '-' || id[18] != '-' || id[23] != '-' {
		return 0, false
	}
	head, err := strconv.ParseUint(id[:8]+id[9:13], 16, 64)
	if err != nil {
		return 0, false
	}
	if _, err := strconv.ParseUint(id[24:], 16, 64); err != nil {
		return 0, false
	}
	return head, true
}

// eventKey is the key of u's event with sequence seq.
func eventKey(poolID, sub string, seq int64) string {
	return fmt.Sprintf("%s%012d", eventPrefix(poolID, sub), maxEventSeq-seq)
}

// findEvent finds the event eventID of u: one Get from the sequence the
// id carries, and for a user with events of an older ccql whose id does
// not lead to its event, a scan of the user's events.
func findEvent(tx handler.Tx, poolID string, u *user, eventID string) (*storedEvent, error) {
	if seq, ok := eventSeqOf(eventID); ok {
		e, err := loadEvent(tx, eventKey(poolID, u.Sub, seq))
		if err != nil {
			return nil, err
		}
		if e != nil && e.EventId == eventID {
			return e, nil
		}
	}
	first, err := loadEvent(tx, eventKey(poolID, u.Sub, 1))
	if err != nil || first == nil {
		return nil, err // no events at all
	}
	if seq, ok := eventSeqOf(first.EventId); ok && seq == 1 {
		return nil, nil // every event's id leads to it
	}
	return scanEvents(tx, poolID, u, eventID)
}

// scanEvents finds eventID among u's events, one by one.
func scanEvents(tx handler.Tx, poolID string, u *user, eventID string) (*storedEvent, error) {
	recs, err := tx.List(typeAuthEvent, eventPrefix(poolID, u.Sub))
	if err != nil {
		return nil, fmt.Errorf("list auth events: %w", err)
	}
	for _, r := range recs {
		var e storedEvent
		if err := decodeRaw(r.Model, &e); err != nil {
			return nil, err
		}
		if e.EventId == eventID {
			e.Key = r.Identifier
			return &e, nil
		}
	}
	return nil, nil
}
