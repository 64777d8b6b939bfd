package deploy

import (
	"encoding/json"
	"regexp"
	"slices"
	"strings"
	"sync"
)

// Masked replaces a secret wherever ccql prints text: logs, --show-queries,
// --dry-run, plan output and error messages.
const Masked = "****"

// reSecretName matches variable names whose values are secrets: client
// secrets, passwords, API and access keys, session tokens, credentials.
// (token_validity_units does not match: "token" only counts at the end.)
var reSecretName = regexp.MustCompile(`(?i)(secret|password|passwd|credential|private_?key|api_?key|access_?key|token$)`)

// looksSecret reports whether a variable or column name holds a secret.
func looksSecret(name string) bool { return reSecretName.MatchString(name) }

// masker remembers secret values and blanks them out of text.
type masker struct {
	mu      sync.Mutex
	secrets []string // longest first, so a secret containing another is masked whole
}

// add registers a secret value (and the forms it takes once quoted for SQL
// or JSON). Values shorter than minSecret are ignored unless forced, since
// masking "on" or "1" everywhere would garble every line.
func (m *masker) add(v any, force bool) {
	s, ok := v.(string)
	if !ok || s == "" || (!force && len(s) < minSecret) {
		return
	}
	forms := []string{s, strings.ReplaceAll(s, "'", "''")}
	if b, err := json.Marshal(s); err == nil {
		forms = append(forms, string(b[1:len(b)-1]))
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	for _, f := range forms {
		if !slices.Contains(m.secrets, f) {
			m.secrets = append(m.secrets, f)
		}
	}
	slices.SortFunc(m.secrets, func(a, b string) int { return len(b) - len(a) })
}

const minSecret = 4

// mask returns s with every registered secret replaced by Masked.
func (m *masker) mask(s string) string {
	m.mu.Lock()
	defer m.mu.Unlock()
	for _, sec := range m.secrets {
		s = strings.ReplaceAll(s, sec, Masked)
	}
	return s
}
