package deploy

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"

	"gopkg.in/yaml.v3"
)

// ManifestFile is the manifest's file name in a stack directory.
const ManifestFile = "stackql_manifest.yml"

// Resource types.
const (
	TypeResource = "resource" // a cloud resource managed through its anchors (the default)
	TypeQuery    = "query"    // a lookup: its exports query (or sql) feeds later resources
	TypeCommand  = "command"  // a statement run on every build (sql or the command anchor)
	TypeScript   = "script"   // a shell command whose JSON stdout holds the exports
	// TypeMulti is a resource whose statements manage several cloud
	// resources at once (stackql-deploy v2): it runs as a resource, but a
	// failing create, update or delete is logged and the run goes on, and
	// teardown deletes it without asking exists first.
	TypeMulti = "multi"
)

// Manifest is a stackql_manifest.yml.
type Manifest struct {
	Version     int        `yaml:"version"`
	Name        string     `yaml:"name"`
	Description string     `yaml:"description"`
	Providers   []string   `yaml:"providers"`
	Globals     []Global   `yaml:"globals"`
	Resources   []Resource `yaml:"resources"`
	// Exports are the stack's outputs, written by --output-file, with
	// stack_name, stack_env and elapsed_time always added.
	Exports []string `yaml:"exports"`
}

// Global is a stack-wide variable, rendered in order; it may use the
// environment, stack_name, stack_env and earlier globals. An empty result is
// an error.
type Global struct {
	Name        string `yaml:"name"`
	Value       any    `yaml:"value"`
	Description string `yaml:"description"`
	// Protected masks the value wherever ccql prints (stackql-deploy v2).
	Protected bool `yaml:"protected"`
}

// Resource is one entry of the manifest's resources.
type Resource struct {
	Name string `yaml:"name"`
	// Type is resource (default), multi, query, command or script.
	Type string `yaml:"type"`
	// File is the .iql file under resources/; default <name>.iql.
	File        string `yaml:"file"`
	Description string `yaml:"description"`
	Props       []Prop `yaml:"props"`
	// Exports name the columns of the exports query that become variables
	// of later resources (see Export).
	Exports []Export `yaml:"exports"`
	// Protected exports are masked in every log line and printed query.
	Protected []string `yaml:"protected"`
	// If is a Jinja condition ("stack_env == 'prd'", or v1's
	// "'{{ stack_env }}' == 'prd'"); the resource is skipped when false.
	If string `yaml:"if"`
	// SQL is the inline statement of a query or command resource.
	SQL string `yaml:"sql"`
	// Run is the shell command of a script resource.
	Run string `yaml:"run"`
	// SkipValidation skips the statecheck of an existing resource: it is
	// then never updated.
	SkipValidation bool `yaml:"skip_validation"`
	// ReturnVals capture columns of the RETURNING row of a create, update
	// or delete as {{ this.<name> }} (stackql-deploy v2):
	//
	//	return_vals:
	//	  create:
	//	    - Identifier: identifier   # RETURNING's Identifier as this.identifier
	//	    - RequestToken             # as this.RequestToken
	//
	// A named column missing from the row, or null or empty, fails the run.
	// A create whose return_vals captured them skips the exists query that
	// would otherwise run again to capture what the cloud generated.
	ReturnVals map[string][]Export `yaml:"return_vals"`
}

// managed reports whether the resource is managed through exists, create,
// update and delete anchors (resource and multi).
func (r *Resource) managed() bool { return r.Type == TypeResource || r.Type == TypeMulti }

// Prop is a resource property: a template variable of the resource's
// queries. Exactly one of Value and Values is set.
type Prop struct {
	Name        string
	Value       any
	HasValue    bool                // Value was given (it may be null)
	Values      map[string]EnvValue // per stack environment
	Merge       []string            // variables whose lists/dicts are merged into this one
	Description string
	Protected   bool // the value is masked wherever ccql prints (stackql-deploy v2)
}

// EnvValue is the value of a prop in one environment.
type EnvValue struct {
	Value any `yaml:"value"`
}

// UnmarshalYAML reads a prop, telling an absent value from a null one.
func (p *Prop) UnmarshalYAML(n *yaml.Node) error {
	var raw struct {
		Name        string              `yaml:"name"`
		Value       any                 `yaml:"value"`
		Values      map[string]EnvValue `yaml:"values"`
		Merge       []string            `yaml:"merge"`
		Description string              `yaml:"description"`
		Protected   bool                `yaml:"protected"`
	}
	if err := decodeStrict(n, &raw); err != nil {
		return err
	}
	*p = Prop{Name: raw.Name, Value: raw.Value, Values: raw.Values, Merge: raw.Merge, Description: raw.Description, Protected: raw.Protected}
	if n.Kind == yaml.MappingNode {
		for i := 0; i+1 < len(n.Content); i += 2 {
			if n.Content[i].Value == "value" {
				p.HasValue = true
			}
		}
	}
	return nil
}

// Export is one exported variable: the column Column of the exports query
// becomes the variable As. In YAML a plain name exports a column under its
// own name; a one-key map {column: name} renames it.
type Export struct {
	Column string
	As     string
}

// UnmarshalYAML reads "name" or {column: name}.
func (e *Export) UnmarshalYAML(n *yaml.Node) error {
	switch n.Kind {
	case yaml.ScalarNode:
		e.Column, e.As = n.Value, n.Value
		return nil
	case yaml.MappingNode:
		if len(n.Content) == 2 && n.Content[0].Kind == yaml.ScalarNode && n.Content[1].Kind == yaml.ScalarNode {
			e.Column, e.As = n.Content[0].Value, n.Content[1].Value
			return nil
		}
	}
	return fmt.Errorf("line %d: an export is a name or a one-key map {column: name}", n.Line)
}

// decodeStrict decodes a node rejecting unknown keys, so a typo in a
// manifest ("prop:", "exprots:") is an error rather than a silent no-op.
func decodeStrict(n *yaml.Node, v any) error {
	b, err := yaml.Marshal(n)
	if err != nil {
		return err
	}
	dec := yaml.NewDecoder(bytes.NewReader(b))
	dec.KnownFields(true)
	if err := dec.Decode(v); err != nil {
		return fmt.Errorf("line %d: %w", n.Line, err)
	}
	return nil
}

var reName = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)

// ParseManifest reads and validates a manifest. The stack name defaults to
// defaultName (the stack directory's name).
func ParseManifest(data []byte, defaultName string) (*Manifest, error) {
	var m Manifest
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(&m); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, errors.New("manifest is empty")
		}
		return nil, fmt.Errorf("manifest: %w", err)
	}
	if m.Name == "" {
		m.Name = defaultName
	}
	if m.Version == 0 {
		m.Version = 1
	}
	if err := m.validate(); err != nil {
		return nil, fmt.Errorf("manifest: %w", err)
	}
	return &m, nil
}

func (m *Manifest) validate() error {
	var errs []error
	seen := map[string]bool{}
	for i, g := range m.Globals {
		if !reName.MatchString(g.Name) {
			errs = append(errs, fmt.Errorf("globals[%d]: name %q is not a valid variable name", i, g.Name))
		}
	}
	for i := range m.Resources {
		r := &m.Resources[i]
		where := fmt.Sprintf("resources[%d] (%s)", i, r.Name)
		if r.Name == "" {
			errs = append(errs, fmt.Errorf("resources[%d]: name is required", i))
			continue
		}
		if seen[r.Name] {
			errs = append(errs, fmt.Errorf("%s: duplicate resource name", where))
		}
		seen[r.Name] = true
		if r.Type == "" {
			r.Type = TypeResource
		}
		switch r.Type {
		case TypeResource, TypeMulti, TypeQuery, TypeCommand:
		case TypeScript:
			if strings.TrimSpace(r.Run) == "" {
				errs = append(errs, fmt.Errorf("%s: a script resource needs run", where))
			}
		default:
			errs = append(errs, fmt.Errorf("%s: type %q: want resource, multi, query, command or script", where, r.Type))
		}
		for op, vals := range r.ReturnVals {
			if !knownOps[op] {
				errs = append(errs, fmt.Errorf("%s: return_vals.%s: want create, update or delete", where, op))
			}
			if !r.managed() {
				errs = append(errs, fmt.Errorf("%s: return_vals are for resource and multi resources", where))
			}
			for _, v := range vals {
				if !reName.MatchString(v.As) {
					errs = append(errs, fmt.Errorf("%s: return_vals.%s: %q is not a valid variable name", where, op, v.As))
				}
			}
		}
		if r.SQL != "" && r.Type != TypeQuery && r.Type != TypeCommand {
			errs = append(errs, fmt.Errorf("%s: sql is only for query and command resources", where))
		}
		for j, p := range r.Props {
			if !reName.MatchString(p.Name) {
				errs = append(errs, fmt.Errorf("%s: props[%d]: name %q is not a valid variable name", where, j, p.Name))
			}
			if p.HasValue && p.Values != nil || !p.HasValue && p.Values == nil && len(p.Merge) == 0 {
				errs = append(errs, fmt.Errorf("%s: prop %s: give exactly one of value and values", where, p.Name))
			}
		}
		for _, e := range r.Exports {
			if !reName.MatchString(e.As) {
				errs = append(errs, fmt.Errorf("%s: export %q is not a valid variable name", where, e.As))
			}
		}
		for _, p := range r.Protected {
			if !r.exports(p) {
				errs = append(errs, fmt.Errorf("%s: protected %q is not one of its exports", where, p))
			}
		}
	}
	return errors.Join(errs...)
}

// exports reports whether the resource exports a variable named name.
func (r *Resource) exports(name string) bool {
	for _, e := range r.Exports {
		if e.As == name || e.Column == name {
			return true
		}
	}
	return false
}

// file is the resource's .iql path relative to the stack directory.
func (r *Resource) file() string {
	f := r.File
	if f == "" {
		f = r.Name + ".iql"
	}
	return filepath.Join("resources", filepath.FromSlash(f))
}

// Stack is a loaded stack directory: its manifest and its query files.
type Stack struct {
	Dir      string
	Manifest *Manifest
	queries  map[string]*QueryFile // by resource name
}

// Load reads STACK_DIR: the manifest and the .iql file of every resource
// that needs one. Templates are not rendered yet.
func Load(dir string) (*Stack, error) {
	data, err := os.ReadFile(filepath.Join(dir, ManifestFile))
	if err != nil {
		return nil, fmt.Errorf("load stack: %w", err)
	}
	abs, _ := filepath.Abs(dir)
	m, err := ParseManifest(data, filepath.Base(abs))
	if err != nil {
		return nil, fmt.Errorf("load stack %s: %w", dir, err)
	}
	s := &Stack{Dir: dir, Manifest: m, queries: map[string]*QueryFile{}}
	for i := range m.Resources {
		r := &m.Resources[i]
		if r.Type == TypeScript || (r.SQL != "" && r.File == "") {
			continue
		}
		path := filepath.Join(dir, r.file())
		src, err := os.ReadFile(path)
		if err != nil {
			return nil, fmt.Errorf("load stack: resource %s: %w", r.Name, err)
		}
		qf, err := ParseQueries(filepath.ToSlash(r.file()), string(src))
		if err != nil {
			return nil, fmt.Errorf("load stack: resource %s: %w", r.Name, err)
		}
		if err := qf.check(r); err != nil {
			return nil, fmt.Errorf("load stack: resource %s: %w", r.Name, err)
		}
		s.queries[r.Name] = qf
	}
	return s, nil
}
