package mcpserver

import (
	"bytes"
	"encoding/json"
	"io"
	"strings"
)

// masked replaces a secret value.
const masked = "***"

// isSecretName reports whether a column, property or JSON key names a
// secret: client secrets, passwords, private keys, credentials, access and
// refresh tokens. Idempotency and paging tokens (ClientToken, RequestToken,
// NextToken) and token settings (AccessTokenValidity) are not secrets.
func isSecretName(name string) bool {
	n := strings.ToLower(strings.NewReplacer("_", "", "-", "", " ", "").Replace(name))
	if i := strings.LastIndexByte(n, '/'); i >= 0 { // a JSON Patch path: its last segment
		n = n[i+1:]
	}
	for _, s := range []string{"secret", "password", "passwd", "passphrase", "credential", "privatekey", "apikey", "authkey", "sessionkey", "signingkey"} {
		if strings.Contains(n, s) {
			return true
		}
	}
	if strings.HasSuffix(n, "token") {
		switch n {
		case "clienttoken", "requesttoken", "nexttoken", "continuationtoken", "paginationtoken":
			return false
		}
		return true
	}
	return false
}

// sqlToken is one token of a statement, as far as masking needs.
type sqlToken struct {
	kind  byte // 's' string literal, 'i' identifier or keyword, 'p' punctuation, 'o' other
	start int  // byte offsets in the text
	end   int
	text  string // identifiers unquoted; string literals unquoted
}

// tokenize splits SQL into the tokens masking looks at; comments and white
// space are skipped. It never fails: an unterminated literal runs to the end.
func tokenize(s string) []sqlToken {
	var out []sqlToken
	for i := 0; i < len(s); {
		c := s[i]
		switch {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f':
			i++
		case c == '-' && i+1 < len(s) && s[i+1] == '-':
			for i < len(s) && s[i] != '\n' {
				i++
			}
		case c == '/' && i+1 < len(s) && s[i+1] == '*':
			j := strings.Index(s[i+2:], "*/")
			if j < 0 {
				i = len(s)
			} else {
				i += j + 4
			}
		case c == '\'':
			var b strings.Builder
			j := i + 1
			for j < len(s) {
				if s[j] == '\'' {
					if j+1 < len(s) && s[j+1] == '\'' {
						b.WriteByte('\'')
						j += 2
						continue
					}
					j++
					break
				}
				b.WriteByte(s[j])
				j++
			}
			out = append(out, sqlToken{kind: 's', start: i, end: j, text: b.String()})
			i = j
		case c == '"' || c == '`' || c == '[':
			closer := c
			if c == '[' {
				closer = ']'
			}
			j := strings.IndexByte(s[i+1:], closer)
			end := len(s)
			if j >= 0 {
				end = i + 1 + j + 1
			}
			out = append(out, sqlToken{kind: 'i', start: i, end: end, text: strings.TrimSuffix(s[i+1:end], string(closer))})
			i = end
		case isWordByte(c):
			j := i
			for j < len(s) && isWordByte(s[j]) {
				j++
			}
			out = append(out, sqlToken{kind: 'i', start: i, end: j, text: s[i:j]})
			i = j
		case strings.IndexByte("(),=;.", c) >= 0:
			out = append(out, sqlToken{kind: 'p', start: i, end: i + 1, text: s[i : i+1]})
			i++
		default:
			out = append(out, sqlToken{kind: 'o', start: i, end: i + 1, text: s[i : i+1]})
			i++
		}
	}
	return out
}

func isWordByte(c byte) bool {
	return c == '_' || c == '$' || c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= 0x80
}

// MaskStatement returns a statement with secret values replaced by '***':
// string literals assigned to a secret-named column (SET ClientSecret =
// '…', WHERE password = '…'), those an INSERT gives for a secret-named
// column (by position in its SELECT or VALUES rows), and secret-named keys
// inside JSON literals (including JSON Patch operations whose path names a
// secret). Everything else is kept as written, so the log shows what was
// asked.
func MaskStatement(s string) string {
	toks := tokenize(s)
	secret := make([]bool, len(toks)) // string literals to mask whole
	for i, t := range toks {
		if t.kind != 'i' || !isSecretName(t.text) {
			continue
		}
		// name = 'x', name = string('x')
		j := i + 1
		if j < len(toks) && toks[j].kind == 'p' && toks[j].text == "=" {
			j++
			if j+1 < len(toks) && toks[j].kind == 'i' && strings.EqualFold(toks[j].text, "string") && toks[j+1].text == "(" {
				j += 2
			}
			if j < len(toks) && toks[j].kind == 's' {
				secret[j] = true
			}
		}
	}
	markInsertValues(toks, secret)
	var b strings.Builder
	last := 0
	for i, t := range toks {
		if t.kind != 's' {
			continue
		}
		var repl string
		switch {
		case secret[i]:
			repl = "'" + masked + "'"
		default:
			m, changed := maskJSONText(t.text)
			if !changed {
				continue
			}
			repl = "'" + strings.ReplaceAll(m, "'", "''") + "'"
		}
		b.WriteString(s[last:t.start])
		b.WriteString(repl)
		last = t.end
	}
	b.WriteString(s[last:])
	return b.String()
}

// markInsertValues marks the literals of INSERT INTO t (cols) SELECT …|VALUES
// (…) that fall in the position of a secret-named column.
func markInsertValues(toks []sqlToken, secret []bool) {
	i := 0
	for i < len(toks) && !(toks[i].kind == 'i' && strings.EqualFold(toks[i].text, "INTO")) {
		i++
	}
	for i < len(toks) && toks[i].text != "(" {
		i++
	}
	if i >= len(toks) {
		return
	}
	var cols []bool
	i++
	for ; i < len(toks) && toks[i].text != ")"; i++ {
		if toks[i].kind == 'i' {
			cols = append(cols, isSecretName(toks[i].text))
		}
	}
	any := false
	for _, c := range cols {
		any = any || c
	}
	if !any {
		return
	}
	// Walk the source: a row starts after SELECT (at any depth, since a
	// UNION ALL of SELECTs is flat but a VALUES row is parenthesised) or at
	// a VALUES row's "(". pos counts the top-level commas of the row.
	depth, rowDepth, pos := 0, -1, 0
	inValues := false
	for i++; i < len(toks); i++ {
		t := toks[i]
		switch {
		case t.kind == 'i' && strings.EqualFold(t.text, "SELECT"):
			rowDepth, pos, inValues = depth, 0, false
		case t.kind == 'i' && strings.EqualFold(t.text, "VALUES"):
			inValues, rowDepth = true, -1
		case t.kind == 'i' && rowDepth == depth && isClauseEnd(t.text):
			rowDepth = -1
		case t.text == "(":
			depth++
			if inValues && rowDepth < 0 {
				rowDepth, pos = depth, 0
			}
		case t.text == ")":
			if inValues && rowDepth == depth {
				rowDepth = -1
			}
			depth--
		case t.text == "," && depth == rowDepth:
			pos++
		case t.kind == 's' && rowDepth >= 0 && pos < len(cols) && cols[pos]:
			// the value itself, or string('…') one level down
			if depth == rowDepth || depth == rowDepth+1 {
				secret[i] = true
			}
		}
	}
}

func isClauseEnd(w string) bool {
	switch strings.ToUpper(w) {
	case "FROM", "WHERE", "UNION", "EXCEPT", "INTERSECT", "RETURNING", "GROUP", "ORDER", "LIMIT", "HAVING", "WINDOW":
		return true
	}
	return false
}

// maskJSONText masks secret keys of a JSON object or array given as text;
// changed is false when s is not JSON or holds no secret.
func maskJSONText(s string) (string, bool) {
	t := strings.TrimSpace(s)
	if t == "" || (t[0] != '{' && t[0] != '[') {
		return s, false
	}
	var v any
	dec := json.NewDecoder(strings.NewReader(t))
	dec.UseNumber()
	if dec.Decode(&v) != nil || !atEnd(dec) {
		return s, false
	}
	if !maskValue(v) {
		return s, false
	}
	b, err := marshalNoEscape(v)
	if err != nil {
		return s, false
	}
	return b, true
}

// maskJSON masks secret keys in a JSON document; invalid JSON is kept.
func maskJSON(raw json.RawMessage) json.RawMessage {
	m, changed := maskJSONText(string(raw))
	if !changed {
		return raw
	}
	return json.RawMessage(m)
}

// maskValue masks, in place, the values of secret-named keys, and the
// "value" of a JSON Patch operation whose "path" names a secret. It
// reports whether anything was masked.
func maskValue(v any) bool {
	changed := false
	switch x := v.(type) {
	case map[string]any:
		if p, ok := x["path"].(string); ok && isSecretName(p) {
			if _, has := x["value"]; has {
				x["value"] = masked
				changed = true
			}
		}
		for k, val := range x {
			if isSecretName(k) {
				if val != nil {
					x[k] = masked
					changed = true
				}
				continue
			}
			if maskValue(val) {
				changed = true
			}
		}
	case []any:
		for _, e := range x {
			if maskValue(e) {
				changed = true
			}
		}
	}
	return changed
}

func marshalNoEscape(v any) (string, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return "", err
	}
	return strings.TrimSuffix(buf.String(), "\n"), nil
}

// atEnd reports whether dec has nothing left but whitespace (More alone is
// false before a stray '}' or ']').
func atEnd(dec *json.Decoder) bool {
	_, err := dec.Token()
	return err == io.EOF
}
