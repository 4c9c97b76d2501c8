package storetest

import (
	"context"
	"database/sql"
	"errors"
	"os"
	"strings"
	"testing"

	"maskline/store"
)

// Dump returns every byte the database behind s holds: for SQLite the
// database file after a WAL checkpoint plus what is left in the WAL, for
// MySQL every column of every row of every table. Privacy tests search it
// for numbers that must never be stored in clear.
func Dump(tb testing.TB, s *store.DB) []byte {
	tb.Helper()
	var (
		raw []byte
		err error
	)
	if s.Dialect() == "sqlite" {
		raw, err = sqliteBytes(s, strings.TrimPrefix(DSN(tb, s), "sqlite:"))
	} else {
		raw, err = mysqlBytes(s)
	}
	if err != nil {
		tb.Fatalf("storetest: dump: %v", err)
	}
	return raw
}

func sqliteBytes(s *store.DB, path string) ([]byte, error) {
	ctx := context.Background()
	if _, err := s.SQL().ExecContext(ctx, "PRAGMA wal_checkpoint(FULL)"); err != nil {
		return nil, err
	}
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	wal, err := os.ReadFile(path + "-wal")
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		return nil, err
	}
	return append(raw, wal...), nil
}

func mysqlBytes(s *store.DB) ([]byte, error) {
	ctx := context.Background()
	tables, err := column(ctx, s.SQL(), `SELECT table_name FROM information_schema.tables
		WHERE table_schema = DATABASE()`)
	if err != nil {
		return nil, err
	}
	if len(tables) == 0 {
		return nil, errors.New("no tables")
	}

	var all []byte
	for _, table := range tables {
		rows, err := s.SQL().QueryContext(ctx, "SELECT * FROM "+table)
		if err != nil {
			return nil, err
		}
		cols, err := rows.Columns()
		if err != nil {
			rows.Close()
			return nil, err
		}
		vals := make([]sql.RawBytes, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		for rows.Next() {
			if err := rows.Scan(ptrs...); err != nil {
				rows.Close()
				return nil, err
			}
			for _, v := range vals {
				all = append(append(all, v...), '|')
			}
		}
		err = rows.Err()
		rows.Close()
		if err != nil {
			return nil, err
		}
	}
	return all, nil
}

// column runs q and returns its one column.
func column(ctx context.Context, db *sql.DB, q string) ([]string, error) {
	rows, err := db.QueryContext(ctx, q)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var v string
		if err := rows.Scan(&v); err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, rows.Err()
}
