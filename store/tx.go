package store

import (
	"context"
	"database/sql"
	"math/rand/v2"
	"strings"
	"time"
)

// txAttempts bounds how often a transaction that the server rolled back
// (an InnoDB deadlock victim) is run again before the error is returned.
const txAttempts = 5

// inTx runs fn in a transaction and commits it; any error from fn rolls it
// back. A transaction chosen as a deadlock victim is run again. The error
// is mapped and named by op.
func (db *DB) inTx(ctx context.Context, op string, fn func(*sql.Tx) error) error {
	err := db.retry(ctx, func() error { return db.runTx(ctx, fn) })
	return db.wrap(op, err)
}

// exec runs one writing statement outside a transaction, again when the
// server chose it as a deadlock victim. The error is not mapped.
func (db *DB) exec(ctx context.Context, q string, args ...any) (sql.Result, error) {
	var res sql.Result
	err := db.retry(ctx, func() error {
		var err error
		res, err = db.sql.ExecContext(ctx, q, args...)
		return err
	})
	return res, err
}

// retry calls fn until it succeeds, fails for a reason other than being
// rolled back by the server, or has run txAttempts times, pausing a short
// random while between runs so that the victims do not collide again.
func (db *DB) retry(ctx context.Context, fn func() error) error {
	for attempt := 1; ; attempt++ {
		err := fn()
		if err == nil || !db.dialect.retryable(err) || attempt == txAttempts {
			return err
		}

		pause := time.Duration(attempt) * time.Duration(1+rand.IntN(5)) * time.Millisecond
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(pause):
		}
	}
}

func (db *DB) runTx(ctx context.Context, fn func(*sql.Tx) error) error {
	tx, err := db.sql.BeginTx(ctx, nil)
	if err != nil {
		return err
	}

	if err := fn(tx); err != nil {
		_ = tx.Rollback()
		return err
	}
	return tx.Commit()
}

// querier is what both *sql.DB and *sql.Tx offer.
type querier interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// affected returns the rows a statement changed.
func affected(res sql.Result, err error) (int64, error) {
	if err != nil {
		return 0, err
	}
	return res.RowsAffected()
}

// ms stores a time as Unix milliseconds; the zero time is 0.
func ms(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.UnixMilli()
}

// fromMS reads a stored time; 0 gives the zero time.
func fromMS(v int64) time.Time {
	if v == 0 {
		return time.Time{}
	}
	return time.UnixMilli(v).UTC()
}

// stamp is the current time at the stores' precision, so that what a method
// sets on its argument equals what a later read returns.
func stamp() time.Time { return fromMS(time.Now().UnixMilli()) }

// placeholders returns "?, ?, ?" for n arguments.
func placeholders(n int) string {
	return strings.TrimSuffix(strings.Repeat("?, ", n), ", ")
}

// joinList and splitList store short lists (scopes, area codes) as one
// comma-separated column.
func joinList(s []string) string { return strings.Join(s, ",") }

func splitList(s string) []string {
	if s == "" {
		return nil
	}
	return strings.Split(s, ",")
}

// strArgs turns strings into query arguments.
func strArgs(s []string) []any {
	out := make([]any, len(s))
	for i, v := range s {
		out[i] = v
	}
	return out
}
