package storetest

import (
	"context"
	"database/sql"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/go-sql-driver/mysql"
)

// howToStart is printed when the test server cannot be reached.
const howToStart = `start MariaDB or MySQL on that address (for example
"systemctl start mariadb", or "mariadbd --user=mysql &"), point ` + EnvMySQL + ` at
a reachable server (mysql://user:pass@tcp(host:port)/db), or set
` + EnvMySQL + `=off to skip the MySQL half of the tests`

// FreshMySQL creates an empty database on the test server and returns its
// store DSN; the database is dropped when the test ends. It is not
// migrated. The test fails when the server cannot be reached, and is
// skipped when EnvMySQL is "off".
func FreshMySQL(tb testing.TB) string {
	tb.Helper()
	server := os.Getenv(EnvMySQL)
	if strings.EqualFold(server, "off") {
		tb.Skipf("storetest: %s=off: MySQL tests skipped", EnvMySQL)
	}
	if server == "" {
		server = DefaultMySQL
	}

	cfg, err := mysql.ParseDSN(strings.TrimPrefix(server, "mysql://"))
	if err != nil || !strings.HasPrefix(server, "mysql://") {
		tb.Fatalf("storetest: %s is not a mysql:// DSN", EnvMySQL)
	}
	admin := adminPool(tb, cfg)

	name := randomName()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	_, err = admin.ExecContext(ctx, "CREATE DATABASE "+name+
		" CHARACTER SET utf8mb4 COLLATE utf8mb4_bin")
	if err != nil {
		tb.Fatalf("storetest: create database %s on %s: %v", name, cfg.Addr, err)
	}
	tb.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if _, err := admin.ExecContext(ctx, "DROP DATABASE IF EXISTS "+name); err != nil {
			tb.Errorf("storetest: drop database %s: %v", name, err)
		}
	})

	cfg.DBName = name
	return "mysql://" + cfg.FormatDSN()
}

// adminPool connects to the server of cfg and fails the test, saying how
// to start one, when nothing answers there.
func adminPool(tb testing.TB, cfg *mysql.Config) *sql.DB {
	tb.Helper()
	c := cfg.Clone()
	c.Timeout = 5 * time.Second
	conn, err := mysql.NewConnector(c)
	if err != nil {
		tb.Fatalf("storetest: %s: %v", EnvMySQL, err)
	}

	admin := sql.OpenDB(conn)
	admin.SetMaxOpenConns(1)
	tb.Cleanup(func() { admin.Close() })

	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := admin.PingContext(ctx); err != nil {
		tb.Fatalf("storetest: MySQL test server %s (user %q) unreachable: %v\n%s",
			cfg.Addr, cfg.User, err, howToStart)
	}
	return admin
}
