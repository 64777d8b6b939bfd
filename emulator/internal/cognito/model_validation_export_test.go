package cognito

import (
	"fmt"
	"sort"
	"strings"
)

// ModelOperations returns the operations the generated constraint table
// describes, sorted.
func ModelOperations() []string {
	out := make([]string, 0, len(modelInputs))
	for name := range modelInputs {
		out = append(out, name)
	}
	sort.Strings(out)
	return out
}

// ModelMember is a required top-level member of an operation's input: its
// wire name and its name in Coral's messages.
type ModelMember struct{ Name, Path string }

// ModelRequired returns the required top-level members of op's input, in
// the model's order.
func ModelRequired(op string) []ModelMember {
	var out []ModelMember
	for _, m := range modelShapes[modelInputs[op]].members {
		if m.required {
			out = append(out, ModelMember{m.name, m.path})
		}
	}
	return out
}

// ValidateModelInput runs the model validation of op on body.
func ValidateModelInput(op string, body []byte) *APIError {
	in, ok := modelInputs[op]
	if !ok {
		return nil
	}
	return validateModelInput(in, body)
}

// sampleStrings are candidate values for string members; ModelValidBody
// takes the first one that satisfies a member's constraints.
var sampleStrings = []string{
	"us-east-1_abcDEF123", "abc", "us-east-1_0123abcd-ef", "import-abc123", "cognito:default", "terms-of-use",
	"0b0e0f6a-1c2d-4e3f-8a9b-0c1d2e3f4a5b", "arn:aws:iam::123456789012:role/r", "arn:aws:s3:::bucket",
	"https://example.com", "Your code is {####}", "Click {##here##}", "123456", "a@b", "eu-west-1", "0123abcdef",
	"abcdefghijklmnopqrstuvwxyz0123456789",
}

// ModelValidBody returns a request body for op that satisfies every
// constraint of the model, with every required member (at every depth)
// given.
func ModelValidBody(op string) (map[string]any, error) {
	v, err := sampleValue(&modelShapes[modelInputs[op]])
	if err != nil {
		return nil, fmt.Errorf("%s: %w", op, err)
	}
	return v.(map[string]any), nil
}

func sampleValue(s *modelShape) (any, error) {
	switch s.kind {
	case kString:
		if len(s.enum) > 0 {
			return s.enum[0], nil
		}
		cands := append([]string{}, sampleStrings...)
		if s.hasMin {
			cands = append(cands, strings.Repeat("a", int(s.min)))
		}
		for _, c := range cands {
			if len(s.stringViolations(c)) == 0 {
				return c, nil
			}
		}
		return nil, fmt.Errorf("no sample string fits shape %s (add one to sampleStrings)", s.name)
	case kInt, kFloat:
		if s.hasMin {
			return s.min, nil
		}
		return 0, nil
	case kBool:
		return true, nil
	case kBlob:
		return "", nil
	case kTimestamp:
		return 0, nil
	case kDocument:
		return map[string]any{}, nil
	case kList:
		out := []any{}
		if s.hasMin && s.min > 0 {
			v, err := sampleValue(&modelShapes[s.elem])
			if err != nil {
				return nil, err
			}
			for range s.min {
				out = append(out, v)
			}
		}
		return out, nil
	case kMap:
		out := map[string]any{}
		if s.hasMin && s.min > 0 {
			k, err := sampleValue(&modelShapes[s.key])
			if err != nil {
				return nil, err
			}
			v, err := sampleValue(&modelShapes[s.elem])
			if err != nil {
				return nil, err
			}
			out[k.(string)] = v
		}
		return out, nil
	case kStruct:
		out := map[string]any{}
		for _, m := range s.members {
			if !m.required {
				continue
			}
			v, err := sampleValue(&modelShapes[m.shape])
			if err != nil {
				return nil, fmt.Errorf("%s: %w", m.name, err)
			}
			out[m.name] = v
		}
		return out, nil
	}
	return nil, fmt.Errorf("shape %s: no sample", s.name)
}
