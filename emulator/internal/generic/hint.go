package generic

import (
	"regexp"
	"slices"
	"strings"
	"unicode"

	"github.com/ccql/ccql/internal/handler"
)

// idHint is the resource's own id, for the generated property at path to
// embed (an ARN's resource part, a read-only Name). For an ARN it must
// tell this resource from its siblings: when the ARN is part of the
// primary identifier, two resources with the same hint collide, so a hint
// is either what the user chose as the resource's identity (a name under
// its parents, which then rightly fails AlreadyExists when taken) or
// random. In order:
//  1. for FooArn, the resource the model names in Foo (an association's
//     ApplicationArn from its Application);
//  2. an identifier value generated for this resource (its id);
//  3. the resource's own name (ServiceName of an ECS service, PolicyName of
//     a scaling policy), under its parents' ids: "c1/s1" as ECS does;
//  4. a random name under its parents' ids.
//
// A parent value that cannot sit in an ARN path (a ScalableDimension
// "ecs:service:DesiredCount") is replaced by a random part, so that two
// same-named resources of different parents stay apart.
func (h *Handler) idHint(m *idMaker, model map[string]any, path []string) string {
	prop := last(path)
	if !isArnName(prop) {
		if len(path) == 1 && h.isOwnName(prop) {
			if name, _ := h.ownName(model); name != "" {
				return name
			}
		}
		return ""
	}
	if len(path) == 1 {
		if base := prop[:len(prop)-3]; base != "" && !h.isReadOnly([]string{base}) {
			if v, ok := model[base].(string); ok && v != "" {
				return v
			}
		}
	}
	for i := len(h.idPaths) - 1; i >= 0; i-- {
		p := h.idPaths[i]
		if isArnName(last(p)) || !h.isReadOnly(p) {
			continue
		}
		if v, ok := handler.Value(model, p); ok {
			return handler.ScalarString(v)
		}
	}
	name, nameProp := h.ownName(model)
	var parts []string
	random := false
	for _, p := range h.idPaths {
		if isArnName(last(p)) || h.isReadOnly(p) || len(p) == 1 && p[0] == nameProp {
			continue
		}
		v, ok := handler.Value(model, p)
		if !ok {
			continue
		}
		seg := arnSegment(handler.ScalarString(v))
		if seg == "" {
			random = true
			continue
		}
		parts = append(parts, seg)
	}
	switch {
	case name == "":
		parts = append(parts, m.resourceName())
	case random:
		parts = append(parts, m.uuid(), name)
	default:
		parts = append(parts, name)
	}
	return strings.Join(parts, "/")
}

var plainSegment = regexp.MustCompile(`^[A-Za-z0-9._-]+$`)

// arnSegment is a parent id as it sits in a child's ARN: a plain name as
// is, an ARN by its last part ("arn:…:cluster/c1" is "c1"), anything else
// "" (it would make the ARN unparseable).
func arnSegment(v string) string {
	if strings.HasPrefix(v, "arn:") {
		v = v[strings.LastIndexAny(v, ":/")+1:]
	}
	if !plainSegment.MatchString(v) {
		return ""
	}
	return v
}

// ownNames are the properties that may hold a resource's own name, best
// first: Name, then <Type>Name with the type's leading words dropped one
// by one (ScalingPolicyName, PolicyName), then the Id forms.
func (h *Handler) ownNames() []string {
	names := []string{"Name"}
	words := camelWords(h.last)
	for i := range words {
		names = append(names, strings.Join(words[i:], "")+"Name")
	}
	return append(names, "Id", h.last+"Id")
}

func (h *Handler) isOwnName(prop string) bool { return slices.Contains(h.ownNames(), prop) }

// ownName returns the resource's own name and the property holding it,
// "" when the model has none.
// A property with an enum is no name: the schema chose it, not the user
// (every DBProxyTargetGroup's TargetGroupName is "default").
func (h *Handler) ownName(model map[string]any) (string, string) {
	for _, name := range h.ownNames() {
		v, ok := model[name].(string)
		if !ok || v == "" {
			continue
		}
		if node, ok := h.sch.Property(name); ok && len(node.Enum()) > 0 {
			continue
		}
		return v, name
	}
	return "", ""
}

func (h *Handler) isReadOnly(path []string) bool {
	return slices.ContainsFunc(h.readOnly, func(p []string) bool { return slices.Equal(p, path) })
}

// camelWords splits "ScalingPolicy" into "Scaling", "Policy" and
// "VPCEndpoint" into "VPC", "Endpoint".
func camelWords(s string) []string {
	var words []string
	rs := []rune(s)
	start := 0
	for i := 1; i < len(rs); i++ {
		if unicode.IsUpper(rs[i]) && (unicode.IsLower(rs[i-1]) || i+1 < len(rs) && unicode.IsLower(rs[i+1])) {
			words = append(words, string(rs[start:i]))
			start = i
		}
	}
	return append(words, string(rs[start:]))
}
