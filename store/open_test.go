package store_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"maskline/store"
	"maskline/store/storetest"
)

func TestOpenRejectsBadDSN(t *testing.T) {
	cases := []struct {
		name, dsn, want string
	}{
		{"no scheme", "broker.db", "must start with"},
		{"postgres", "postgres://u@h/db", "must start with"},
		{"empty sqlite path", "sqlite:", "needs a file path"},
		{"sqlite in memory", "sqlite::memory:", "needs a file path"},
		{"sqlite with params", "sqlite:a.db?mode=ro", "needs a file path"},
		{"mysql without database", "mysql://root@tcp(127.0.0.1:3306)/", "names no database"},
		{"mysql malformed", "mysql://root:secretpw@tcp(127.0.0.1:3306", "malformed"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s, err := store.Open(context.Background(), c.dsn)
			require.Error(t, err)
			require.Nil(t, s)
			require.Contains(t, err.Error(), c.want)
			require.NotContains(t, err.Error(), "secretpw")
		})
	}
}

func TestOpenSQLiteCreatesDirectory(t *testing.T) {
	dir := t.TempDir()
	t.Chdir(dir)

	s, err := store.Open(context.Background(), "sqlite:data/sub/broker.db")
	require.NoError(t, err)
	defer s.Close()

	require.Equal(t, "sqlite", s.Dialect())
	require.NoError(t, s.Migrate(context.Background()))
	_, err = os.Stat(filepath.Join(dir, "data", "sub", "broker.db"))
	require.NoError(t, err)
}

func TestSQLitePragmas(t *testing.T) {
	s := storetest.SQLite(t)
	ctx := context.Background()

	var mode string
	require.NoError(t, s.SQL().QueryRowContext(ctx, "PRAGMA journal_mode").Scan(&mode))
	require.Equal(t, "wal", strings.ToLower(mode))
	require.Equal(t, 1, count(t, s, "PRAGMA foreign_keys"))
	require.GreaterOrEqual(t, count(t, s, "PRAGMA busy_timeout"), 1000)
}

func TestMigrateIsRepeatable(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.DB) {
		ctx := context.Background()
		require.Equal(t, t.Name()[strings.LastIndex(t.Name(), "/")+1:], s.Dialect())

		v, err := s.MigrationVersion(ctx)
		require.NoError(t, err)
		require.Equal(t, int64(2), v, "the newest migration")

		require.NoError(t, s.Migrate(ctx))
		require.NoError(t, storetest.Reopen(t, s).Migrate(ctx))
		require.NoError(t, s.Ping(ctx))
	})
}
