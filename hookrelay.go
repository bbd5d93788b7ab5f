package hookrelay

import (
	"context"
	"errors"
	"fmt"

	"github.com/hookrelay/hookrelay/internal/service"
	"github.com/hookrelay/hookrelay/internal/store"
	"github.com/hookrelay/hookrelay/internal/store/encrypted"
)

// Client publishes events and manages endpoints in the application's
// database and, once started, runs delivery workers in the application's
// process. It is safe for concurrent use.
type Client struct {
	store         store.Store
	publishTx     publishTxFunc
	publishManyTx publishManyTxFunc
	settings      settings
	service       *service.Service
	workers       workers
}

// publishTxFunc publishes in the caller's transaction of one kind of store.
type publishTxFunc func(ctx context.Context, tx Tx, ev store.Event, opts store.PublishOptions) (store.PublishResult, error)

// newClient applies opts and readies st: migrated (or checked), and wrapped
// to encrypt secrets when a key is given.
func newClient(ctx context.Context, st store.Store, publishTx publishTxFunc, publishManyTx publishManyTxFunc, opts []Option) (*Client, error) {
	s, err := newSettings(opts)
	if err != nil {
		return nil, err
	}
	if s.migrate {
		if err := st.Migrate(ctx); err != nil {
			return nil, fmt.Errorf("hookrelay: %w", err)
		}
	} else if current, err := st.MigrationsCurrent(ctx); err != nil {
		return nil, fmt.Errorf("hookrelay: check migrations: %w", err)
	} else if !current {
		return nil, errors.New("hookrelay: the database schema is not up to date; run `hookrelay migrate` or drop WithoutMigrate")
	}
	if s.key != nil {
		if st, err = encrypted.Wrap(st, s.key); err != nil {
			return nil, fmt.Errorf("hookrelay: %w", err)
		}
	} else if err := encrypted.CheckNoneSealed(ctx, st); err != nil {
		return nil, fmt.Errorf("hookrelay: %w", err)
	}
	return &Client{
		store:         st,
		publishTx:     publishTx,
		publishManyTx: publishManyTx,
		settings:      s,
		service:       service.New(st, service.Options{AllowPrivateTargets: s.allowPrivate, DefaultProfile: s.profile, DefaultMaxRetries: s.maxRetries}),
	}, nil
}
