package emulator_test

import (
	"context"
	"encoding/json"
	"errors"
	"strings"

	"github.com/ccql/ccql/internal/handler"
)

// memHandler is a plain resource handler for tests of the core: it keeps
// models as given, under "UserPoolId|Domain" (AWS::Cognito::UserPoolDomain,
// whose identifier the caller chooses, which has a write-only property and
// no list handler). A Domain of "panic" or "boom" makes Create panic or
// fail with a non-handler error; "invalid" fails with InvalidRequest.
type memHandler struct{}

const domainType = "AWS::Cognito::UserPoolDomain"

func (memHandler) TypeName() string { return domainType }

func (memHandler) Prepare(_ handler.Env, desired map[string]any) (map[string]any, error) {
	return desired, nil
}

func domainID(m map[string]any) string {
	p, _ := m["UserPoolId"].(string)
	d, _ := m["Domain"].(string)
	return p + "|" + d
}

func (memHandler) Create(_ context.Context, _ handler.Env, tx handler.Tx, model map[string]any) (map[string]any, error) {
	switch model["Domain"] {
	case "panic":
		panic("handler exploded")
	case "boom":
		return nil, errors.New("disk on fire")
	case "invalid":
		return nil, handler.Errorf(handler.InvalidRequest, "Domain invalid is reserved.")
	}
	id := domainID(model)
	if _, err := tx.Get(domainType, id); err == nil {
		return nil, handler.Errorf(handler.AlreadyExists, "Resource of type '%s' with identifier '%s' already exists.", domainType, id)
	}
	model["CloudFrontDistribution"] = "d111111abcdef8.cloudfront.net"
	b, _ := json.Marshal(model)
	return model, tx.Put(domainType, id, b)
}

func notFound(id string) error {
	return handler.Errorf(handler.NotFound, "Resource of type '%s' with identifier '%s' was not found.", domainType, id)
}

func (memHandler) Read(_ context.Context, _ handler.Env, tx handler.Tx, id string) (map[string]any, error) {
	b, err := tx.Get(domainType, id)
	if errors.Is(err, handler.ErrNotFound) {
		return nil, notFound(id)
	}
	if err != nil {
		return nil, err
	}
	var m map[string]any
	return m, json.Unmarshal(b, &m)
}

func (h memHandler) Update(ctx context.Context, env handler.Env, tx handler.Tx, id string, desired map[string]any) (map[string]any, error) {
	if _, err := h.Read(ctx, env, tx, id); err != nil {
		return nil, err
	}
	b, _ := json.Marshal(desired)
	return desired, tx.Put(domainType, id, b)
}

func (memHandler) Delete(_ context.Context, _ handler.Env, tx handler.Tx, id string) error {
	if err := tx.Delete(domainType, id); errors.Is(err, handler.ErrNotFound) {
		return notFound(id)
	} else if err != nil {
		return err
	}
	return nil
}

func (memHandler) List(_ context.Context, _ handler.Env, tx handler.Tx, rm map[string]any) ([]map[string]any, error) {
	prefix := ""
	if p, ok := rm["UserPoolId"].(string); ok {
		prefix = p + "|"
	}
	recs, err := tx.List(domainType, prefix)
	if err != nil {
		return nil, err
	}
	var out []map[string]any
	for _, r := range recs {
		var m map[string]any
		if err := json.Unmarshal(r.Model, &m); err != nil {
			return nil, err
		}
		out = append(out, m)
	}
	return out, nil
}

var _ handler.Handler = memHandler{}

var _ = strings.TrimSpace
