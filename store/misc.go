package store

import (
	"context"
	"database/sql"
	"errors"
)

// InsertAudit stores a and sets its ID (and At, when unset).
func (db *DB) InsertAudit(ctx context.Context, a *Audit) error {
	if a.Action == "" {
		return errors.New("insert audit: empty action")
	}
	if a.At.IsZero() {
		a.At = stamp()
	}

	res, err := db.exec(ctx, `INSERT INTO audit (at, key_id, tenant_id, binding_id,
		action, reason) VALUES (?, ?, ?, ?, ?, ?)`,
		ms(a.At), a.KeyID, a.TenantID, a.BindingID, a.Action, a.Reason)
	if err != nil {
		return db.wrap("insert audit", err)
	}

	id, err := res.LastInsertId()
	if err != nil {
		return db.wrap("insert audit", err)
	}
	a.ID = id
	return nil
}

// ListAudit returns the audit records about a binding, oldest first.
func (db *DB) ListAudit(ctx context.Context, bindingID string) ([]Audit, error) {
	rows, err := db.sql.QueryContext(ctx, `SELECT id, at, key_id, tenant_id, binding_id,
		action, reason FROM audit WHERE binding_id = ? ORDER BY id`, bindingID)
	if err != nil {
		return nil, db.wrap("list audit", err)
	}
	defer rows.Close()

	var out []Audit
	for rows.Next() {
		var (
			a  Audit
			at int64
		)
		err := rows.Scan(&a.ID, &at, &a.KeyID, &a.TenantID, &a.BindingID, &a.Action, &a.Reason)
		if err != nil {
			return nil, db.wrap("list audit", err)
		}
		a.At = fromMS(at)
		out = append(out, a)
	}
	return out, db.wrap("list audit", rows.Err())
}

// AddBlacklist bars the caller whose blind index is index; adding one
// already barred replaces its note.
func (db *DB) AddBlacklist(ctx context.Context, index, note string) error {
	if index == "" {
		return errors.New("add blacklist: empty index")
	}

	_, err := db.exec(ctx, `INSERT INTO blacklist (idx, note, created_at)
		VALUES (?, ?, ?)`+db.dialect.upsertNote, index, note, ms(stamp()))
	return db.wrap("add blacklist", err)
}

// RemoveBlacklist lifts the bar on index; ErrNotFound when it had none.
func (db *DB) RemoveBlacklist(ctx context.Context, index string) error {
	n, err := affected(db.exec(ctx, `DELETE FROM blacklist WHERE idx = ?`, index))
	if err != nil {
		return db.wrap("remove blacklist", err)
	}
	if n == 0 {
		return db.wrap("remove blacklist", ErrNotFound)
	}
	return nil
}

// IsBlacklisted reports whether the caller with blind index index is
// barred.
func (db *DB) IsBlacklisted(ctx context.Context, index string) (bool, error) {
	var one int
	err := db.sql.QueryRowContext(ctx, `SELECT 1 FROM blacklist WHERE idx = ?`, index).
		Scan(&one)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	if err != nil {
		return false, db.wrap("is blacklisted", err)
	}
	return true, nil
}
