package store

import (
	"context"
	"database/sql"
	"fmt"
	"time"
)

// UpdateBinding writes b's mutable fields (B, expiry, record,
// call_restrict, state) and sets b.UpdatedAt. A live binding may move only
// between the live states (EndBinding ends it); an ended one keeps its
// state. When oldKey and newKey differ the key is swapped on the
// binding's number in the same transaction: oldKey ("" for none) must be
// held by b, and newKey ("" for none) must be free there, else
// ErrConflict. Ended bindings cannot swap keys.
func (db *DB) UpdateBinding(ctx context.Context, b *Binding, oldKey, newKey string) error {
	if !live(b.State) && b.State != BindingExpired && b.State != BindingUnbound {
		return fmt.Errorf("update binding: unknown state %q", b.State)
	}
	swap := oldKey != newKey

	at := stamp()
	err := db.inTx(ctx, "update binding", func(tx *sql.Tx) error {
		x, err := lockBinding(ctx, tx, db.dialect, b, swap)
		if err != nil {
			return err
		}

		_, err = tx.ExecContext(ctx, `UPDATE bindings SET b_sealed = ?, b_index = ?,
			expires_at = ?, record = ?, call_restrict = ?, state = ?, updated_at = ?
			WHERE id = ?`, b.BSealed, b.BIndex, ms(b.ExpiresAt), b.Record, b.CallRestrict,
			b.State, ms(at), b.ID)
		if err != nil || !swap {
			return err
		}
		return swapKey(ctx, tx, x, b.ID, oldKey, newKey)
	})
	if err != nil {
		return err
	}
	b.UpdatedAt = at
	return nil
}

// lockBinding locks b's row (and, before it, its number's row when keys
// are to change, the order every writer of keys follows), checks that the
// update is allowed and returns the binding's number.
func lockBinding(ctx context.Context, tx *sql.Tx, d *dialect, b *Binding, swap bool) (string,
	error) {
	if swap {
		var x string
		err := tx.QueryRowContext(ctx, `SELECT x FROM numbers
			WHERE x = (SELECT x FROM bindings WHERE id = ?)`+d.forUpdate, b.ID).Scan(&x)
		if err != nil {
			return "", err
		}
	}

	var x, state string
	err := tx.QueryRowContext(ctx, `SELECT x, state FROM bindings WHERE id = ?`+d.forUpdate,
		b.ID).Scan(&x, &state)
	if err != nil {
		return "", err
	}

	switch {
	case live(state) && !live(b.State):
		return "", fmt.Errorf("end a binding with EndBinding: %w", ErrConflict)
	case !live(state) && (b.State != state || swap):
		return "", fmt.Errorf("binding has ended: %w", ErrConflict)
	}
	return x, nil
}

// swapKey moves the binding id from oldKey to newKey on number x.
func swapKey(ctx context.Context, tx *sql.Tx, x, id, oldKey, newKey string) error {
	if oldKey != "" {
		n, err := affected(tx.ExecContext(ctx, `DELETE FROM binding_keys
			WHERE x = ? AND k = ? AND binding_id = ?`, x, oldKey, id))
		if err != nil {
			return err
		}
		if n != 1 {
			return fmt.Errorf("old key not held by the binding: %w", ErrConflict)
		}
	}

	if newKey == "" {
		return nil
	}
	_, err := tx.ExecContext(ctx, `INSERT INTO binding_keys (x, k, binding_id)
		VALUES (?, ?, ?)`, x, newKey, id)
	return err
}

// SetLastCaller records the sealed number of the last party who reached A
// through binding id, for AXE callbacks.
func (db *DB) SetLastCaller(ctx context.Context, id, sealed string, at time.Time) error {
	n, err := affected(db.exec(ctx, `UPDATE bindings
		SET last_caller = ?, last_caller_at = ?, updated_at = ? WHERE id = ?`,
		sealed, ms(at), ms(stamp()), id))
	if err != nil {
		return db.wrap("set last caller", err)
	}
	if n == 0 {
		return db.wrap("set last caller", db.exists(ctx, "bindings", "id", id))
	}
	return nil
}

// exists returns nil when table has a row whose column equals v, else
// sql.ErrNoRows. MySQL counts only rows an UPDATE changed, so an update
// that wrote the values a row had already reports 0 rows; this tells that
// apart from a missing row. table and column are constants of this
// package.
func (db *DB) exists(ctx context.Context, table, column string, v any) error {
	var one int
	return db.sql.QueryRowContext(ctx,
		`SELECT 1 FROM `+table+` WHERE `+column+` = ?`, v).Scan(&one)
}
