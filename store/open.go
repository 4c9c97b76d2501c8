package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"time"

	"github.com/go-sql-driver/mysql"
	_ "modernc.org/sqlite" // registers the "sqlite" driver
)

// DB is the SQL implementation of Store, on SQLite or MySQL/MariaDB. It is
// safe for concurrent use; several DBs (in one process or on several
// nodes) may share one database.
type DB struct {
	sql     *sql.DB
	dialect *dialect
	closed  atomic.Bool
	log     *slog.Logger
}

var _ Store = (*DB)(nil)

// sqliteParams make every connection wait for locks instead of failing
// (busy_timeout), let readers run beside the writer (WAL), enforce foreign
// keys, and begin every transaction with the write lock (BEGIN IMMEDIATE),
// so that a transaction never has to upgrade a read lock and cannot
// deadlock or fail with SQLITE_BUSY halfway.
const sqliteParams = "_busy_timeout=15000&_journal_mode=WAL&_foreign_keys=1&_txlock=immediate"

// Open opens the database named by dsn without touching it: `sqlite:PATH`
// (the parent directory is created) or
// `mysql://user:pass@tcp(host:port)/db?params`. The connection is made
// lazily, so an unreachable server shows up as ErrUnavailable from Ping
// and every other method, not here. Call Migrate before first use.
func Open(ctx context.Context, dsn string) (*DB, error) {
	switch {
	case strings.HasPrefix(dsn, "sqlite:"):
		return openSQLite(ctx, strings.TrimPrefix(dsn, "sqlite:"))
	case strings.HasPrefix(dsn, "mysql://"):
		return openMySQL(strings.TrimPrefix(dsn, "mysql://"))
	default:
		return nil, errors.New("open store: dsn must start with sqlite: or mysql://")
	}
}

func openSQLite(ctx context.Context, path string) (*DB, error) {
	if path == "" || path == ":memory:" || strings.ContainsAny(path, "?#") {
		return nil, errors.New("open store: sqlite dsn needs a file path")
	}

	if err := os.MkdirAll(filepath.Dir(path), 0o750); err != nil {
		return nil, fmt.Errorf("open store: create directory: %w", err)
	}

	pool, err := sql.Open("sqlite", path+"?"+sqliteParams)
	if err != nil {
		return nil, fmt.Errorf("open store: %w", err)
	}

	// One writer at a time holds the file lock anyway; a few connections
	// let reads proceed beside it.
	pool.SetMaxOpenConns(8)
	pool.SetMaxIdleConns(8)
	pool.SetConnMaxIdleTime(5 * time.Minute)

	db := &DB{sql: pool, dialect: sqliteDialect, log: discard}
	if err := db.warmSQLite(ctx); err != nil {
		pool.Close()
		return nil, err
	}
	return db, nil
}

// warmSQLite opens the first connection, which creates the file and
// switches it to WAL before any concurrent use.
func (db *DB) warmSQLite(ctx context.Context) error {
	var mode string
	err := db.sql.QueryRowContext(ctx, "PRAGMA journal_mode").Scan(&mode)
	if err != nil {
		return db.wrap("open store", err)
	}
	if !strings.EqualFold(mode, "wal") {
		return fmt.Errorf("open store: journal mode is %s, want wal", mode)
	}
	return nil
}

func openMySQL(dsn string) (*DB, error) {
	cfg, err := mysqlConfig(dsn)
	if err != nil {
		return nil, err
	}

	conn, err := mysql.NewConnector(cfg)
	if err != nil {
		return nil, fmt.Errorf("open store: %w", err)
	}

	pool := sql.OpenDB(conn)
	pool.SetMaxOpenConns(64)
	pool.SetMaxIdleConns(32)
	pool.SetConnMaxLifetime(30 * time.Minute)
	pool.SetConnMaxIdleTime(5 * time.Minute)
	return &DB{sql: pool, dialect: mysqlDialect, log: discard}, nil
}

// mysqlConfig parses a go-sql-driver DSN (the part after mysql://) and
// sets what the store relies on: placeholders interpolated client side
// (one round trip per statement instead of prepare+execute+close), times
// kept as integers, strict SQL mode, and timeouts so that a dead server is
// reported rather than waited on for ever.
func mysqlConfig(dsn string) (*mysql.Config, error) {
	cfg, err := mysql.ParseDSN(dsn)
	if err != nil {
		// The driver's message may quote the DSN, password included.
		return nil, errors.New("open store: malformed mysql dsn")
	}
	if cfg.DBName == "" {
		return nil, errors.New("open store: mysql dsn names no database")
	}

	cfg.InterpolateParams = true
	cfg.ParseTime = false
	if cfg.Timeout == 0 {
		cfg.Timeout = 5 * time.Second
	}
	if cfg.ReadTimeout == 0 {
		cfg.ReadTimeout = 60 * time.Second
	}
	if cfg.WriteTimeout == 0 {
		cfg.WriteTimeout = 60 * time.Second
	}
	if cfg.Params == nil {
		cfg.Params = map[string]string{}
	}
	if _, ok := cfg.Params["sql_mode"]; !ok {
		cfg.Params["sql_mode"] = "'TRADITIONAL'"
	}
	return cfg, nil
}

// discard is the logger of a DB until SetLogger is called.
var discard = slog.New(slog.DiscardHandler)

// SetLogger sets where the store reports what it did on its own, such as
// the migrations it applied. Call it before sharing db.
func (db *DB) SetLogger(l *slog.Logger) { db.log = l }

// Dialect names the database behind db: "sqlite" or "mysql".
func (db *DB) Dialect() string { return db.dialect.name }

// SQL returns the connection pool, for diagnostics, tools and tests that
// must look under the store. Its errors are not mapped to the store's.
func (db *DB) SQL() *sql.DB { return db.sql }

// Ping checks that the database answers.
func (db *DB) Ping(ctx context.Context) error {
	if err := db.sql.PingContext(ctx); err != nil {
		return db.wrap("ping store", err)
	}
	return nil
}

// Close releases the connection pool. Later calls fail with
// ErrUnavailable.
func (db *DB) Close() error {
	db.closed.Store(true)
	return db.sql.Close()
}
