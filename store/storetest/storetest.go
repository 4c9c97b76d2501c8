// Package storetest gives other packages' tests a real, migrated, empty
// store: SQLite in a temporary directory, and MySQL/MariaDB in a fresh
// database dropped when the test ends. Tests run against both with Each.
//
// The MySQL server comes from the environment variable MASKLINE_TEST_MYSQL
// (a store DSN, default mysql://root@tcp(127.0.0.1:3306)/test). A test that
// needs it fails when the server is down, so that a missing database is
// never mistaken for a pass; MASKLINE_TEST_MYSQL=off skips those tests.
package storetest

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"maskline/secret"
	"maskline/store"
)

// EnvMySQL names the variable holding the MySQL server for tests.
const EnvMySQL = "MASKLINE_TEST_MYSQL"

// DefaultMySQL is the server used when EnvMySQL is unset.
const DefaultMySQL = "mysql://root@tcp(127.0.0.1:3306)/test"

// dsns remembers the DSN of every store made here, for Reopen and DSN.
var dsns sync.Map // *store.DB → string

// SQLite returns a migrated store in a new file under tb.TempDir(),
// closed when the test ends.
func SQLite(tb testing.TB) *store.DB {
	tb.Helper()
	dsn := "sqlite:" + filepath.Join(tb.TempDir(), "store.db")
	return open(tb, dsn, true)
}

// MySQL returns a migrated store in a new database on the test server,
// dropped when the test ends.
func MySQL(tb testing.TB) *store.DB {
	tb.Helper()
	return open(tb, FreshMySQL(tb), true)
}

// Each runs fn as the subtests "sqlite" and "mysql", each on a new store.
func Each(t *testing.T, fn func(t *testing.T, s *store.DB)) {
	t.Helper()
	t.Run("sqlite", func(t *testing.T) { fn(t, SQLite(t)) })
	t.Run("mysql", func(t *testing.T) { fn(t, MySQL(t)) })
}

// Reopen opens a second, independent handle on the database behind s (as
// another node would), closed when the test ends.
func Reopen(tb testing.TB, s *store.DB) *store.DB {
	tb.Helper()
	return open(tb, DSN(tb, s), false)
}

// DSN returns the DSN s was opened with.
func DSN(tb testing.TB, s *store.DB) string {
	tb.Helper()
	dsn, ok := dsns.Load(s)
	if !ok {
		tb.Fatal("storetest: store was not made by storetest")
	}
	return dsn.(string)
}

func open(tb testing.TB, dsn string, migrate bool) *store.DB {
	tb.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()

	s, err := store.Open(ctx, dsn)
	if err != nil {
		tb.Fatalf("storetest: open store: %v", err)
	}
	tb.Cleanup(func() {
		dsns.Delete(s)
		s.Close()
	})

	if migrate {
		if err := s.Migrate(ctx); err != nil {
			tb.Fatalf("storetest: migrate %s store: %v", s.Dialect(), err)
		}
	}
	dsns.Store(s, dsn)
	return s
}

// randomName returns a database name unlikely to clash: mlt_ and 12 hex
// digits.
func randomName() string {
	b := make([]byte, 6)
	if _, err := rand.Read(b); err != nil {
		panic(err)
	}
	return "mlt_" + hex.EncodeToString(b)
}

// Keyring returns a keyring with fixed test keys: values sealed by one
// test can be opened by another, and indexes are stable across runs.
func Keyring(tb testing.TB) *secret.Keyring {
	tb.Helper()
	k, err := secret.New(secret.File{
		Current: "t1",
		Keys:    map[string]string{"t1": testKey(1), "t0": testKey(2)},
		Index:   testKey(3),
	})
	if err != nil {
		tb.Fatalf("storetest: keyring: %v", err)
	}
	return k
}

// testKey is 32 bytes of b, base64 encoded.
func testKey(b byte) string {
	raw := make([]byte, 32)
	for i := range raw {
		raw[i] = b
	}
	return base64.StdEncoding.EncodeToString(raw)
}
