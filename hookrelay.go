package hookrelay

import (
	"context"
	"errors"
	"fmt"
	"log/slog"

	"github.com/hookrelay/hookrelay/internal/delivery"
	"github.com/hookrelay/hookrelay/internal/metrics"
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
	config        Config // complete: Config.WithDefaults
	service       *service.Service
	// workerName names the leases of this client's workers, one name for
	// every Start.
	workerName string
	// observer receives the workers' events: the metrics of Config.Metrics,
	// or nothing.
	observer delivery.Observer
	// limits are the current in-flight limits of the endpoints that this
	// client's workers send to (one Limits for every Start).
	limits *delivery.Limits
	// closeStore closes the store when the client opened it (Open); nil
	// when the application owns the database.
	closeStore func() error
	workers    workers
}

// publishTxFunc publishes in the caller's transaction of one kind of store.
type publishTxFunc func(ctx context.Context, tx Tx, ev store.Event, opts store.PublishOptions) (store.PublishResult, error)

// newClient applies opts and readies st: migrated (or checked), and wrapped
// to encrypt secrets when a key is given. It does not close st when it fails.
func newClient(ctx context.Context, st store.Store, publishTx publishTxFunc, publishManyTx publishManyTxFunc, opts []Option) (*Client, error) {
	cfg, err := newConfig(opts)
	if err != nil {
		return nil, err
	}
	if !cfg.SkipMigrate {
		if err := st.Migrate(ctx); err != nil {
			return nil, fmt.Errorf("hookrelay: %w", err)
		}
	} else if current, err := st.MigrationsCurrent(ctx); err != nil {
		return nil, fmt.Errorf("hookrelay: check migrations: %w", err)
	} else if !current {
		return nil, errors.New("hookrelay: the database schema is not up to date; run `hookrelay migrate` or drop WithoutMigrate (Config.SkipMigrate)")
	}
	if st, err = seal(ctx, st, cfg.EncryptionKey, cfg.Logger); err != nil {
		return nil, fmt.Errorf("hookrelay: %w", err)
	}
	c := &Client{
		store:         st,
		publishTx:     publishTx,
		publishManyTx: publishManyTx,
		config:        cfg,
		service: service.New(st, service.Options{
			AllowPrivateTargets: cfg.AllowPrivateTargets, DefaultProfile: cfg.SignatureProfile,
			DefaultMaxRetries: offToZero(cfg.MaxRetries), RotationWindow: cfg.RotationWindow,
			RequireVerification: cfg.RequireVerification,
			RequireEventTypes:   cfg.RequireEventTypes,
			RecoveryWindow:      offToZero(cfg.RecoveryWindow),
			TracerProvider:      cfg.TracerProvider,
		}),
		workerName: delivery.WorkerName(),
		observer:   delivery.NopObserver{},
		limits:     delivery.NewLimits(cfg.EndpointConcurrency, cfg.ConcurrencyMode == AdaptiveConcurrency),
	}
	if cfg.Metrics != nil {
		m := metrics.New(st, c.limits)
		if err := m.Register(cfg.Metrics); err != nil {
			return nil, fmt.Errorf("hookrelay: register metrics: %w", err)
		}
		c.observer = m
	}
	return c, nil
}

// seal wraps st so that secrets are encrypted at rest under key (as
// Config.EncryptionKey writes it; encrypted.Seal). A key that does not open
// what the database holds, or no key on a database that holds encrypted
// values, is refused with a *ConfigError for EncryptionKey.
func seal(ctx context.Context, st store.Store, key string, logger *slog.Logger) (store.Store, error) {
	sealed, err := encrypted.Seal(ctx, st, key, logger)
	if errors.Is(err, encrypted.ErrKeyMissing) || errors.Is(err, encrypted.ErrWrongKey) {
		return nil, &ConfigError{Field: "EncryptionKey", Message: err.Error()}
	}
	return sealed, err
}

// Close stops the workers, as Stop does without a deadline, and closes the
// database when the client opened it (Open); a client on the application's
// pool or database (NewPostgres, NewSQLite) leaves it open. The client is
// not used after Close: Start and Run return ErrClosed. A second Close does
// nothing and returns nil.
func (c *Client) Close() error {
	c.workers.mu.Lock()
	closed := c.workers.closed
	c.workers.closed = true
	c.workers.mu.Unlock()
	if closed {
		return nil
	}
	err := c.Stop(context.Background())
	if errors.Is(err, ErrNotRunning) {
		err = nil
	}
	if c.closeStore != nil {
		if cerr := c.closeStore(); cerr != nil {
			err = errors.Join(err, fmt.Errorf("hookrelay: close database: %w", cerr))
		}
	}
	return err
}
