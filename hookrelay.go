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
//
// TTx is the type of the application's transactions that the client writes
// in (Publish, PublishMany and the …Tx endpoint methods): pgx.Tx for a client
// made by NewPostgres, *sql.Tx for one made by NewPostgresSQL or NewSQLite,
// NoTx (none) for one made by Open. A transaction of another kind does not
// compile. The client is safe for concurrent use, a transaction is not: one
// transaction must not be passed to calls running at the same time, nor
// used by the application during them.
type Client[TTx any] struct {
	store   store.Store
	driver  driver[TTx]
	config  Config // complete: Config.WithDefaults
	service *service.Service
	// sealOver wraps a view of the database (the store seen from inside a
	// transaction) as store is wrapped: with the encryption key, or none.
	sealOver func(store.Store) store.Store
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

// driver is what a client needs of the library that the application reaches
// its database with: the store seen from inside one of its transactions.
type driver[TTx any] interface {
	// inTx returns the store seen from inside tx; a nil tx is an error.
	inTx(tx TTx) (txStore, error)
}

// txStore is the store seen from inside an application's transaction
// (postgres.TxStore, sqlite.TxStore): its endpoint methods, Publish and
// PublishMany run in the transaction.
type txStore interface {
	store.Store
	// Savepoint runs fn in a savepoint of the transaction, rolled back to
	// when fn fails, so that the transaction stays usable.
	Savepoint(ctx context.Context, fn func() error) error
}

// errNilTx is the error of a nil transaction.
var errNilTx = errors.New("nil transaction; to write on its own, use the method without a transaction (PublishNow, PublishManyNow, CreateEndpoint, …)")

// newClient applies opts and readies st: migrated (or checked), and wrapped
// to encrypt secrets when a key is given. It does not close st when it fails.
func newClient[TTx any](ctx context.Context, st store.Store, drv driver[TTx], opts []Option) (*Client[TTx], error) {
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
	sealed, err := seal(ctx, st, cfg.EncryptionKey, cfg.Logger)
	if err != nil {
		return nil, fmt.Errorf("hookrelay: %w", err)
	}
	c := &Client[TTx]{
		store:    sealed,
		driver:   drv,
		sealOver: func(v store.Store) store.Store { return sealed.Over(v) },
		config:   cfg,
		service: service.New(sealed, service.Options{
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
		m := metrics.New(sealed, c.limits)
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
func seal(ctx context.Context, st store.Store, key string, logger *slog.Logger) (*encrypted.Store, error) {
	sealed, err := encrypted.Seal(ctx, st, key, logger)
	if errors.Is(err, encrypted.ErrKeyMissing) || errors.Is(err, encrypted.ErrWrongKey) {
		return nil, &ConfigError{Field: "EncryptionKey", Message: err.Error()}
	}
	if err != nil {
		return nil, err
	}
	return sealed.(*encrypted.Store), nil
}

// inTx runs fn in a savepoint of tx, the application's transaction, with the
// client's service on the store seen from inside tx: when fn fails, what it
// wrote is rolled back and tx stays usable. fn's errors are returned as they
// are (with the savepoint's, when undoing it failed, then matching only
// ErrTxAborted); the
// others (a nil tx, a savepoint that fails) get "hookrelay: " in front.
func (c *Client[TTx]) inTx(ctx context.Context, tx TTx, fn func(svc *service.Service) error) error {
	ts, err := c.driver.inTx(tx)
	if err != nil {
		return fmt.Errorf("hookrelay: %w", err)
	}
	svc := c.service.On(c.sealOver(ts))
	var fnErr error
	err = ts.Savepoint(ctx, func() error {
		fnErr = fn(svc)
		return fnErr
	})
	switch {
	case err == nil || err == fnErr:
		return err
	case fnErr != nil && errors.Is(err, store.ErrTxAborted):
		// The savepoint could not be undone: fn's error, "hookrelay: " in
		// front already, says what failed, but only ErrTxAborted holds (an
		// ErrUnavailable of fn's would promise that nothing was written).
		return fmt.Errorf("%s; then %w", fnErr, savepointErr(err, fnErr))
	}
	return fmt.Errorf("hookrelay: %w", public(err))
}

// savepointErr is the part of err, fnErr joined with the errors of ending
// its savepoint, that is not fnErr.
func savepointErr(err, fnErr error) error {
	joined, ok := err.(interface{ Unwrap() []error })
	if !ok {
		return err
	}
	var rest []error
	for _, e := range joined.Unwrap() {
		if e != fnErr {
			rest = append(rest, e)
		}
	}
	return errors.Join(rest...)
}

// Close stops the workers, as Stop does without a deadline, and closes what
// the client opened: the database (Open), or its own pool (NewPostgresSQL).
// The application's pool or database (NewPostgres, NewPostgresSQL, NewSQLite)
// stays open. The client is not used after Close: Start and Run return
// ErrClosed. A second Close does nothing and returns nil.
func (c *Client[TTx]) Close() error {
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
