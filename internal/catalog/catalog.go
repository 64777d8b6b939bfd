package catalog

import (
	"errors"
	"fmt"
	"sort"
	"strings"
	"sync"

	"github.com/ccql/ccql/internal/schema"
)

// ProviderName is the only provider: StackQL's awscc (Cloud Control).
const ProviderName = "awscc"

// ProviderVersion is the version StackQL's awscc registry documents carry;
// it is the suffix of every service id ("cognito:v00.00.00000").
const ProviderVersion = "v00.00.00000"

// ErrNotFound is returned (wrapped, with the name) for an unknown provider,
// service, resource or type name.
var ErrNotFound = errors.New("not found")

// Provider is one row of SHOW PROVIDERS.
type Provider struct {
	Name    string // "awscc"
	Version string // ProviderVersion
}

// Service is one row of SHOW SERVICES: id, name, title. StackQL's title
// equals the name for every awscc service.
type Service struct {
	ID    string // "cognito:v00.00.00000"
	Name  string // "cognito"
	Title string // "cognito"
}

// ResourceRef is one row of SHOW RESOURCES (name, id) plus what it maps to.
type ResourceRef struct {
	Name     string // "user_pool_clients"
	ID       string // "awscc.cognito.user_pool_clients"
	TypeName string // "AWS::Cognito::UserPoolClient"; "" for native tables
	Kind     Kind
}

// entry is one resource type in the catalog's index.
type entry struct {
	typeName string
	service  string
	resource string // plural, without _list_only
	list     bool   // has a list handler: a _list_only twin exists
}

// Catalog is the awscc provider: services, resources and their tables,
// derived from CloudFormation resource schemas with StackQL's names. It is
// cheap to create; the index is built on first use and tables are built
// (and kept) when first asked for. Safe for concurrent use.
type Catalog struct {
	reg *schema.Registry

	once      sync.Once
	err       error
	byService map[string][]entry // sorted by resource
	byType    map[string]entry

	mu     sync.Mutex
	tables map[string]*Table // "service.name"

	// native builds the cloud_control tables once, so that every lookup
	// hands out the same *Table as for other services.
	native func() []*Table
	// outbox builds the cognito_outbox tables once, likewise.
	outbox func() []*Table
}

// New returns the catalog of every Cloud Control resource type in reg:
// schema.NewFullRegistry() for all of awscc (what the CLI wants),
// schema.NewRegistry() for just the hand-checked Cognito types.
func New(reg *schema.Registry) *Catalog {
	return &Catalog{reg: reg, tables: map[string]*Table{}, native: sync.OnceValue(nativeTables),
		outbox: sync.OnceValue(outboxTables)}
}

// fixedService returns the tables of a service the catalog defines itself
// (cloud_control, cognito_outbox) rather than derives from schemas.
func (c *Catalog) fixedService(service string) ([]*Table, bool) {
	switch service {
	case CloudControlService:
		return c.native(), true
	case CognitoOutboxService:
		return c.outbox(), true
	}
	return nil, false
}

func (c *Catalog) load() {
	c.once.Do(func() {
		c.byService = map[string][]entry{}
		c.byType = map[string]entry{}
		pre, err := parseNames(namesData)
		if err != nil {
			c.err = err
			return
		}
		var plural *Pluralizer
		for _, tn := range c.reg.TypeNames() {
			if e, ok := pre[tn]; ok {
				c.add(e)
				continue
			}
			// Not in the precomputed index (the index is stale, or the
			// registry has a type the generator never saw): derive it.
			r, err := c.reg.Lookup(tn)
			if err != nil {
				c.err = fmt.Errorf("catalog: %w", err)
				return
			}
			if plural == nil {
				plural = NewPluralizer()
			}
			if e, ok := entryFor(r, plural); ok {
				c.add(e)
			}
		}
		for _, es := range c.byService {
			sort.Slice(es, func(i, j int) bool { return es[i].resource < es[j].resource })
		}
	})
}

func (c *Catalog) add(e entry) {
	c.byService[e.service] = append(c.byService[e.service], e)
	c.byType[e.typeName] = e
}

// Providers returns SHOW PROVIDERS: awscc.
func (c *Catalog) Providers() []Provider {
	return []Provider{{Name: ProviderName, Version: ProviderVersion}}
}

func checkProvider(provider string) error {
	if !strings.EqualFold(provider, ProviderName) {
		return fmt.Errorf("%w: provider %q", ErrNotFound, provider)
	}
	return nil
}

// Services returns SHOW SERVICES IN awscc, sorted by name, including
// cloud_control and cognito_outbox.
func (c *Catalog) Services(provider string) ([]Service, error) {
	if err := checkProvider(provider); err != nil {
		return nil, err
	}
	c.load()
	if c.err != nil {
		return nil, c.err
	}
	names := make([]string, 0, len(c.byService)+2)
	names = append(names, CloudControlService, CognitoOutboxService)
	for s := range c.byService {
		names = append(names, s)
	}
	sort.Strings(names)
	out := make([]Service, len(names))
	for i, n := range names {
		out[i] = Service{ID: n + ":" + ProviderVersion, Name: n, Title: n}
	}
	return out, nil
}

// Resources returns SHOW RESOURCES IN awscc.<service>, sorted by name: each
// type's table and, when it has a list handler, its _list_only twin.
// Names are matched case-insensitively.
func (c *Catalog) Resources(provider, service string) ([]ResourceRef, error) {
	if err := checkProvider(provider); err != nil {
		return nil, err
	}
	service = strings.ToLower(service)
	if tables, ok := c.fixedService(service); ok {
		var out []ResourceRef
		for _, t := range tables {
			out = append(out, ResourceRef{Name: t.Name, ID: t.ID(), Kind: KindNative})
		}
		return out, nil
	}
	c.load()
	if c.err != nil {
		return nil, c.err
	}
	es, ok := c.byService[service]
	if !ok {
		return nil, fmt.Errorf("%w: service %s.%s", ErrNotFound, ProviderName, service)
	}
	out := make([]ResourceRef, 0, 2*len(es))
	for _, e := range es {
		out = append(out, ResourceRef{Name: e.resource, ID: ProviderName + "." + service + "." + e.resource, TypeName: e.typeName, Kind: KindResource})
		if e.list {
			n := e.resource + ListOnlySuffix
			out = append(out, ResourceRef{Name: n, ID: ProviderName + "." + service + "." + n, TypeName: e.typeName, Kind: KindListOnly})
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out, nil
}

// Table returns the table awscc.<service>.<resource> (names matched
// case-insensitively), or an error wrapping ErrNotFound.
func (c *Catalog) Table(provider, service, resource string) (*Table, error) {
	if err := checkProvider(provider); err != nil {
		return nil, err
	}
	service, resource = strings.ToLower(service), strings.ToLower(resource)
	if tables, ok := c.fixedService(service); ok {
		for _, t := range tables {
			if t.Name == resource {
				return t, nil
			}
		}
		return nil, fmt.Errorf("%w: resource %s.%s.%s", ErrNotFound, ProviderName, service, resource)
	}
	c.load()
	if c.err != nil {
		return nil, c.err
	}
	key := service + "." + resource
	c.mu.Lock()
	t, ok := c.tables[key]
	c.mu.Unlock()
	if ok {
		return t, nil
	}
	base, listOnly := resource, false
	if b, ok := strings.CutSuffix(resource, ListOnlySuffix); ok {
		base, listOnly = b, true
	}
	for _, e := range c.byService[service] {
		if e.resource != base || (listOnly && !e.list) {
			continue
		}
		full, lo, err := c.build(e)
		if err != nil {
			return nil, err
		}
		if listOnly {
			return lo, nil
		}
		return full, nil
	}
	if _, ok := c.byService[service]; !ok {
		return nil, fmt.Errorf("%w: service %s.%s", ErrNotFound, ProviderName, service)
	}
	return nil, fmt.Errorf("%w: resource %s.%s.%s", ErrNotFound, ProviderName, service, resource)
}

// TableByID returns the table named by a three-part id
// ("awscc.cognito.user_pool_clients").
func (c *Catalog) TableByID(id string) (*Table, error) {
	parts := strings.Split(id, ".")
	if len(parts) != 3 {
		return nil, fmt.Errorf("%w: %q is not provider.service.resource", ErrNotFound, id)
	}
	return c.Table(parts[0], parts[1], parts[2])
}

// TableByType returns the full table of a CloudFormation type name
// ("AWS::Cognito::UserPoolClient" → awscc.cognito.user_pool_clients).
func (c *Catalog) TableByType(typeName string) (*Table, error) {
	c.load()
	if c.err != nil {
		return nil, c.err
	}
	e, ok := c.byType[typeName]
	if !ok {
		return nil, fmt.Errorf("%w: type %s", ErrNotFound, typeName)
	}
	full, _, err := c.build(e)
	return full, err
}

// build makes (or returns the cached) tables of one type.
func (c *Catalog) build(e entry) (full, listOnly *Table, err error) {
	key := e.service + "." + e.resource
	c.mu.Lock()
	full = c.tables[key]
	listOnly = c.tables[key+ListOnlySuffix]
	c.mu.Unlock()
	if full != nil {
		return full, listOnly, nil
	}
	r, err := c.reg.Lookup(e.typeName)
	if err != nil {
		return nil, nil, fmt.Errorf("catalog: table %s.%s.%s: %w", ProviderName, e.service, e.resource, err)
	}
	full, listOnly = resourceTables(r, e.service, e.resource)
	c.mu.Lock()
	defer c.mu.Unlock()
	if prev := c.tables[key]; prev != nil { // another goroutine won the race; keep one copy
		return prev, c.tables[key+ListOnlySuffix], nil
	}
	c.tables[key] = full
	if listOnly != nil {
		c.tables[key+ListOnlySuffix] = listOnly
	}
	return full, listOnly, nil
}
