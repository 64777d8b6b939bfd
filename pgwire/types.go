package pgwire

import (
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/ccql/ccql"
)

// PostgreSQL type OIDs used on the wire.
const (
	oidBool        = 16
	oidBytea       = 17
	oidName        = 19
	oidInt8        = 20
	oidInt2        = 21
	oidInt4        = 23
	oidText        = 25
	oidOID         = 26
	oidJSON        = 114
	oidFloat4      = 700
	oidFloat8      = 701
	oidUnknown     = 705
	oidBPChar      = 1042
	oidVarchar     = 1043
	oidDate        = 1082
	oidTimestamp   = 1114
	oidTimestamptz = 1184
	oidNumeric     = 1700
	oidUUID        = 2950
	oidJSONB       = 3802
)

// oidOf is the PostgreSQL type of a result column. TypeAny columns (SQLite
// expressions, typed per value) are text.
func oidOf(t ccql.Type) uint32 {
	switch t {
	case ccql.TypeInt:
		return oidInt8
	case ccql.TypeFloat:
		return oidFloat8
	case ccql.TypeBool:
		return oidBool
	case ccql.TypeJSON:
		return oidJSONB
	case ccql.TypeTime:
		return oidTimestamptz
	}
	return oidText
}

// typeSize is pg_type.typlen of oid, for RowDescription.
func typeSize(oid uint32) int16 {
	switch oid {
	case oidInt8, oidFloat8, oidTimestamptz:
		return 8
	case oidBool:
		return 1
	}
	return -1
}

// pgEpoch is the zero of PostgreSQL's binary timestamps.
var pgEpoch = time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC)

// encodeValue appends v as a value of type oid in the text (0) or binary
// (1) format. v is one of the Go types of ccql.Result rows; a value that
// does not fit the column's type is converted where that is lossless and
// an error otherwise.
func encodeValue(buf []byte, oid uint32, format int16, v any) ([]byte, error) {
	switch oid {
	case oidInt8:
		n, err := asInt(v)
		if err != nil {
			return nil, err
		}
		if format == 1 {
			return binary.BigEndian.AppendUint64(buf, uint64(n)), nil
		}
		return strconv.AppendInt(buf, n, 10), nil
	case oidFloat8:
		f, err := asFloat(v)
		if err != nil {
			return nil, err
		}
		if format == 1 {
			return binary.BigEndian.AppendUint64(buf, math.Float64bits(f)), nil
		}
		return append(buf, formatFloat(f)...), nil
	case oidBool:
		b, err := asBool(v)
		if err != nil {
			return nil, err
		}
		if format == 1 {
			if b {
				return append(buf, 1), nil
			}
			return append(buf, 0), nil
		}
		if b {
			return append(buf, 't'), nil
		}
		return append(buf, 'f'), nil
	case oidJSONB:
		if format == 1 {
			buf = append(buf, 1) // jsonb binary version
		}
		return append(buf, asJSON(v)...), nil
	case oidTimestamptz:
		t, err := asTime(v)
		if err != nil {
			return nil, err
		}
		if format == 1 {
			us := t.Sub(pgEpoch).Microseconds()
			return binary.BigEndian.AppendUint64(buf, uint64(us)), nil
		}
		return append(buf, formatTime(t)...), nil
	}
	// text: binary and text formats are the same bytes
	return append(buf, asText(v)...), nil
}

func asInt(v any) (int64, error) {
	switch x := v.(type) {
	case int64:
		return x, nil
	case int:
		return int64(x), nil
	case float64:
		if x == math.Trunc(x) && math.Abs(x) < 1<<63 {
			return int64(x), nil
		}
	case bool:
		if x {
			return 1, nil
		}
		return 0, nil
	case string:
		if n, err := strconv.ParseInt(strings.TrimSpace(x), 10, 64); err == nil {
			return n, nil
		}
	}
	return 0, fmt.Errorf("value %s is not an integer", describeValue(v))
}

func asFloat(v any) (float64, error) {
	switch x := v.(type) {
	case float64:
		return x, nil
	case int64:
		return float64(x), nil
	case int:
		return float64(x), nil
	case string:
		if f, err := strconv.ParseFloat(strings.TrimSpace(x), 64); err == nil {
			return f, nil
		}
	}
	return 0, fmt.Errorf("value %s is not a number", describeValue(v))
}

func asBool(v any) (bool, error) {
	switch x := v.(type) {
	case bool:
		return x, nil
	case int64:
		return x != 0, nil
	case string:
		if b, err := strconv.ParseBool(x); err == nil {
			return b, nil
		}
	}
	return false, fmt.Errorf("value %s is not a boolean", describeValue(v))
}

func asTime(v any) (time.Time, error) {
	switch x := v.(type) {
	case time.Time:
		return x, nil
	case string:
		for _, layout := range []string{time.RFC3339Nano, "2006-01-02 15:04:05.999999999Z07:00", "2006-01-02 15:04:05.999999999"} {
			if t, err := time.Parse(layout, x); err == nil {
				return t, nil
			}
		}
	case int64:
		return time.Unix(x, 0), nil
	case float64:
		sec, frac := math.Modf(x)
		return time.Unix(int64(sec), int64(frac*1e9)), nil
	}
	return time.Time{}, fmt.Errorf("value %s is not a time", describeValue(v))
}

// asJSON returns v as JSON text; a string that is not JSON becomes a JSON
// string, so a jsonb column always carries valid JSON.
func asJSON(v any) []byte {
	switch x := v.(type) {
	case json.RawMessage:
		if json.Valid(x) {
			return x
		}
		b, _ := json.Marshal(string(x))
		return b
	case string:
		if json.Valid([]byte(x)) {
			return []byte(x)
		}
	}
	b, err := json.Marshal(v)
	if err != nil {
		b, _ = json.Marshal(fmt.Sprint(v))
	}
	return b
}

// asText formats any row value as PostgreSQL's text output would.
func asText(v any) string {
	switch x := v.(type) {
	case string:
		return x
	case []byte:
		return string(x)
	case json.RawMessage:
		return string(x)
	case int64:
		return strconv.FormatInt(x, 10)
	case int:
		return strconv.Itoa(x)
	case float64:
		return formatFloat(x)
	case bool:
		if x {
			return "true"
		}
		return "false"
	case time.Time:
		return formatTime(x)
	}
	return fmt.Sprint(v)
}

// formatFloat is float8out: the shortest exact digits, with an exponent
// below 1e-4 and from 1e15 on, and PostgreSQL's spellings of the specials.
func formatFloat(f float64) string {
	switch {
	case math.IsNaN(f):
		return "NaN"
	case math.IsInf(f, 1):
		return "Infinity"
	case math.IsInf(f, -1):
		return "-Infinity"
	}
	if a := math.Abs(f); a == 0 || (a >= 1e-4 && a < 1e15) {
		return strconv.FormatFloat(f, 'f', -1, 64)
	}
	return strconv.FormatFloat(f, 'e', -1, 64)
}

// formatTime is timestamptz output with TimeZone=UTC and DateStyle=ISO.
func formatTime(t time.Time) string {
	return t.UTC().Format("2006-01-02 15:04:05.999999") + "+00"
}

func describeValue(v any) string {
	s := fmt.Sprintf("%v", v)
	if len(s) > 40 {
		s = s[:40] + "…"
	}
	return fmt.Sprintf("%q (%T)", s, v)
}

// decodeParam turns one Bind parameter into the Go value handed to the
// engine: strings for text types, int64, float64, bool, time.Time, []byte.
// oid is the type from Parse (0 when the client left it open, then text).
func decodeParam(oid uint32, format int16, b []byte) (any, error) {
	if b == nil {
		return nil, nil
	}
	if format == 0 {
		s := string(b)
		switch oid {
		case oidInt2, oidInt4, oidInt8, oidOID:
			n, err := strconv.ParseInt(strings.TrimSpace(s), 10, 64)
			if err != nil {
				return nil, errorf(CodeInvalidParameter, "invalid input syntax for type integer: %q", s)
			}
			return n, nil
		case oidFloat4, oidFloat8, oidNumeric:
			f, err := strconv.ParseFloat(strings.TrimSpace(s), 64)
			if err != nil {
				return nil, errorf(CodeInvalidParameter, "invalid input syntax for type double precision: %q", s)
			}
			if oid == oidNumeric && f == math.Trunc(f) && !strings.ContainsAny(s, ".eE") && math.Abs(f) < 1<<53 {
				return int64(f), nil
			}
			return f, nil
		case oidBool:
			switch strings.ToLower(strings.TrimSpace(s)) {
			case "t", "true", "y", "yes", "on", "1":
				return true, nil
			case "f", "false", "n", "no", "off", "0":
				return false, nil
			}
			return nil, errorf(CodeInvalidParameter, "invalid input syntax for type boolean: %q", s)
		case oidBytea:
			if h, ok := strings.CutPrefix(s, `\x`); ok {
				raw, err := hex.DecodeString(h)
				if err != nil {
					return nil, errorf(CodeInvalidParameter, "invalid hexadecimal bytea")
				}
				return raw, nil
			}
		}
		return s, nil
	}
	if format != 1 {
		return nil, errorf(CodeProtocolViolation, "unsupported format code %d", format)
	}
	bad := func(name string) error {
		return errorf(CodeProtocolViolation, "insufficient data left in message for binary %s parameter", name)
	}
	switch oid {
	case oidInt2:
		if len(b) != 2 {
			return nil, bad("int2")
		}
		return int64(int16(binary.BigEndian.Uint16(b))), nil
	case oidInt4:
		if len(b) != 4 {
			return nil, bad("int4")
		}
		return int64(int32(binary.BigEndian.Uint32(b))), nil
	case oidOID:
		if len(b) != 4 {
			return nil, bad("oid")
		}
		return int64(binary.BigEndian.Uint32(b)), nil
	case oidInt8:
		if len(b) != 8 {
			return nil, bad("int8")
		}
		return int64(binary.BigEndian.Uint64(b)), nil
	case oidFloat4:
		if len(b) != 4 {
			return nil, bad("float4")
		}
		return float64(math.Float32frombits(binary.BigEndian.Uint32(b))), nil
	case oidFloat8:
		if len(b) != 8 {
			return nil, bad("float8")
		}
		return math.Float64frombits(binary.BigEndian.Uint64(b)), nil
	case oidBool:
		if len(b) != 1 {
			return nil, bad("bool")
		}
		return b[0] != 0, nil
	case oidText, oidVarchar, oidBPChar, oidName, oidUnknown, oidJSON, 0:
		return string(b), nil
	case oidJSONB:
		if len(b) == 0 || b[0] != 1 {
			return nil, errorf(CodeProtocolViolation, "unsupported jsonb version")
		}
		return string(b[1:]), nil
	case oidBytea:
		return append([]byte(nil), b...), nil
	case oidTimestamptz, oidTimestamp:
		if len(b) != 8 {
			return nil, bad("timestamp")
		}
		us := int64(binary.BigEndian.Uint64(b))
		return pgEpoch.Add(time.Duration(us) * time.Microsecond), nil
	case oidUUID:
		if len(b) != 16 {
			return nil, bad("uuid")
		}
		h := hex.EncodeToString(b)
		return h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:], nil
	}
	return nil, errorf(CodeFeatureNotSupported, "binary parameters of type OID %d are not supported; send them in text format", oid)
}
