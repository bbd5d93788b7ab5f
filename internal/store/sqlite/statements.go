package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"sync"
)

// execer runs statements on a pool or inside a transaction.
type execer interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
}

// statements keeps the prepared statements of one pool, by query text, so
// that SQLite parses and plans each query once rather than at every call (a
// good part of the cost of a small statement). The query texts are the
// constants of this package and the few filter combinations of the listings,
// so the set stays small. It is an execer on its pool.
type statements struct {
	db       *sql.DB
	mu       sync.Mutex
	prepared map[string]*sql.Stmt
}

func newStatements(db *sql.DB) *statements {
	return &statements{db: db, prepared: make(map[string]*sql.Stmt)}
}

// lookup returns the prepared statement of query, or nil.
func (s *statements) lookup(query string) *sql.Stmt {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.prepared[query]
}

// prepare returns the prepared statement of query, preparing it on the pool
// the first time. It waits for a free connection of the pool, so a caller
// that holds the only one must not call it (see txStatements).
func (s *statements) prepare(ctx context.Context, query string) (*sql.Stmt, error) {
	if stmt := s.lookup(query); stmt != nil {
		return stmt, nil
	}
	stmt, err := s.db.PrepareContext(ctx, query)
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if kept, ok := s.prepared[query]; ok {
		return kept, stmt.Close()
	}
	s.prepared[query] = stmt
	return stmt, nil
}

// ExecContext runs query, prepared, on the pool.
func (s *statements) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	stmt, err := s.prepare(ctx, query)
	if err != nil {
		return nil, err
	}
	return stmt.ExecContext(ctx, args...)
}

// QueryContext runs query, prepared, on the pool.
func (s *statements) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	stmt, err := s.prepare(ctx, query)
	if err != nil {
		return nil, err
	}
	return stmt.QueryContext(ctx, args...)
}

// close closes every prepared statement.
func (s *statements) close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	var errs []error
	for _, stmt := range s.prepared {
		errs = append(errs, stmt.Close())
	}
	clear(s.prepared)
	return errors.Join(errs...)
}

// txStatements is an execer inside a transaction of the write pool. It runs
// the queries that the pool has prepared through their prepared statements,
// and the others as they are, noting them in missed: preparing them on the
// pool would wait for the one write connection, which the transaction holds.
// inTx prepares the missed queries once the transaction has ended.
type txStatements struct {
	tx     *sql.Tx
	stmts  *statements
	missed *[]string
}

// ExecContext runs query in the transaction.
func (t txStatements) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	if stmt := t.stmts.lookup(query); stmt != nil {
		return t.tx.StmtContext(ctx, stmt).ExecContext(ctx, args...)
	}
	*t.missed = append(*t.missed, query)
	return t.tx.ExecContext(ctx, query, args...)
}

// QueryContext runs query in the transaction.
func (t txStatements) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	if stmt := t.stmts.lookup(query); stmt != nil {
		return t.tx.StmtContext(ctx, stmt).QueryContext(ctx, args...)
	}
	*t.missed = append(*t.missed, query)
	return t.tx.QueryContext(ctx, query, args...)
}
