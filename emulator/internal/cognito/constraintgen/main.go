// Command constraintgen writes model_constraints_gen.go, the input
// constraints of every Cognito user-pool operation, from the AWS service
// model, for the model-driven validator of package cognito
// (model_validation.go).
//
// The model is botocore's cognito-idp service model (the JSON that the AWS
// SDKs and the API reference are generated from): with botocore installed,
//
//	python3 -c 'import botocore, os; print(os.path.dirname(botocore.__file__))'
//
// prints the package directory, and the model is
// data/cognito-idp/2016-04-18/service-2.json.gz under it (the committed table
// was generated from botocore 1.43.11). Regenerate with
//
//	COGNITO_IDP_MODEL=/path/to/service-2.json.gz go generate ./emulator/internal/cognito
//
// The table is committed; CI does not run the generator (it may not have
// botocore).
//
// The generator keeps, per shape reachable from an operation's input, what
// Coral (the AWS service front end) validates: required members, min/max
// (string and blob length, list and map size, number range), pattern, enum
// and sensitivity. Patterns are written for java.util.regex; each is
// translated to an RE2 expression that matches exactly the same strings, or,
// when no faithful translation is known, emitted without one (the validator
// then skips that pattern) and listed in the generated file's comment.
package main

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"flag"
	"fmt"
	"go/format"
	"io"
	"log"
	"os"
	"sort"
	"strconv"
	"strings"

	"github.com/ccql/ccql/emulator/internal/cognito/javaregex"
)

type shapeRef struct {
	Shape string `json:"shape"`
}

type shape struct {
	Type      string         `json:"type"`
	Required  []string       `json:"required"`
	Members   orderedMembers `json:"members"`
	Member    *shapeRef      `json:"member"`
	Key       *shapeRef      `json:"key"`
	Value     *shapeRef      `json:"value"`
	Min       *json.Number   `json:"min"`
	Max       *json.Number   `json:"max"`
	Pattern   *string        `json:"pattern"`
	Enum      []string       `json:"enum"`
	Sensitive bool           `json:"sensitive"`
	Document  bool           `json:"document"`
}

// orderedMembers keeps a structure's members in the model's order, which is
// the order Coral reports their violations in.
type orderedMembers []member

type member struct {
	Name  string
	Shape string
}

func (m *orderedMembers) UnmarshalJSON(b []byte) error {
	dec := json.NewDecoder(bytes.NewReader(b))
	if _, err := dec.Token(); err != nil {
		return err
	}
	for dec.More() {
		t, err := dec.Token()
		if err != nil {
			return err
		}
		var ref shapeRef
		if err := dec.Decode(&ref); err != nil {
			return err
		}
		*m = append(*m, member{Name: t.(string), Shape: ref.Shape})
	}
	return nil
}

type model struct {
	Metadata struct {
		APIVersion string `json:"apiVersion"`
		UID        string `json:"uid"`
	} `json:"metadata"`
	Operations map[string]struct {
		Input *shapeRef `json:"input"`
	} `json:"operations"`
	Shapes map[string]*shape `json:"shapes"`
}

func main() {
	modelPath := flag.String("model", "", "botocore's cognito-idp service-2.json(.gz)")
	out := flag.String("out", "model_constraints_gen.go", "file to write")
	source := flag.String("source", "", "how to name the model in the generated file (default: the -model path's last 4 elements)")
	flag.Parse()
	if *modelPath == "" {
		log.Fatal("constraintgen: -model is required (botocore's data/cognito-idp/2016-04-18/service-2.json.gz)")
	}
	m, err := load(*modelPath)
	if err != nil {
		log.Fatalf("constraintgen: %v", err)
	}
	name := *source
	if name == "" {
		parts := strings.Split(*modelPath, "/")
		name = strings.Join(parts[max(0, len(parts)-4):], "/")
	}
	src, err := generate(m, name)
	if err != nil {
		log.Fatalf("constraintgen: %v", err)
	}
	if err := os.WriteFile(*out, src, 0o644); err != nil {
		log.Fatalf("constraintgen: %v", err)
	}
}

func load(path string) (*model, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("open model: %w", err)
	}
	defer f.Close()
	var r io.Reader = f
	if strings.HasSuffix(path, ".gz") {
		gz, err := gzip.NewReader(f)
		if err != nil {
			return nil, fmt.Errorf("read model %s: %w", path, err)
		}
		r = gz
	}
	var m model
	if err := json.NewDecoder(r).Decode(&m); err != nil {
		return nil, fmt.Errorf("decode model %s: %w", path, err)
	}
	return &m, nil
}

func lowerFirst(s string) string {
	if s == "" {
		return s
	}
	return strings.ToLower(s[:1]) + s[1:]
}

var kinds = map[string]string{
	"string": "kString", "integer": "kInt", "long": "kInt", "boolean": "kBool", "blob": "kBlob",
	"timestamp": "kTimestamp", "list": "kList", "map": "kMap", "structure": "kStruct",
	"float": "kFloat", "double": "kFloat",
}

func generate(m *model, source string) ([]byte, error) {
	// The shapes reachable from the operations' inputs, in name order.
	reach := map[string]bool{}
	var walk func(string) error
	walk = func(n string) error {
		if reach[n] {
			return nil
		}
		s, ok := m.Shapes[n]
		if !ok {
			return fmt.Errorf("shape %s is not in the model", n)
		}
		reach[n] = true
		for _, r := range []*shapeRef{s.Member, s.Key, s.Value} {
			if r != nil {
				if err := walk(r.Shape); err != nil {
					return err
				}
			}
		}
		for _, mm := range s.Members {
			if err := walk(mm.Shape); err != nil {
				return err
			}
		}
		return nil
	}
	var ops []string
	for name, op := range m.Operations {
		ops = append(ops, name)
		if op.Input != nil {
			if err := walk(op.Input.Shape); err != nil {
				return nil, err
			}
		}
	}
	sort.Strings(ops)
	var names []string
	for n := range reach {
		names = append(names, n)
	}
	sort.Strings(names)
	index := map[string]int{}
	for i, n := range names {
		index[n] = i
	}

	// Patterns, deduplicated, in first-use order.
	var pats []string
	patIndex := map[string]int{}
	var skipped []string
	for _, n := range names {
		if p := m.Shapes[n].Pattern; p != nil {
			if _, ok := patIndex[*p]; !ok {
				patIndex[*p] = len(pats) + 1
				pats = append(pats, *p)
			}
		}
	}

	var b bytes.Buffer
	fmt.Fprintf(&b, "// Code generated by constraintgen from %s (%s); DO NOT EDIT.\n\n", source, m.Metadata.UID)
	b.WriteString("package cognito\n\n")
	b.WriteString("// modelPatterns are the members' patterns: the model's (Java) text, as\n// messages print it, and an RE2 expression matching the same strings.\n")
	var skipLines []string
	var pb bytes.Buffer
	for _, p := range pats {
		re, ok := javaregex.Translate(p)
		if !ok {
			skipped = append(skipped, p)
			skipLines = append(skipLines, "//\t"+p)
			re = ""
		}
		fmt.Fprintf(&pb, "\tnewModelPattern(%s, %s),\n", strconv.Quote(p), strconv.Quote(re))
	}
	if len(skipLines) > 0 {
		b.WriteString("//\n// Patterns without a faithful RE2 translation, not enforced:\n" + strings.Join(skipLines, "\n") + "\n")
	}
	b.WriteString("var modelPatterns = []modelPattern{\n\t{},\n")
	b.Write(pb.Bytes())
	b.WriteString("}\n\n")

	b.WriteString("// modelShapes are the shapes of the operations' inputs.\nvar modelShapes = []modelShape{\n")
	for i, n := range names {
		s := m.Shapes[n]
		kind, ok := kinds[s.Type]
		if !ok {
			return nil, fmt.Errorf("shape %s: type %s not handled", n, s.Type)
		}
		if s.Document {
			kind = "kDocument"
		}
		fields := []string{"name: " + strconv.Quote(n), "kind: " + kind}
		if s.Min != nil {
			fields = append(fields, "min: "+s.Min.String(), "hasMin: true")
		}
		if s.Max != nil {
			fields = append(fields, "max: "+s.Max.String(), "hasMax: true")
		}
		if s.Pattern != nil {
			fields = append(fields, "pattern: "+strconv.Itoa(patIndex[*s.Pattern]))
		}
		if len(s.Enum) > 0 {
			q := make([]string, len(s.Enum))
			for j, e := range s.Enum {
				q[j] = strconv.Quote(e)
			}
			fields = append(fields, "enum: []string{"+strings.Join(q, ", ")+"}")
		}
		if s.Sensitive {
			fields = append(fields, "sensitive: true")
		}
		if s.Member != nil {
			fields = append(fields, "elem: "+strconv.Itoa(index[s.Member.Shape]))
		}
		if s.Key != nil {
			fields = append(fields, "key: "+strconv.Itoa(index[s.Key.Shape]))
		}
		if s.Value != nil {
			fields = append(fields, "elem: "+strconv.Itoa(index[s.Value.Shape]))
		}
		if s.Type == "structure" && !s.Document {
			req := map[string]bool{}
			for _, r := range s.Required {
				req[r] = true
			}
			var ms []string
			for _, mm := range s.Members {
				ms = append(ms, fmt.Sprintf("{%s, %s, %d, %t}", strconv.Quote(mm.Name), strconv.Quote(lowerFirst(mm.Name)), index[mm.Shape], req[mm.Name]))
			}
			fields = append(fields, "members: []modelMember{"+strings.Join(ms, ", ")+"}")
		}
		fmt.Fprintf(&b, "\t%d: {%s},\n", i, strings.Join(fields, ", "))
	}
	b.WriteString("}\n\n")

	b.WriteString("// modelInputs maps each operation of the model to its input shape.\nvar modelInputs = map[string]int{\n")
	for _, op := range ops {
		in := m.Operations[op].Input
		if in == nil {
			continue
		}
		fmt.Fprintf(&b, "\t%s: %d,\n", strconv.Quote(op), index[in.Shape])
	}
	b.WriteString("}\n")
	src, err := format.Source(b.Bytes())
	if err != nil {
		return nil, fmt.Errorf("format generated source: %w", err)
	}
	for _, p := range skipped {
		log.Printf("pattern not translated, not enforced: %s", p)
	}
	return src, nil
}
