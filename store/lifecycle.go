package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// dueQuery finds live bindings past their expiry (index bindings_expiry).
const dueQuery = `SELECT id FROM bindings
	WHERE state IN (?, ?) AND expires_at <= ? ORDER BY expires_at LIMIT ?`

// cooledQuery finds ended bindings whose cool-down is over; live ones
// have cooldown_until 0 and stay outside the range (index
// bindings_release).
const cooledQuery = `SELECT id FROM bindings
	WHERE released = 0 AND cooldown_until BETWEEN 1 AND ? AND state IN (?, ?)
	ORDER BY cooldown_until LIMIT ?`

// EndBinding moves the live binding id to state (expired or unbound) at
// at, with its keys in cool-down until cooldownUntil. ErrConflict if it
// had ended already, ErrNotFound if there is no such binding.
func (db *DB) EndBinding(ctx context.Context, id, state string, at,
	cooldownUntil time.Time) error {
	if state != BindingExpired && state != BindingUnbound {
		return fmt.Errorf("end binding: cannot end in state %q", state)
	}
	if cooldownUntil.Before(at) || at.IsZero() {
		return errors.New("end binding: cool-down must end at or after the end")
	}

	n, err := affected(db.exec(ctx, `UPDATE bindings
		SET state = ?, ended_at = ?, cooldown_until = ?, updated_at = ?
		WHERE id = ? AND state IN (?, ?)`, state, ms(at), ms(cooldownUntil), ms(stamp()), id,
		BindingActive, BindingDelivered))
	if err != nil {
		return db.wrap("end binding", err)
	}
	if n == 1 {
		return nil
	}

	if err := db.exists(ctx, "bindings", "id", id); err != nil {
		return db.wrap("end binding", err)
	}
	return db.wrap("end binding", ErrConflict)
}

// ExpireDue ends up to limit (1000 when unset) live bindings whose expiry
// is at or before now: each becomes expired at its expiry, its keys in
// cool-down until expiry + cooldown. It returns how many it ended. Run on
// several nodes at once, each binding is still ended once.
func (db *DB) ExpireDue(ctx context.Context, now time.Time, cooldown time.Duration,
	limit int) (int, error) {
	ids, err := db.selectIDs(ctx, dueQuery,
		BindingActive, BindingDelivered, ms(now), clampLimit(limit, 1000, 10000))
	if err != nil || len(ids) == 0 {
		return 0, db.wrap("expire bindings", err)
	}

	// The conditions are checked again: another node may have ended some.
	args := append([]any{BindingExpired, cooldown.Milliseconds(), ms(stamp())},
		strArgs(ids)...)
	args = append(args, BindingActive, BindingDelivered, ms(now))
	n, err := affected(db.exec(ctx, `UPDATE bindings
		SET state = ?, ended_at = expires_at, cooldown_until = expires_at + ?, updated_at = ?
		WHERE id IN (`+placeholders(len(ids))+`) AND state IN (?, ?) AND expires_at <= ?`,
		args...))
	if err != nil {
		return 0, db.wrap("expire bindings", err)
	}
	return int(n), nil
}

// selectIDs runs a query returning one string column.
func (db *DB) selectIDs(ctx context.Context, q string, args ...any) ([]string, error) {
	rows, err := db.sql.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()

	var ids []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		ids = append(ids, id)
	}
	return ids, rows.Err()
}

// ReleaseCooled releases up to limit (1000 when unset) ended bindings
// whose cool-down is over at now: their keys are deleted, they are marked
// released, and their numbers count one binding less (serving no mode
// again at zero). Each binding is released in its own transaction that
// locks its number first, so nodes running this at once never release a
// binding twice. It returns how many this call released.
func (db *DB) ReleaseCooled(ctx context.Context, now time.Time, limit int) (int, error) {
	ids, err := db.selectIDs(ctx, cooledQuery,
		ms(now), BindingExpired, BindingUnbound, clampLimit(limit, 1000, 10000))
	if err != nil {
		return 0, db.wrap("release bindings", err)
	}

	released := 0
	for _, id := range ids {
		done := false
		err := db.inTx(ctx, "release bindings", func(tx *sql.Tx) error {
			var err error
			done, err = db.release(ctx, tx, id)
			return err
		})
		if err != nil {
			return released, err
		}
		if done {
			released++
		}
	}
	return released, nil
}

// release frees one binding's keys; false when another node did it first.
func (db *DB) release(ctx context.Context, tx *sql.Tx, id string) (bool, error) {
	var x string
	err := tx.QueryRowContext(ctx, `SELECT x FROM numbers
		WHERE x = (SELECT x FROM bindings WHERE id = ?)`+db.dialect.forUpdate, id).Scan(&x)
	if err != nil {
		return false, err
	}

	at := ms(stamp())
	// By primary key only, so that MySQL locks this row and no range of an
	// index; the cool-down, fixed when the binding ended, was checked by
	// cooledQuery.
	n, err := affected(tx.ExecContext(ctx, `UPDATE bindings SET released = 1, updated_at = ?
		WHERE id = ? AND released = 0`, at, id))
	if err != nil || n == 0 {
		return false, err
	}

	if _, err := tx.ExecContext(ctx, `DELETE FROM binding_keys WHERE binding_id = ?`,
		id); err != nil {
		return false, err
	}

	// mode is assigned first: MySQL evaluates SET left to right with the
	// new values, SQLite with the old ones; this order reads the old count
	// in both.
	_, err = tx.ExecContext(ctx, `UPDATE numbers
		SET mode = CASE WHEN bindings <= 1 THEN '' ELSE mode END,
		bindings = CASE WHEN bindings > 0 THEN bindings - 1 ELSE 0 END, updated_at = ?
		WHERE x = ?`, at, x)
	return err == nil, err
}
