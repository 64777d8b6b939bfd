package ccql

import (
	"context"
	"errors"
	"fmt"
	"os"
	"sync"

	cc "github.com/aws/aws-sdk-go-v2/service/cloudcontrol"
	"github.com/ccql/ccql/emulator"
	"github.com/ccql/ccql/internal/cloudcontrol"
	"github.com/ccql/ccql/internal/provider"
)

// localAccount is the account the embedded emulator's in-process calls use.
const localAccount = "000000000000"

// openLocal returns the embedded emulator on dataDir. It is opened on the
// first Cloud Control call, so that statements that never call it (SHOW,
// DESCRIBE) do not pay for opening the store.
func openLocal(dataDir string, cfg Config) (*lazyLocal, func() error, error) {
	l := &lazyLocal{open: func() (*emulator.Server, error) {
		if err := os.MkdirAll(dataDir, 0o700); err != nil {
			return nil, fmt.Errorf("data dir: %w", err)
		}
		return emulator.NewServer(emulator.Options{DataDir: dataDir, Latency: cfg.Latency, Logger: cfg.Logger})
	}}
	return l, l.close, nil
}

// lazyLocal is a cloudcontrol.API that opens the emulator when first used.
type lazyLocal struct {
	open func() (*emulator.Server, error)
	once sync.Once
	srv  *emulator.Server
	api  cloudcontrol.API
	err  error
}

func (l *lazyLocal) get() (cloudcontrol.API, error) {
	l.once.Do(func() {
		l.srv, l.err = l.open()
		if l.err == nil {
			l.api = l.srv.CloudControl(localAccount)
		} else {
			l.err = fmt.Errorf("open the embedded emulator: %w", l.err)
		}
	})
	return l.api, l.err
}

// CognitoMessages implements provider.Outbox in process: the emulator's
// Go API, no HTTP.
func (l *lazyLocal) CognitoMessages(ctx context.Context, poolID, username string) ([]provider.OutboxMessage, error) {
	if _, err := l.get(); err != nil {
		return nil, err
	}
	msgs, err := l.srv.CognitoMessages(ctx, localAccount, poolID, username)
	if errors.Is(err, emulator.ErrUserPoolNotFound) {
		return nil, fmt.Errorf("%s: %w", poolID, provider.ErrNoUserPool)
	}
	if err != nil {
		return nil, err
	}
	out := make([]provider.OutboxMessage, len(msgs))
	for i, m := range msgs {
		out[i] = provider.OutboxMessage{UserPoolID: m.UserPoolId, Username: m.Username, Sequence: m.Sequence, Kind: m.Kind,
			DeliveryMedium: m.DeliveryMedium, AttributeName: m.AttributeName, Destination: m.Destination,
			MaskedDestination: m.MaskedDestination, Subject: m.Subject, Message: m.Message, Code: m.Code, SentAt: m.SentAt}
	}
	return out, nil
}

func (l *lazyLocal) close() error {
	if l.srv == nil {
		return nil
	}
	return l.srv.Close()
}

func (l *lazyLocal) CreateResource(ctx context.Context, in *cc.CreateResourceInput, o ...func(*cc.Options)) (*cc.CreateResourceOutput, error) {
	api, err := l.get()
	if err != nil {
		return nil, err
	}
	return api.CreateResource(ctx, in, o...)
}

func (l *lazyLocal) GetResource(ctx context.Context, in *cc.GetResourceInput, o ...func(*cc.Options)) (*cc.GetResourceOutput, error) {
	api, err := l.get()
	if err != nil {
		return nil, err
	}
	return api.GetResource(ctx, in, o...)
}

func (l *lazyLocal) UpdateResource(ctx context.Context, in *cc.UpdateResourceInput, o ...func(*cc.Options)) (*cc.UpdateResourceOutput, error) {
	api, err := l.get()
	if err != nil {
		return nil, err
	}
	return api.UpdateResource(ctx, in, o...)
}

func (l *lazyLocal) DeleteResource(ctx context.Context, in *cc.DeleteResourceInput, o ...func(*cc.Options)) (*cc.DeleteResourceOutput, error) {
	api, err := l.get()
	if err != nil {
		return nil, err
	}
	return api.DeleteResource(ctx, in, o...)
}

func (l *lazyLocal) ListResources(ctx context.Context, in *cc.ListResourcesInput, o ...func(*cc.Options)) (*cc.ListResourcesOutput, error) {
	api, err := l.get()
	if err != nil {
		return nil, err
	}
	return api.ListResources(ctx, in, o...)
}

func (l *lazyLocal) GetResourceRequestStatus(ctx context.Context, in *cc.GetResourceRequestStatusInput, o ...func(*cc.Options)) (*cc.GetResourceRequestStatusOutput, error) {
	api, err := l.get()
	if err != nil {
		return nil, err
	}
	return api.GetResourceRequestStatus(ctx, in, o...)
}

func (l *lazyLocal) ListResourceRequests(ctx context.Context, in *cc.ListResourceRequestsInput, o ...func(*cc.Options)) (*cc.ListResourceRequestsOutput, error) {
	api, err := l.get()
	if err != nil {
		return nil, err
	}
	return api.ListResourceRequests(ctx, in, o...)
}

func (l *lazyLocal) CancelResourceRequest(ctx context.Context, in *cc.CancelResourceRequestInput, o ...func(*cc.Options)) (*cc.CancelResourceRequestOutput, error) {
	api, err := l.get()
	if err != nil {
		return nil, err
	}
	return api.CancelResourceRequest(ctx, in, o...)
}
