package cognito

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"strconv"
	"time"

	"github.com/ccql/ccql/internal/handler"
)

// The type names this package stores under.
const (
	typeUserPool       = "AWS::Cognito::UserPool"
	typeUserPoolClient = "AWS::Cognito::UserPoolClient"
	typeResourceServer = "AWS::Cognito::UserPoolResourceServer"
	typeIdentityProv   = "AWS::Cognito::UserPoolIdentityProvider"
	typeGroup          = "AWS::Cognito::UserPoolGroup"
	typeDomain         = "AWS::Cognito::UserPoolDomain"
	// typeTimestamps keeps the creation and modification dates the IdP API
	// reports, apart from the Cloud Control models so that a read model
	// stays exactly what GetResource returns. Keys are "<TypeName>|<identifier>".
	typeTimestamps = "ccql::Cognito::Timestamps"
)

// clientKey is the Cloud Control identifier of an app client.
func clientKey(poolID, clientID string) string { return poolID + "|" + clientID }

// getJSON reads the model stored under identifier into v; found is false
// when there is none.
func getJSON(tx handler.Tx, typeName, identifier string, v any) (found bool, err error) {
	raw, err := tx.Get(typeName, identifier)
	if errors.Is(err, handler.ErrNotFound) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("get %s %s: %w", typeName, identifier, err)
	}
	if err := json.Unmarshal(raw, v); err != nil {
		return false, fmt.Errorf("decode stored %s %s: %w", typeName, identifier, err)
	}
	return true, nil
}

// putJSON stores v under identifier.
func putJSON(tx handler.Tx, typeName, identifier string, v any) error {
	raw, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("encode %s %s: %w", typeName, identifier, err)
	}
	if err := tx.Put(typeName, identifier, raw); err != nil {
		return fmt.Errorf("put %s %s: %w", typeName, identifier, err)
	}
	return nil
}

// deleteIfPresent removes a model, ignoring a missing one.
func deleteIfPresent(tx handler.Tx, typeName, identifier string) error {
	if err := tx.Delete(typeName, identifier); err != nil && !errors.Is(err, handler.ErrNotFound) {
		return fmt.Errorf("delete %s %s: %w", typeName, identifier, err)
	}
	return nil
}

// timestamps are a resource's creation and last modification times.
type timestamps struct {
	CreationDate     epochSeconds `json:"CreationDate"`
	LastModifiedDate epochSeconds `json:"LastModifiedDate"`
}

// touch records a modification at now, and the creation when there was none.
func touch(tx handler.Tx, typeName, identifier string, now time.Time) error {
	var ts timestamps
	found, err := getJSON(tx, typeTimestamps, typeName+"|"+identifier, &ts)
	if err != nil {
		return err
	}
	if !found {
		ts.CreationDate = epochSeconds(now)
	}
	ts.LastModifiedDate = epochSeconds(now)
	return putJSON(tx, typeTimestamps, typeName+"|"+identifier, ts)
}

// stamps returns the recorded times of a resource (zero when unrecorded,
// e.g. a model written by another tool).
func stamps(tx handler.Tx, typeName, identifier string) (timestamps, error) {
	var ts timestamps
	_, err := getJSON(tx, typeTimestamps, typeName+"|"+identifier, &ts)
	return ts, err
}

func forgetStamps(tx handler.Tx, typeName, identifier string) error {
	return deleteIfPresent(tx, typeTimestamps, typeName+"|"+identifier)
}

// epochSeconds is a time the AWS JSON protocols write as seconds since the
// epoch with millisecond fractions, e.g. 1548697449.497.
type epochSeconds time.Time

// MarshalJSON writes the time as a JSON number of seconds.
func (t epochSeconds) MarshalJSON() ([]byte, error) {
	ms := time.Time(t).UnixMilli()
	return []byte(strconv.FormatFloat(float64(ms)/1000, 'f', -1, 64)), nil
}

// UnmarshalJSON reads a JSON number of seconds.
func (t *epochSeconds) UnmarshalJSON(b []byte) error {
	f, err := strconv.ParseFloat(string(b), 64)
	if err != nil {
		return fmt.Errorf("epoch seconds: %w", err)
	}
	sec, frac := math.Modf(f)
	*t = epochSeconds(time.Unix(int64(sec), int64(math.Round(frac*1000))*int64(time.Millisecond)).UTC())
	return nil
}

// decodeModel converts a Cloud Control model map into v through JSON.
func decodeModel(model map[string]any, v any) error {
	raw, err := json.Marshal(model)
	if err != nil {
		return fmt.Errorf("encode model: %w", err)
	}
	if err := json.Unmarshal(raw, v); err != nil {
		return fmt.Errorf("decode model: %w", err)
	}
	return nil
}

// encodeModel converts v into a Cloud Control model map through JSON.
func encodeModel(v any) (map[string]any, error) {
	raw, err := json.Marshal(v)
	if err != nil {
		return nil, fmt.Errorf("encode model: %w", err)
	}
	var m map[string]any
	if err := json.Unmarshal(raw, &m); err != nil {
		return nil, fmt.Errorf("decode model: %w", err)
	}
	return m, nil
}

// decodeRaw decodes a stored model.
func decodeRaw(raw []byte, v any) error {
	if err := json.Unmarshal(raw, v); err != nil {
		return fmt.Errorf("decode stored model: %w", err)
	}
	return nil
}
