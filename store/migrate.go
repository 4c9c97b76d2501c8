package store

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"time"

	"github.com/pressly/goose/v3"
	"github.com/pressly/goose/v3/lock"
)

// migrations holds one directory of numbered SQL files per dialect.
//
//go:embed migrations/sqlite/*.sql migrations/mysql/*.sql
var migrations embed.FS

// Migrate brings the schema up to the newest version. It is safe to run
// on every start and from several nodes at once: on MySQL the nodes take
// turns through a lock row, on SQLite the file lock serialises them.
func (db *DB) Migrate(ctx context.Context) error {
	p, err := db.migrator()
	if err != nil {
		return fmt.Errorf("migrate store: %w", err)
	}

	results, err := p.Up(ctx)
	if err != nil {
		return db.wrap("migrate store", err)
	}
	for _, r := range results {
		db.log.InfoContext(ctx, "store migrated", "dialect", db.dialect.name,
			"version", r.Source.Version, "took", r.Duration.Round(time.Millisecond))
	}
	return nil
}

// MigrationVersion returns the schema version the database is at.
func (db *DB) MigrationVersion(ctx context.Context) (int64, error) {
	p, err := db.migrator()
	if err != nil {
		return 0, fmt.Errorf("migration version: %w", err)
	}

	v, err := p.GetDBVersion(ctx)
	if err != nil {
		return 0, db.wrap("migration version", err)
	}
	return v, nil
}

func (db *DB) migrator() (*goose.Provider, error) {
	dir, err := fs.Sub(migrations, "migrations/"+db.dialect.name)
	if err != nil {
		return nil, err
	}

	opts := []goose.ProviderOption{goose.WithDisableGlobalRegistry(true)}
	if db.dialect == mysqlDialect {
		opts = append(opts, goose.WithSessionLocker(namedLock{}))
	}
	return goose.NewProvider(db.dialect.goose, db.sql, dir, opts...)
}

// namedLock serialises migrations of one MySQL database with a named lock
// (GET_LOCK), held by the migrating connection: the server frees it if
// that node dies, so a crash never leaves the schema locked.
type namedLock struct{}

var _ lock.SessionLocker = namedLock{}

// migrateLockWait is how long a node waits for another's migration.
const migrateLockWait = 5 * time.Minute

// SessionLock takes the lock on conn, waiting for another node's migration.
func (namedLock) SessionLock(ctx context.Context, conn *sql.Conn) error {
	var got sql.NullInt64
	err := conn.QueryRowContext(ctx,
		`SELECT GET_LOCK(CONCAT('maskline_migrate.', DATABASE()), ?)`,
		int(migrateLockWait.Seconds())).Scan(&got)
	if err != nil {
		return fmt.Errorf("take migration lock: %w", err)
	}
	if !got.Valid || got.Int64 != 1 {
		return errors.New("take migration lock: another node holds it")
	}
	return nil
}

// SessionUnlock releases the lock taken on conn.
func (namedLock) SessionUnlock(ctx context.Context, conn *sql.Conn) error {
	_, err := conn.ExecContext(ctx,
		`DO RELEASE_LOCK(CONCAT('maskline_migrate.', DATABASE()))`)
	if err != nil {
		return fmt.Errorf("release migration lock: %w", err)
	}
	return nil
}
