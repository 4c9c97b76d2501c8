package store

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"io"
	"net"
	"syscall"
)

// wrap names the operation and maps a driver error to the store's
// sentinels. A unique violation drops the driver's text, which quotes the
// duplicate value (a sealed number or blind index in some tables).
func (db *DB) wrap(op string, err error) error {
	switch {
	case err == nil:
		return nil
	case isSentinel(err):
		return fmt.Errorf("%s: %w", op, err)
	case errors.Is(err, sql.ErrNoRows):
		return fmt.Errorf("%s: %w", op, ErrNotFound)
	case db.dialect.duplicate(err):
		return fmt.Errorf("%s: %w", op, ErrConflict)
	case db.unavailable(err):
		return fmt.Errorf("%s: %w: %w", op, ErrUnavailable, err)
	default:
		return fmt.Errorf("%s: %w", op, err)
	}
}

func isSentinel(err error) bool {
	return errors.Is(err, ErrNotFound) || errors.Is(err, ErrConflict) ||
		errors.Is(err, ErrNumberBusy) || errors.Is(err, ErrUnavailable) ||
		errors.Is(err, ErrNumberLocked)
}

// unavailable reports whether err means the database could not be used at
// all (as opposed to a query it refused), so callers answer 503 and retry.
// A deadline that ran out counts: the database did not answer in time.
func (db *DB) unavailable(err error) bool {
	if db.closed.Load() || err.Error() == "sql: database is closed" {
		return true
	}

	var netErr net.Error
	switch {
	case errors.Is(err, driver.ErrBadConn), errors.Is(err, sql.ErrConnDone),
		errors.Is(err, context.DeadlineExceeded), errors.Is(err, io.ErrUnexpectedEOF),
		errors.Is(err, syscall.ECONNREFUSED), errors.Is(err, syscall.ECONNRESET),
		errors.Is(err, syscall.EPIPE), errors.As(err, &netErr):
		return true
	}
	return db.dialect.unreachable(err)
}
