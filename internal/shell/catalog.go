package shell

import (
	"context"
	"fmt"
	"slices"

	"github.com/ccql/ccql"
)

// Querier runs a statement; *ccql.Engine is one.
type Querier interface {
	Query(ctx context.Context, statement string, args ...any) (*ccql.Result, error)
}

// EngineCatalog answers the completer by running SHOW and DESCRIBE through
// an engine, so completion offers exactly the names statements accept.
type EngineCatalog struct{ Q Querier }

var _ Catalog = EngineCatalog{}

// Providers runs SHOW PROVIDERS.
func (c EngineCatalog) Providers(ctx context.Context) ([]string, error) {
	return c.names(ctx, "SHOW PROVIDERS")
}

// Services runs SHOW SERVICES IN provider.
func (c EngineCatalog) Services(ctx context.Context, provider string) ([]string, error) {
	return c.names(ctx, "SHOW SERVICES IN "+provider)
}

// Resources runs SHOW RESOURCES IN provider.service.
func (c EngineCatalog) Resources(ctx context.Context, provider, service string) ([]string, error) {
	return c.names(ctx, "SHOW RESOURCES IN "+provider+"."+service)
}

// Columns runs DESCRIBE resource.
func (c EngineCatalog) Columns(ctx context.Context, resource string) ([]string, error) {
	return c.names(ctx, "DESCRIBE "+resource)
}

// names returns the "name" column of a statement's result.
func (c EngineCatalog) names(ctx context.Context, q string) ([]string, error) {
	res, err := c.Q.Query(ctx, q)
	if err != nil {
		return nil, fmt.Errorf("completion: %w", err)
	}
	col := slices.IndexFunc(res.Columns, func(c ccql.Column) bool { return c.Name == "name" })
	if col < 0 {
		return nil, fmt.Errorf("completion: %s: no name column", q)
	}
	out := make([]string, 0, len(res.Rows))
	for _, row := range res.Rows {
		if s, ok := row[col].(string); ok {
			out = append(out, s)
		}
	}
	return out, nil
}
