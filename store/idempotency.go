package store

import (
	"context"
	"database/sql"
	"errors"
	"time"
)

// ReserveIdempotency records rec as the first request under its tenant
// and key, sets rec.CreatedAt and returns nil, nil. When a record exists
// already it is returned unchanged and rec is not stored.
func (db *DB) ReserveIdempotency(ctx context.Context, rec *Idempotency) (*Idempotency, error) {
	if rec.Key == "" || len(rec.Key) > 128 {
		return nil, errors.New("reserve idempotency: key must have 1 to 128 characters")
	}

	// A record dropped between the insert and the read is raced for again.
	for range 3 {
		at := stamp()
		n, err := affected(db.exec(ctx, `INSERT INTO idempotency
			(tenant_id, idem_key, request_hash, status, body, created_at)
			VALUES (?, ?, ?, ?, ?, ?)`+db.dialect.ignoreDup("status"),
			rec.TenantID, rec.Key, rec.RequestHash, rec.Status, rec.Body, ms(at)))
		if err != nil {
			return nil, db.wrap("reserve idempotency", err)
		}
		if n == 1 {
			rec.CreatedAt = at
			return nil, nil
		}

		old, err := db.getIdempotency(ctx, rec.TenantID, rec.Key)
		if !errors.Is(err, sql.ErrNoRows) {
			return old, db.wrap("reserve idempotency", err)
		}
	}
	return nil, db.wrap("reserve idempotency", ErrConflict)
}

func (db *DB) getIdempotency(ctx context.Context, tenantID int64, key string) (*Idempotency,
	error) {
	var (
		r  Idempotency
		at int64
	)
	err := db.sql.QueryRowContext(ctx, `SELECT tenant_id, idem_key, request_hash, status,
		body, created_at FROM idempotency WHERE tenant_id = ? AND idem_key = ?`,
		tenantID, key).Scan(&r.TenantID, &r.Key, &r.RequestHash, &r.Status, &r.Body, &at)
	if err != nil {
		return nil, err
	}
	r.CreatedAt = fromMS(at)
	return &r, nil
}

// CompleteIdempotency stores the answer to the request reserved under key,
// so that retries replay it. ErrNotFound when nothing is reserved.
func (db *DB) CompleteIdempotency(ctx context.Context, tenantID int64, key string,
	status int, body []byte) error {
	n, err := affected(db.exec(ctx, `UPDATE idempotency SET status = ?, body = ?
		WHERE tenant_id = ? AND idem_key = ?`, status, body, tenantID, key))
	if err != nil {
		return db.wrap("complete idempotency", err)
	}
	if n == 0 {
		_, err := db.getIdempotency(ctx, tenantID, key)
		return db.wrap("complete idempotency", err)
	}
	return nil
}

// DropIdempotency forgets the request under key (its first attempt failed
// and may be tried again). Dropping nothing is not an error.
func (db *DB) DropIdempotency(ctx context.Context, tenantID int64, key string) error {
	_, err := db.exec(ctx,
		`DELETE FROM idempotency WHERE tenant_id = ? AND idem_key = ?`, tenantID, key)
	return db.wrap("drop idempotency", err)
}

// PurgeIdempotency deletes the records created before before and returns
// how many.
func (db *DB) PurgeIdempotency(ctx context.Context, before time.Time) (int, error) {
	n, err := affected(db.exec(ctx,
		`DELETE FROM idempotency WHERE created_at < ?`, ms(before)))
	if err != nil {
		return 0, db.wrap("purge idempotency", err)
	}
	return int(n), nil
}
