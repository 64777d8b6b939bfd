package emulator

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	cc "github.com/aws/aws-sdk-go-v2/service/cloudcontrol"
	"github.com/aws/aws-sdk-go-v2/service/cloudcontrol/types"

	"github.com/ccql/ccql/internal/handler"
	"github.com/ccql/ccql/internal/store"
)

// event converts a ledger row to the SDK's ProgressEvent.
func (c *core) event(r *store.Request) *types.ProgressEvent {
	ev := &types.ProgressEvent{
		TypeName:        aws.String(r.TypeName),
		RequestToken:    aws.String(r.Token),
		Operation:       types.Operation(r.Operation),
		OperationStatus: types.OperationStatus(r.Status),
		EventTime:       aws.Time(r.Updated),
	}
	if r.Identifier != "" {
		ev.Identifier = aws.String(r.Identifier)
	}
	if r.ResourceModel != "" {
		ev.ResourceModel = aws.String(r.ResourceModel)
	}
	if r.StatusMessage != "" {
		ev.StatusMessage = aws.String(r.StatusMessage)
	}
	if r.ErrorCode != "" {
		ev.ErrorCode = types.HandlerErrorCode(r.ErrorCode)
	}
	if !store.Terminal(r.Status) {
		retry := r.Due
		if now := c.now(); retry.Before(now) {
			retry = now
		}
		ev.RetryAfter = aws.Time(retry)
	}
	return ev
}

func (c *core) createResource(ctx context.Context, p store.Partition, in *cc.CreateResourceInput) (*cc.CreateResourceOutput, error) {
	m, err := c.createMutation(p, in)
	if err != nil {
		return nil, err
	}
	r, err := c.accept(ctx, m)
	if err != nil {
		return nil, err
	}
	return &cc.CreateResourceOutput{ProgressEvent: c.event(r)}, nil
}

// createMutation validates a CreateResource call and prepares its model:
// everything CreateResource does before the accepting transaction. The
// bulk import (bulk.go) shares it, so both paths store the same model.
func (c *core) createMutation(p store.Partition, in *cc.CreateResourceInput) (mutation, error) {
	if in == nil {
		in = &cc.CreateResourceInput{}
	}
	var ck checker
	ck.typeName(in.TypeName)
	ck.common(in.TypeVersionId, in.RoleArn)
	ck.clientToken(in.ClientToken)
	ck.str("desiredState", in.DesiredState, true, 1, maxDocumentSize, nil, true)
	if err := ck.err(); err != nil {
		return mutation{}, err
	}
	ti, err := c.typeFor(*in.TypeName, "create", "CREATE")
	if err != nil {
		return mutation{}, err
	}
	desired, err := decodeObject(*in.DesiredState)
	if err != nil {
		return mutation{}, errValidation("Model validation failed (#: expected type: JSONObject, found: %s)", jsonKind(*in.DesiredState))
	}
	// Read-only properties are the service's to set; supplying one is
	// refused rather than silently dropped (see the package doc).
	var ro []string
	for _, path := range ti.readOnly {
		if valueAt(desired, path) != "" {
			ro = append(ro, joinPath(path))
		}
	}
	if len(ro) > 0 {
		return mutation{}, errValidation("Model validation failed (#: readOnlyProperties [%s] cannot be set)", strings.Join(ro, ", "))
	}
	if msgs, err := validate(ti.model, []byte(*in.DesiredState)); err != nil {
		return mutation{}, errValidation("Model validation failed (#: %v)", err)
	} else if len(msgs) > 0 {
		return mutation{}, modelValidationError(msgs)
	}
	prepared, err := ti.h.Prepare(c.env(p), deepCopy(desired).(map[string]any))
	if err != nil {
		var he *handler.Error
		if errors.As(err, &he) {
			return mutation{}, errInvalidRequest("%s", he.Message)
		}
		return mutation{}, fmt.Errorf("prepare %s: %w", ti.res.TypeName, err)
	}
	identifier, _ := ti.identifierOf(prepared)
	return mutation{
		p: p, ti: ti, op: "CREATE", identifier: identifier,
		clientToken: aws.ToString(in.ClientToken),
		fingerprint: fingerprint("CREATE", ti.res.TypeName, canonicalJSON(desired), aws.ToString(in.RoleArn), aws.ToString(in.TypeVersionId)),
		prepare: func(store.Tx) (payload, string, error) {
			return payload{Model: prepared}, "", nil
		},
	}, nil
}

func jsonKind(s string) string {
	var v any
	if json.Unmarshal([]byte(s), &v) != nil {
		return "String"
	}
	switch v.(type) {
	case []any:
		return "JSONArray"
	case string:
		return "String"
	case float64:
		return "Number"
	case bool:
		return "Boolean"
	case nil:
		return "Null"
	}
	return "JSONObject"
}

func (c *core) updateResource(ctx context.Context, p store.Partition, in *cc.UpdateResourceInput) (*cc.UpdateResourceOutput, error) {
	if in == nil {
		in = &cc.UpdateResourceInput{}
	}
	var ck checker
	ck.typeName(in.TypeName)
	ck.common(in.TypeVersionId, in.RoleArn)
	ck.clientToken(in.ClientToken)
	ck.str("identifier", in.Identifier, true, 1, 1024, nil, false)
	ck.str("patchDocument", in.PatchDocument, true, 1, maxDocumentSize, nil, true)
	if err := ck.err(); err != nil {
		return nil, err
	}
	ti, err := c.typeFor(*in.TypeName, "update", "UPDATE")
	if err != nil {
		return nil, err
	}
	id, err := ti.normalizeIdentifier(*in.Identifier)
	if err != nil {
		return nil, err
	}
	ops, err := parsePatch(*in.PatchDocument)
	if err != nil {
		return nil, err
	}
	if ro := touched(ops, ti.readOnly, true); len(ro) > 0 {
		return nil, errValidation("Invalid patch update: readOnlyProperties [%s] cannot be updated", strings.Join(ro, ", "))
	}
	for _, op := range ops {
		if op.Op == "add" || op.Op == "test" {
			continue
		}
		if wo := touched([]patchOp{op}, ti.writeOnly, true); len(wo) > 0 {
			return nil, errValidation("Invalid patch update: writeOnlyProperties [%s] can only be updated using 'add' operation", strings.Join(wo, ", "))
		}
	}
	opsJSON, _ := json.Marshal(ops)
	m := mutation{
		p: p, ti: ti, op: "UPDATE", identifier: id,
		clientToken: aws.ToString(in.ClientToken),
		fingerprint: fingerprint("UPDATE", ti.res.TypeName, id, string(opsJSON), aws.ToString(in.RoleArn), aws.ToString(in.TypeVersionId)),
		prepare: func(tx store.Tx) (payload, string, error) {
			current, err := ti.h.Read(ctx, c.env(p), store.Scope(tx, p), id)
			if err != nil {
				return payload{}, "", c.handlerFailure(ti.res.TypeName, err)
			}
			patched, err := applyPatch(current, ops)
			if err != nil {
				return payload{}, "", err
			}
			// Create-only properties may be named by a patch but not changed.
			var changed []string
			for _, path := range touched(ops, ti.createOnly, true) {
				tp := pointerTokens(path)[1:]
				if valueAt(current, tp) != valueAt(patched, tp) {
					changed = append(changed, path)
				}
			}
			if len(changed) > 0 {
				return payload{}, "", errNotUpdatable(fmt.Sprintf("Invalid patch update: createOnlyProperties [%s] cannot be updated", strings.Join(changed, ", ")))
			}
			doc, err := json.Marshal(patched)
			if err != nil {
				return payload{}, "", fmt.Errorf("encode patched model: %w", err)
			}
			if msgs, err := validate(ti.model, doc); err != nil {
				return payload{}, "", err
			} else if len(msgs) > 0 {
				return payload{}, "", modelValidationError(msgs)
			}
			model, err := ti.marshalModel(without(patched, ti.readOnly))
			if err != nil {
				return payload{}, "", err
			}
			return payload{Model: patched}, model, nil
		},
	}
	r, err := c.accept(ctx, m)
	if err != nil {
		return nil, err
	}
	return &cc.UpdateResourceOutput{ProgressEvent: c.event(r)}, nil
}

func (c *core) deleteResource(ctx context.Context, p store.Partition, in *cc.DeleteResourceInput) (*cc.DeleteResourceOutput, error) {
	if in == nil {
		in = &cc.DeleteResourceInput{}
	}
	var ck checker
	ck.typeName(in.TypeName)
	ck.common(in.TypeVersionId, in.RoleArn)
	ck.clientToken(in.ClientToken)
	ck.str("identifier", in.Identifier, true, 1, 1024, nil, false)
	if err := ck.err(); err != nil {
		return nil, err
	}
	ti, err := c.typeFor(*in.TypeName, "delete", "DELETE")
	if err != nil {
		return nil, err
	}
	id, err := ti.normalizeIdentifier(*in.Identifier)
	if err != nil {
		return nil, err
	}
	m := mutation{
		p: p, ti: ti, op: "DELETE", identifier: id,
		clientToken: aws.ToString(in.ClientToken),
		fingerprint: fingerprint("DELETE", ti.res.TypeName, id, aws.ToString(in.RoleArn), aws.ToString(in.TypeVersionId)),
		prepare:     func(store.Tx) (payload, string, error) { return payload{}, "", nil },
	}
	r, err := c.accept(ctx, m)
	if err != nil {
		return nil, err
	}
	return &cc.DeleteResourceOutput{ProgressEvent: c.event(r)}, nil
}

func (c *core) getResource(ctx context.Context, p store.Partition, in *cc.GetResourceInput) (*cc.GetResourceOutput, error) {
	if in == nil {
		in = &cc.GetResourceInput{}
	}
	var ck checker
	ck.typeName(in.TypeName)
	ck.common(in.TypeVersionId, in.RoleArn)
	ck.str("identifier", in.Identifier, true, 1, 1024, nil, false)
	if err := ck.err(); err != nil {
		return nil, err
	}
	ti, err := c.typeFor(*in.TypeName, "read", "READ")
	if err != nil {
		return nil, err
	}
	id, err := ti.normalizeIdentifier(*in.Identifier)
	if err != nil {
		return nil, err
	}
	props, err := c.props.read(ctx, cacheKey{p, ti.res.TypeName, id}, func() (string, error) {
		var model map[string]any
		err := c.st.View(ctx, func(tx store.Tx) error {
			var err error
			model, err = ti.h.Read(ctx, c.env(p), store.Scope(tx, p), id)
			return err
		})
		if err != nil {
			return "", c.handlerFailure(ti.res.TypeName, err)
		}
		return ti.marshalModel(without(model, ti.writeOnly))
	})
	if err != nil {
		return nil, err
	}
	return &cc.GetResourceOutput{
		TypeName:            aws.String(ti.res.TypeName),
		ResourceDescription: &types.ResourceDescription{Identifier: aws.String(id), Properties: aws.String(props)},
	}, nil
}

func (c *core) listResources(ctx context.Context, p store.Partition, in *cc.ListResourcesInput) (*cc.ListResourcesOutput, error) {
	if in == nil {
		in = &cc.ListResourcesInput{}
	}
	var ck checker
	ck.typeName(in.TypeName)
	ck.common(in.TypeVersionId, in.RoleArn)
	ck.str("nextToken", in.NextToken, false, 1, 4096, &reNextToken, false)
	ck.intRange("maxResults", in.MaxResults, 1, maxPageSize)
	ck.str("resourceModel", in.ResourceModel, false, 1, maxDocumentSize, nil, true)
	if err := ck.err(); err != nil {
		return nil, err
	}
	ti, err := c.typeFor(*in.TypeName, "list", "LIST")
	if err != nil {
		return nil, err
	}
	rm := map[string]any{}
	rmJSON := "{}"
	if in.ResourceModel != nil {
		rmJSON = *in.ResourceModel
		if rm, err = decodeObject(rmJSON); err != nil {
			return nil, errInvalidRequest("Missing or invalid ResourceModel property in %s list handler request input.Required property:  (#: expected type: JSONObject, found: %s)", ti.res.TypeName, jsonKind(rmJSON))
		}
	}
	if msgs, err := validate(ti.listModel, []byte(rmJSON)); err != nil {
		return nil, err
	} else if len(msgs) > 0 {
		return nil, errInvalidRequest("Missing or invalid ResourceModel property in %s list handler request input.Required property:  (%s)", ti.res.TypeName, strings.Join(msgs, "\n"))
	}
	query := listQuery{typeName: ti.res.TypeName, p: p, model: canonicalJSON(rm)}
	after := ""
	if in.NextToken != nil {
		var ok bool
		if after, ok = query.decodeToken(*in.NextToken); !ok {
			return nil, errInvalidRequest("Invalid NextToken")
		}
	}
	limit := DefaultListPageSize
	if in.MaxResults != nil {
		limit = int(*in.MaxResults)
	}
	page, more, err := c.listPage(ctx, p, ti, rm, after, limit)
	if err != nil {
		return nil, err
	}
	out := &cc.ListResourcesOutput{TypeName: aws.String(ti.res.TypeName), ResourceDescriptions: make([]types.ResourceDescription, 0, len(page))}
	for _, it := range page {
		var props string
		if it.raw != nil {
			props, err = ti.marshalRaw(it.raw)
		} else {
			props, err = ti.marshalModel(without(it.model, ti.writeOnly))
		}
		if err != nil {
			return nil, err
		}
		out.ResourceDescriptions = append(out.ResourceDescriptions, types.ResourceDescription{Identifier: aws.String(it.id), Properties: aws.String(props)})
	}
	if more && len(page) > 0 {
		out.NextToken = aws.String(query.token(page[len(page)-1].id))
	}
	return out, nil
}

// listItem is one model of a list page and its identifier: decoded, or
// as stored (raw) on the fast path.
type listItem struct {
	id    string
	model map[string]any
	raw   json.RawMessage
}

// rawPager is the generic handler's fast path for a list that filters
// nothing (see generic.Handler.ListPageRaw): the page's stored models,
// undecoded, which marshalRaw reorders as marshalModel would.
type rawPager interface {
	ListPageRaw(ctx context.Context, env handler.Env, tx handler.Tx, resourceModel map[string]any, after string, limit int) ([]handler.Record, bool, error)
}

// listPage returns up to limit models after the identifier after, in
// identifier order, and whether more follow. A handler with a key-set
// pager (handler.Pager: the generic handler) is asked for limit+1 models
// only, which the store reads from its index, so a page costs O(page);
// other handlers list every model and the page is cut from them. When
// the type has no write-only property to hide, the generic handler's raw
// pager spares decoding and re-encoding every model of the page.
func (c *core) listPage(ctx context.Context, p store.Partition, ti *typeInfo, rm map[string]any, after string, limit int) ([]listItem, bool, error) {
	var models []map[string]any
	var recs []handler.Record
	raw := false
	pager, paged := ti.h.(handler.Pager)
	err := c.st.View(ctx, func(tx store.Tx) error {
		var err error
		scoped := store.Scope(tx, p)
		if rp, ok := ti.h.(rawPager); ok && len(ti.writeOnly) == 0 {
			if recs, raw, err = rp.ListPageRaw(ctx, c.env(p), scoped, rm, after, limit+1); raw || err != nil {
				return err
			}
		}
		if paged {
			models, err = pager.ListPage(ctx, c.env(p), scoped, rm, after, limit+1)
		} else {
			models, err = ti.h.List(ctx, c.env(p), scoped, rm)
		}
		return err
	})
	if err != nil && ctx.Err() != nil {
		// The caller went away (an in-process cursor stopped, a client
		// hung up): its context's error, not a handler failure to log.
		return nil, false, fmt.Errorf("list %s: %w", ti.res.TypeName, ctx.Err())
	}
	if err != nil {
		return nil, false, c.handlerFailure(ti.res.TypeName, err)
	}
	if raw {
		items := make([]listItem, 0, len(recs))
		for _, r := range recs {
			items = append(items, listItem{id: r.Identifier, raw: r.Model})
		}
		if len(items) > limit {
			return items[:limit], true, nil
		}
		return items, false, nil
	}
	items := make([]listItem, 0, min(len(models), limit+1))
	for _, m := range models {
		if id, ok := ti.identifierOf(m); ok && (paged || id > after) {
			items = append(items, listItem{id: id, model: m})
		}
	}
	if !paged {
		sort.Slice(items, func(i, j int) bool { return items[i].id < items[j].id })
	}
	if len(items) > limit {
		return items[:limit], true, nil
	}
	return items, false, nil
}

// listQuery is what a ListResources NextToken is bound to: the type, the
// partition and the ResourceModel. A token carries them with the cursor
// and a checksum, base64url-encoded, so that a forged token, or one of
// another type, region, account or query, is refused.
type listQuery struct {
	typeName string
	p        store.Partition
	model    string
}

func (q listQuery) prefix() string {
	return q.typeName + "\x00" + q.p.Account + "\x00" + q.p.Region + "\x00" + fingerprint(q.model)[:16]
}

func (q listQuery) token(after string) string {
	body := q.prefix() + "\x00" + after
	return base64.RawURLEncoding.EncodeToString([]byte(body + "\x00" + fingerprint("ccql ListResources token", body)[:16]))
}

func (q listQuery) decodeToken(token string) (string, bool) {
	raw, err := base64.RawURLEncoding.DecodeString(token)
	if err != nil {
		return "", false
	}
	body, sum, ok := cutLast(string(raw), "\x00")
	if !ok || sum != fingerprint("ccql ListResources token", body)[:16] {
		return "", false
	}
	after, ok := strings.CutPrefix(body, q.prefix()+"\x00")
	if !ok || after == "" {
		return "", false
	}
	return after, true
}

func cutLast(s, sep string) (string, string, bool) {
	i := strings.LastIndex(s, sep)
	if i < 0 {
		return "", "", false
	}
	return s[:i], s[i+len(sep):], true
}

func (c *core) getResourceRequestStatus(ctx context.Context, p store.Partition, in *cc.GetResourceRequestStatusInput) (*cc.GetResourceRequestStatusOutput, error) {
	if in == nil {
		in = &cc.GetResourceRequestStatusInput{}
	}
	var ck checker
	ck.str("requestToken", in.RequestToken, true, 1, 128, &reToken, false)
	if err := ck.err(); err != nil {
		return nil, err
	}
	var r *store.Request
	err := c.st.View(ctx, func(tx store.Tx) error {
		var err error
		r, err = c.liveRequest(tx, p, *in.RequestToken)
		return err
	})
	if err != nil {
		return nil, err
	}
	return &cc.GetResourceRequestStatusOutput{ProgressEvent: c.event(r)}, nil
}

// liveRequest returns a request of the ledger, or RequestTokenNotFound
// for an unknown one or one past the retention.
func (c *core) liveRequest(tx store.Tx, p store.Partition, token string) (*store.Request, error) {
	r, err := tx.Request(p, token)
	if errors.Is(err, store.ErrNotFound) || err == nil && r.Created.Before(c.now().Add(-RequestRetention)) {
		return nil, errRequestTokenNotFound(token)
	}
	return r, err
}

func (c *core) listResourceRequests(ctx context.Context, p store.Partition, in *cc.ListResourceRequestsInput) (*cc.ListResourceRequestsOutput, error) {
	if in == nil {
		in = &cc.ListResourceRequestsInput{}
	}
	var ck checker
	ck.intRange("maxResults", in.MaxResults, 1, maxPageSize)
	ck.str("nextToken", in.NextToken, false, 1, 2048, &reToken, false)
	if err := ck.err(); err != nil {
		return nil, err
	}
	f := store.RequestFilter{Limit: DefaultRequestsPage + 1}
	if in.MaxResults != nil {
		f.Limit = int(*in.MaxResults) + 1
	}
	if in.NextToken != nil {
		b, err := base64.StdEncoding.DecodeString(*in.NextToken)
		if err != nil || len(b) == 0 {
			return nil, errValidation("Invalid NextToken")
		}
		f.After = string(b)
	}
	if sf := in.ResourceRequestStatusFilter; sf != nil {
		for _, o := range sf.Operations {
			f.Operations = append(f.Operations, string(o))
		}
		for _, s := range sf.OperationStatuses {
			f.Statuses = append(f.Statuses, string(s))
		}
	}
	var rs []*store.Request
	err := c.st.View(ctx, func(tx store.Tx) error {
		var err error
		rs, err = tx.Requests(p, f)
		return err
	})
	if err != nil {
		if f.After != "" {
			return nil, errValidation("Invalid NextToken")
		}
		return nil, err
	}
	out := &cc.ListResourceRequestsOutput{ResourceRequestStatusSummaries: []types.ProgressEvent{}}
	more := len(rs) == f.Limit
	if more {
		rs = rs[:f.Limit-1]
	}
	oldest := c.now().Add(-RequestRetention)
	for _, r := range rs {
		if r.Created.Before(oldest) {
			more = false
			break
		}
		out.ResourceRequestStatusSummaries = append(out.ResourceRequestStatusSummaries, *c.event(r))
	}
	if more {
		out.NextToken = aws.String(base64.StdEncoding.EncodeToString([]byte(rs[len(rs)-1].Cursor())))
	}
	return out, nil
}

func (c *core) cancelResourceRequest(ctx context.Context, p store.Partition, in *cc.CancelResourceRequestInput) (*cc.CancelResourceRequestOutput, error) {
	if in == nil {
		in = &cc.CancelResourceRequestInput{}
	}
	var ck checker
	ck.str("requestToken", in.RequestToken, true, 1, 128, &reToken, false)
	if err := ck.err(); err != nil {
		return nil, err
	}
	var r *store.Request
	err := c.st.Update(ctx, func(tx store.Tx) error {
		var err error
		if r, err = c.liveRequest(tx, p, *in.RequestToken); err != nil {
			return err
		}
		switch r.Status {
		case store.StatusCancelInProgress:
			return nil // cancel is idempotent
		case store.StatusPending, store.StatusInProgress:
			r.Status, r.Updated = store.StatusCancelInProgress, c.now()
			return tx.PutRequest(r)
		}
		return errConcurrentModification(r.Token, r.Status)
	})
	if err != nil {
		return nil, err
	}
	// The worker turns CANCEL_IN_PROGRESS into CANCEL_COMPLETE at once.
	c.work.schedule(p, r.Token, 0)
	return &cc.CancelResourceRequestOutput{ProgressEvent: c.event(r)}, nil
}
