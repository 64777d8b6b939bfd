package ccql

import (
	"context"
	"fmt"
	"regexp"
	"slices"
	"strings"

	cc "github.com/aws/aws-sdk-go-v2/service/cloudcontrol"
	"github.com/ccql/ccql/internal/awsregion"
	"github.com/ccql/ccql/internal/catalog"
	"github.com/ccql/ccql/internal/cloudcontrol"
	"github.com/ccql/ccql/internal/iql"
	"github.com/ccql/ccql/internal/suggest"
)

// This file words the errors a new user meets first: a mistyped provider,
// service, resource or column gets the closest names and the statement
// that lists them, and a region AWS does not have is refused with the
// list of those it has.

// unknownTable explains why provider.service.resource is not in the
// catalog: the first part that is wrong, what was probably meant, and the
// SHOW statement that lists the right names.
func (e *Engine) unknownTable(n iql.TableName) error {
	name := strings.Join(slices.DeleteFunc([]string{n.Provider, n.Service, n.Resource}, func(s string) bool { return s == "" }), ".")
	if !strings.EqualFold(n.Provider, catalog.ProviderName) {
		// The provider left out (cognito.user_pools written as three parts
		// is impossible, but aws.cognito.user_pools is common).
		hint := ""
		if _, err := e.cat.Table(catalog.ProviderName, n.Service, n.Resource); err == nil {
			hint = fmt.Sprintf("did you mean %s.%s.%s? ", catalog.ProviderName, n.Service, n.Resource)
		}
		return fmt.Errorf("%w: %s: no provider %q (%sthe provider is %s; SHOW PROVIDERS lists it)", ErrUnknownResource, name, n.Provider, hint, catalog.ProviderName)
	}
	svcs, err := e.cat.Services(n.Provider)
	if err != nil {
		return fmt.Errorf("%w: %s: %v", ErrUnknownResource, name, err)
	}
	names := make([]string, len(svcs))
	for i, s := range svcs {
		names[i] = s.Name
	}
	if n.Service == "" {
		return nil // only the provider was asked for, and it exists
	}
	if !slices.Contains(names, strings.ToLower(n.Service)) {
		hint := ""
		if near := suggest.Closest(n.Service, names, 3); len(near) > 0 {
			hint = "did you mean " + suggest.List(near) + "? "
		}
		if other := e.resourceElsewhere(n.Resource, ""); n.Resource != "" && len(other) > 0 {
			hint = "did you mean " + suggest.List(other) + "? "
		}
		return fmt.Errorf("%w: %s: no service %q in %s (%sSHOW SERVICES IN %s lists them)", ErrUnknownResource, name, n.Service, catalog.ProviderName, hint, catalog.ProviderName)
	}
	refs, err := e.cat.Resources(n.Provider, n.Service)
	if err != nil {
		return fmt.Errorf("%w: %s: %v", ErrUnknownResource, name, err)
	}
	res := make([]string, len(refs))
	for i, r := range refs {
		res[i] = r.Name
	}
	svc := catalog.ProviderName + "." + strings.ToLower(n.Service)
	hint := ""
	if near := suggest.Closest(n.Resource, res, 3); len(near) > 0 {
		for i := range near {
			near[i] = svc + "." + near[i]
		}
		hint = "did you mean " + suggest.List(near) + "? "
	} else if other := e.resourceElsewhere(n.Resource, n.Service); len(other) > 0 {
		hint = "did you mean " + suggest.List(other) + "? "
	}
	return fmt.Errorf("%w: %s (%sSHOW RESOURCES IN %s lists them)", ErrUnknownResource, name, hint, svc)
}

// tableNameOf is a provider name alone, as unknownTable takes it.
func tableNameOf(provider string) iql.TableName { return iql.TableName{Provider: provider} }

// resourceElsewhere finds tables named like resource in other services
// than except (log_groups → awscc.logs.log_groups), as full names.
func (e *Engine) resourceElsewhere(resource, except string) []string {
	svcs, err := e.cat.Services(catalog.ProviderName)
	if err != nil {
		return nil
	}
	var out []string
	for _, s := range svcs {
		if strings.EqualFold(s.Name, except) {
			continue
		}
		refs, err := e.cat.Resources(catalog.ProviderName, s.Name)
		if err != nil {
			continue
		}
		for _, r := range refs {
			if suggest.Same(r.Name, resource) {
				out = append(out, r.ID)
			}
		}
	}
	if len(out) > 3 {
		out = out[:3]
	}
	return out
}

// noSuchTable matches SQLite's message for a name iql did not rewrite: one
// or two parts (cognito.user_pools, user_pools).
var noSuchTable = regexp.MustCompile(`no such table: ([A-Za-z0-9_.]+)`)

// unknownSQLTable words SQLite's "no such table" for a name without its
// provider: the full name it probably meant.
func (e *Engine) unknownSQLTable(msg string) error {
	m := noSuchTable.FindStringSubmatch(msg)
	if m == nil {
		return nil
	}
	name := m[1]
	if _, after, ok := strings.Cut(name, "main."); ok && strings.HasPrefix(name, "main.") {
		name = after
	}
	parts := strings.Split(name, ".")
	var meant []string
	switch len(parts) {
	case 2:
		if t, err := e.cat.Table(catalog.ProviderName, parts[0], parts[1]); err == nil {
			meant = []string{t.ID()}
		} else if err := e.unknownTable(iql.TableName{Provider: catalog.ProviderName, Service: parts[0], Resource: parts[1]}); err != nil {
			return fmt.Errorf("%w: %s: resource names have three parts, provider first (%s)", ErrUnknownResource, name,
				strings.TrimPrefix(err.Error(), ErrUnknownResource.Error()+": "))
		}
	case 1:
		meant = e.resourceElsewhere(parts[0], "")
	}
	if len(meant) == 0 {
		return fmt.Errorf("%w: %s: resource names have three parts, provider.service.resource (SHOW SERVICES IN %s lists the services)", ErrUnknownResource, name, catalog.ProviderName)
	}
	return fmt.Errorf("%w: %s: resource names have three parts, provider first: did you mean %s?", ErrUnknownResource, name, suggest.List(meant))
}

// noSuchColumn matches SQLite's message for an unknown column, qualified
// or not.
var noSuchColumn = regexp.MustCompile(`no such column: (?:[A-Za-z0-9_]+\.)?"?([A-Za-z0-9_]+)"?`)

// columnHint suggests columns of tables for an unknown column message from
// SQLite, and the DESCRIBE that lists them.
func (e *Engine) columnHint(msg string, tables []string) string {
	var cols []string
	for _, id := range tables {
		t, err := e.cat.TableByID(id)
		if err != nil {
			continue
		}
		for _, c := range t.Columns {
			cols = append(cols, c.Name)
		}
		if t.Kind == catalog.KindResource {
			cols = append(cols, catalog.IdentifierColumn)
		}
	}
	hint := ""
	if m := noSuchColumn.FindStringSubmatch(msg); m != nil {
		if near := suggest.Closest(m[1], cols, 3); len(near) > 0 {
			hint = "did you mean " + suggest.List(near) + "? "
		}
	}
	return fmt.Sprintf(" (%sDESCRIBE %s lists the columns)", hint, strings.Join(tables, ", "))
}

// unknownColumnHint suggests t's columns (snake_case or PascalCase, as
// name was written) for a mutation's unknown column.
func unknownColumnHint(t *catalog.Table, name string) string {
	var cols []string
	pascal := name != "" && name[0] >= 'A' && name[0] <= 'Z'
	for _, c := range t.Columns {
		if pascal && c.Property != "" {
			cols = append(cols, c.Property)
		} else {
			cols = append(cols, c.Name)
		}
	}
	hint := ""
	if near := suggest.Closest(name, cols, 3); len(near) > 0 {
		hint = "did you mean " + suggest.List(near) + "? "
	}
	return fmt.Sprintf(" (%sDESCRIBE %s lists the columns)", hint, t.ID())
}

// regionChecked refuses calls to a region AWS does not have before they
// are made, so that region = 'us-east-9' is an error rather than an empty
// result from the emulator (or a DNS failure from AWS).
type regionChecked struct{ cloudcontrol.API }

func (a regionChecked) check(optFns []func(*cc.Options)) error {
	if r := cloudcontrol.RegionOf(optFns); r != "" {
		if err := awsregion.Check(r); err != nil {
			return err
		}
	}
	return nil
}

func (a regionChecked) CreateResource(ctx context.Context, in *cc.CreateResourceInput, optFns ...func(*cc.Options)) (*cc.CreateResourceOutput, error) {
	if err := a.check(optFns); err != nil {
		return nil, err
	}
	return a.API.CreateResource(ctx, in, optFns...)
}

func (a regionChecked) GetResource(ctx context.Context, in *cc.GetResourceInput, optFns ...func(*cc.Options)) (*cc.GetResourceOutput, error) {
	if err := a.check(optFns); err != nil {
		return nil, err
	}
	return a.API.GetResource(ctx, in, optFns...)
}

func (a regionChecked) UpdateResource(ctx context.Context, in *cc.UpdateResourceInput, optFns ...func(*cc.Options)) (*cc.UpdateResourceOutput, error) {
	if err := a.check(optFns); err != nil {
		return nil, err
	}
	return a.API.UpdateResource(ctx, in, optFns...)
}

func (a regionChecked) DeleteResource(ctx context.Context, in *cc.DeleteResourceInput, optFns ...func(*cc.Options)) (*cc.DeleteResourceOutput, error) {
	if err := a.check(optFns); err != nil {
		return nil, err
	}
	return a.API.DeleteResource(ctx, in, optFns...)
}

func (a regionChecked) ListResources(ctx context.Context, in *cc.ListResourcesInput, optFns ...func(*cc.Options)) (*cc.ListResourcesOutput, error) {
	if err := a.check(optFns); err != nil {
		return nil, err
	}
	return a.API.ListResources(ctx, in, optFns...)
}

func (a regionChecked) GetResourceRequestStatus(ctx context.Context, in *cc.GetResourceRequestStatusInput, optFns ...func(*cc.Options)) (*cc.GetResourceRequestStatusOutput, error) {
	if err := a.check(optFns); err != nil {
		return nil, err
	}
	return a.API.GetResourceRequestStatus(ctx, in, optFns...)
}

func (a regionChecked) ListResourceRequests(ctx context.Context, in *cc.ListResourceRequestsInput, optFns ...func(*cc.Options)) (*cc.ListResourceRequestsOutput, error) {
	if err := a.check(optFns); err != nil {
		return nil, err
	}
	return a.API.ListResourceRequests(ctx, in, optFns...)
}

func (a regionChecked) CancelResourceRequest(ctx context.Context, in *cc.CancelResourceRequestInput, optFns ...func(*cc.Options)) (*cc.CancelResourceRequestOutput, error) {
	if err := a.check(optFns); err != nil {
		return nil, err
	}
	return a.API.CancelResourceRequest(ctx, in, optFns...)
}
