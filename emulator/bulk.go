package emulator

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	cc "github.com/aws/aws-sdk-go-v2/service/cloudcontrol"
	"github.com/google/uuid"

	"github.com/ccql/ccql/internal/store"
)

// BulkCreate creates resources of typeName from desiredStates in one
// durable transaction, for loading large test fixtures (ccql bench scale
// loads a million log groups through it). Each resource is stored exactly
// as CreateResource followed by its completion would store it: the same
// validation and handler Prepare, the same handler Create in the same
// transaction as the request, and a request ledger row with Operation
// CREATE and Status SUCCESS. What it skips is the per-request cost of the
// API: one commit (one fsync) per acceptance and another per completion,
// and the worker's scheduling.
//
// It is all or nothing: when any desired state is refused (validation,
// or the handler fails, e.g. AlreadyExists), nothing is created and the
// error names the index of the offending state. Resources whose type
// finishes asynchronously on the API are finished here at once.
func (a *CloudControl) BulkCreate(ctx context.Context, typeName string, desiredStates []string, optFns ...func(*cc.Options)) error {
	p := a.partition(optFns)
	c := a.c
	ms := make([]mutation, len(desiredStates))
	for i, d := range desiredStates {
		m, err := c.createMutation(p, &cc.CreateResourceInput{TypeName: aws.String(typeName), DesiredState: aws.String(d)})
		if err != nil {
			return fmt.Errorf("bulk create %s: desired state %d: %w", typeName, i, err)
		}
		ms[i] = m
	}
	return c.st.Update(ctx, func(tx store.Tx) error {
		for i, m := range ms {
			if err := c.bulkCreateOne(ctx, tx, m); err != nil {
				return fmt.Errorf("bulk create %s: desired state %d: %w", typeName, i, err)
			}
		}
		return nil
	})
}

// bulkCreateOne is accept and complete of one CREATE in the caller's
// transaction: the same checks, payload round trip and handler call.
func (c *core) bulkCreateOne(ctx context.Context, tx store.Tx, m mutation) error {
	if err := m.refuseConcurrent(tx); err != nil {
		return err
	}
	pl, _, err := m.prepare(tx)
	if err != nil {
		return err
	}
	// Through JSON, as the worker reads the payload back from the ledger:
	// the handler sees the same values (numbers as float64) either way.
	body, err := json.Marshal(pl)
	if err != nil {
		return fmt.Errorf("encode payload: %w", err)
	}
	now := c.now()
	r := &store.Request{
		Token:       uuid.NewString(),
		Partition:   m.p,
		Operation:   m.op,
		Status:      store.StatusSuccess,
		TypeName:    m.ti.res.TypeName,
		Identifier:  m.identifier,
		Fingerprint: m.fingerprint,
		Created:     now,
		Updated:     now,
		Due:         now.Add(c.latency),
		Owner:       c.owner,
	}
	if err := c.runHandler(ctx, tx, r, body); err != nil {
		return err
	}
	return tx.PutRequest(r)
}
