package iql

import "strings"

// Hint is one item of a /*+ … */ comment: a bare word (`create`, `AWAIT`)
// or a key=value option (`retries=5`).
type Hint struct {
	Name  string // lower-cased
	Value string // the text after '=', trimmed and unquoted; "" for a bare word
	Raw   string // the item as written
}

// Hints are the hint items of a statement, in order.
type Hints []Hint

// Has reports whether a hint with this name (case-insensitive) is present.
func (h Hints) Has(name string) bool {
	_, ok := h.Get(name)
	return ok
}

// Get returns the value of the first hint with this name (case-insensitive)
// and whether it is present; a bare word has the value "".
func (h Hints) Get(name string) (value string, ok bool) {
	for _, x := range h {
		if strings.EqualFold(x.Name, name) {
			return x.Value, true
		}
	}
	return "", false
}

// hintTok is a hint comment and the index of the significant token that
// follows it, which tells whether it leads the statement or follows its verb.
type hintTok struct {
	tok  token
	next int
}

// parseHints splits the inside of a hint comment into items. Items are
// separated by commas (stackql-deploy's `statecheck, retries=5`) or by white
// space (StackQL's `AWAIT NOSTATUS`); `key = value` may have spaces around
// the '='.
func parseHints(body string) Hints {
	var out Hints
	for _, part := range strings.Split(body, ",") {
		words := strings.Fields(part)
		for i := 0; i < len(words); i++ {
			w := words[i]
			switch {
			case strings.Contains(w, "="):
				k, v, _ := strings.Cut(w, "=")
				raw := w
				if v == "" && i+1 < len(words) { // key= value
					i++
					v = words[i]
					raw += " " + v
				}
				if k == "" { // a stray "=value": keep it visible, nameless
					out = append(out, Hint{Value: unquoteHint(v), Raw: raw})
					continue
				}
				out = append(out, Hint{Name: strings.ToLower(k), Value: unquoteHint(v), Raw: raw})
			case i+2 < len(words) && words[i+1] == "=": // key = value
				out = append(out, Hint{Name: strings.ToLower(w), Value: unquoteHint(words[i+2]), Raw: w + " = " + words[i+2]})
				i += 2
			case i+1 < len(words) && strings.HasPrefix(words[i+1], "="): // key =value
				v := strings.TrimPrefix(words[i+1], "=")
				out = append(out, Hint{Name: strings.ToLower(w), Value: unquoteHint(v), Raw: w + " " + words[i+1]})
				i++
			default:
				out = append(out, Hint{Name: strings.ToLower(w), Raw: w})
			}
		}
	}
	return out
}

func unquoteHint(v string) string {
	if len(v) >= 2 && (v[0] == '\'' || v[0] == '"') && v[len(v)-1] == v[0] {
		return v[1 : len(v)-1]
	}
	return v
}
