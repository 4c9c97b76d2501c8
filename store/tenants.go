package store

import (
	"context"
	"errors"
)

const tenantCols = `id, name, grace_seconds, fallback_areas, webhook_url, webhook_secret,
	created_at`

// CreateTenant stores t and sets its ID and CreatedAt. A name already in
// use is ErrConflict.
func (db *DB) CreateTenant(ctx context.Context, t *Tenant) error {
	if t.Name == "" {
		return errors.New("create tenant: empty name")
	}

	at := stamp()
	res, err := db.exec(ctx, `INSERT INTO tenants (name, grace_seconds,
		fallback_areas, webhook_url, webhook_secret, created_at) VALUES (?, ?, ?, ?, ?, ?)`,
		t.Name, t.GraceSeconds, joinList(t.FallbackAreas), t.WebhookURL, t.WebhookSecret,
		ms(at))
	if err != nil {
		return db.wrap("create tenant", err)
	}

	id, err := res.LastInsertId()
	if err != nil {
		return db.wrap("create tenant", err)
	}
	t.ID, t.CreatedAt = id, at
	return nil
}

// GetTenant returns the tenant with id, or ErrNotFound.
func (db *DB) GetTenant(ctx context.Context, id int64) (*Tenant, error) {
	row := db.sql.QueryRowContext(ctx, `SELECT `+tenantCols+` FROM tenants WHERE id = ?`, id)
	t, err := scanTenant(row)
	if err != nil {
		return nil, db.wrap("get tenant", err)
	}
	return t, nil
}

// TenantByName returns the tenant called name, or ErrNotFound.
func (db *DB) TenantByName(ctx context.Context, name string) (*Tenant, error) {
	row := db.sql.QueryRowContext(ctx,
		`SELECT `+tenantCols+` FROM tenants WHERE name = ?`, name)
	t, err := scanTenant(row)
	if err != nil {
		return nil, db.wrap("tenant by name", err)
	}
	return t, nil
}

// ListTenants returns every tenant by ID.
func (db *DB) ListTenants(ctx context.Context) ([]Tenant, error) {
	rows, err := db.sql.QueryContext(ctx, `SELECT `+tenantCols+` FROM tenants ORDER BY id`)
	if err != nil {
		return nil, db.wrap("list tenants", err)
	}
	defer rows.Close()

	var out []Tenant
	for rows.Next() {
		t, err := scanTenant(rows)
		if err != nil {
			return nil, db.wrap("list tenants", err)
		}
		out = append(out, *t)
	}
	return out, db.wrap("list tenants", rows.Err())
}

// scanner is a *sql.Row or *sql.Rows.
type scanner interface {
	Scan(dest ...any) error
}

func scanTenant(s scanner) (*Tenant, error) {
	var (
		t         Tenant
		areas     string
		createdAt int64
	)
	err := s.Scan(&t.ID, &t.Name, &t.GraceSeconds, &areas, &t.WebhookURL, &t.WebhookSecret,
		&createdAt)
	if err != nil {
		return nil, err
	}
	t.FallbackAreas, t.CreatedAt = splitList(areas), fromMS(createdAt)
	return &t, nil
}

// CreateAPIKey stores k (only its hash) and sets its ID and CreatedAt. A
// hash already stored is ErrConflict.
func (db *DB) CreateAPIKey(ctx context.Context, k *APIKey) error {
	if k.Hash == "" {
		return errors.New("create api key: empty hash")
	}

	at := stamp()
	res, err := db.exec(ctx, `INSERT INTO api_keys (tenant_id, name, hash, scopes,
		created_at) VALUES (?, ?, ?, ?, ?)`, k.TenantID, k.Name, k.Hash, joinList(k.Scopes),
		ms(at))
	if err != nil {
		return db.wrap("create api key", err)
	}

	id, err := res.LastInsertId()
	if err != nil {
		return db.wrap("create api key", err)
	}
	k.ID, k.CreatedAt = id, at
	return nil
}

// APIKeyByHash returns the key whose hash is hash, or ErrNotFound.
func (db *DB) APIKeyByHash(ctx context.Context, hash string) (*APIKey, error) {
	var (
		k         APIKey
		scopes    string
		createdAt int64
	)
	err := db.sql.QueryRowContext(ctx, `SELECT id, tenant_id, name, hash, scopes, created_at
		FROM api_keys WHERE hash = ?`, hash).
		Scan(&k.ID, &k.TenantID, &k.Name, &k.Hash, &scopes, &createdAt)
	if err != nil {
		return nil, db.wrap("api key by hash", err)
	}
	k.Scopes, k.CreatedAt = splitList(scopes), fromMS(createdAt)
	return &k, nil
}
