package cognito

import (
	"encoding/json"
	"fmt"
	"time"

	"github.com/ccql/ccql/internal/handler"
)

// Log delivery, emulated: when a pool's log delivery configuration
// (Get/SetLogDeliveryConfiguration) has a userAuthEvents entry, every auth
// event the emulator records or continues (auth_events.go) is also written
// as one log record, kept under the private type "ccql::Cognito::LogRecord"
// keyed "<poolId>|<sequence>" instead of being sent to the configured
// CloudWatch Logs group, S3 bucket or Firehose stream. The emulator's HTTP
// endpoint serves them as JSON lines (GET /_ccql/cognito/logs). The
// userNotification source logs message-delivery errors, and the emulator
// never fails to deliver (the outbox keeps every message), so it writes
// none.

const typeLogRecord = "ccql::Cognito::LogRecord"

// LogRecord is one delivered log record, as the logs endpoint serves it
// (one JSON object per line).
type LogRecord struct {
	UserPoolId string `json:"userPoolId"`
	// Sequence orders a pool's records, from 1.
	Sequence    int    `json:"sequence"`
	EventSource string `json:"eventSource"` // userAuthEvents
	LogLevel    string `json:"logLevel"`
	// Destination is the configured log group, bucket or stream ARN.
	Destination string    `json:"destination"`
	Timestamp   time.Time `json:"eventTimestamp"`
	// Message is the record: the auth event, with its user and client.
	Message json.RawMessage `json:"message"`
}

// logDeliveryOf returns the pool's log configuration of source, nil for none.
func logDeliveryOf(tx handler.Tx, poolID, source string) (*logConfiguration, error) {
	var conf logDeliveryConfiguration
	found, err := getJSON(tx, typePoolSettings, settingKey(poolID, "logdelivery", ""), &conf)
	if err != nil || !found {
		return nil, err
	}
	for i, c := range conf.LogConfigurations {
		if deref(c.EventSource, "") == source {
			return &conf.LogConfigurations[i], nil
		}
	}
	return nil, nil
}

// logAuthEvent delivers ev as a userAuthEvents record when the pool
// asks for them.
func logAuthEvent(env handler.Env, tx handler.Tx, poolID, clientID string, u *user, ev *storedEvent) error {
	c, err := logDeliveryOf(tx, poolID, "userAuthEvents")
	if err != nil || c == nil {
		return err
	}
	dest := ""
	switch {
	case c.CloudWatchLogsConfiguration != nil:
		dest = deref(c.CloudWatchLogsConfiguration.LogGroupArn, "")
	case c.S3Configuration != nil:
		dest = deref(c.S3Configuration.BucketArn, "")
	case c.FirehoseConfiguration != nil:
		dest = deref(c.FirehoseConfiguration.StreamArn, "")
	}
	msg, err := json.Marshal(struct {
		authEvent
		UserPoolId string `json:"UserPoolId"`
		ClientId   string `json:"ClientId,omitempty"`
		Username   string `json:"Username"`
		UserSub    string `json:"UserSub"`
	}{ev.authEvent, poolID, clientID, u.Username, u.Sub})
	if err != nil {
		return fmt.Errorf("encode log record: %w", err)
	}
	n, err := tx.Count(typeLogRecord, poolID+"|")
	if err != nil {
		return fmt.Errorf("count log records of %s: %w", poolID, err)
	}
	rec := LogRecord{UserPoolId: poolID, Sequence: n + 1, EventSource: "userAuthEvents", LogLevel: deref(c.LogLevel, "INFO"),
		Destination: dest, Timestamp: env.Now.UTC(), Message: msg}
	return putJSON(tx, typeLogRecord, logRecordKey(poolID, rec.Sequence), rec)
}

// ListLogRecords returns the log records delivered for a pool, oldest
// first; source, when not empty, keeps one event source's.
func ListLogRecords(tx handler.Tx, poolID, source string) ([]LogRecord, error) {
	return ListLogRecordsPage(tx, poolID, source, 0, -1)
}

// ListLogRecordsPage returns up to limit (< 0: all) of the log records
// ListLogRecords returns whose Sequence is above after: one page, read
// from the store's index from the cursor on (records are keyed by their
// sequence), so a page costs O(page) however many records the pool has.
// With a source, records of other sources are read and skipped.
func ListLogRecordsPage(tx handler.Tx, poolID, source string, after, limit int) ([]LogRecord, error) {
	cursor := ""
	if after > 0 {
		cursor = logRecordKey(poolID, after)
	}
	out := []LogRecord{}
	chunk := 0
	for limit < 0 || len(out) < limit {
		want := -1
		if limit >= 0 {
			// What the page lacks, more once a source filter skips records.
			chunk = max(limit-len(out), min(2*chunk, scanChunk))
			want = chunk
		}
		recs, err := pageRecords(tx, typeLogRecord, poolID+"|", cursor, want)
		if err != nil {
			return nil, fmt.Errorf("list log records of %s: %w", poolID, err)
		}
		for _, r := range recs {
			var l LogRecord
			if err := decodeRaw(r.Model, &l); err != nil {
				return nil, err
			}
			if source == "" || l.EventSource == source {
				out = append(out, l)
				if len(out) == limit {
					break
				}
			}
		}
		if want < 0 || len(recs) < want {
			break
		}
		cursor = recs[len(recs)-1].Identifier
	}
	return out, nil
}

// logRecordKey is the key of a pool's log record with sequence seq.
func logRecordKey(poolID string, seq int) string { return fmt.Sprintf("%s|%012d", poolID, seq) }
