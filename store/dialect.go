package store

import (
	"errors"
	"strings"

	"github.com/go-sql-driver/mysql"
	"github.com/pressly/goose/v3"
	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"
)

// dialect gathers every difference between SQLite and MySQL that the
// queries meet; everything else is written once in portable SQL.
type dialect struct {
	name  string
	goose goose.Dialect

	// forUpdate ends a SELECT that must lock the rows it reads. SQLite
	// needs none: its transactions begin holding the write lock.
	forUpdate string

	// ignoreDup ends an INSERT so that a row whose key exists is skipped
	// (0 rows affected) instead of failing; col is any column of the row.
	// Unlike INSERT IGNORE, it lets every other error through.
	ignoreDup func(col string) string

	// upsertNote ends the blacklist INSERT so that an existing row takes
	// the new note.
	upsertNote string

	// allocIndex follows "FROM numbers n" in the candidate search. MySQL,
	// asked for ORDER BY x LIMIT n, may walk the primary key and filter
	// every row of the pool; the allocation index answers from the few rows
	// of the area and mode.
	allocIndex string

	// skipLocked: the dialect can lock the first of several rows that no
	// other transaction holds (SELECT … FOR UPDATE SKIP LOCKED).
	skipLocked bool

	duplicate   func(error) bool // a unique key is taken
	retryable   func(error) bool // the transaction was rolled back; run it again
	unreachable func(error) bool // the database failed or cannot be reached
}

var sqliteDialect = &dialect{
	name:        "sqlite",
	goose:       goose.DialectSQLite3,
	forUpdate:   "",
	ignoreDup:   func(string) string { return " ON CONFLICT DO NOTHING" },
	upsertNote:  " ON CONFLICT (idx) DO UPDATE SET note = excluded.note",
	duplicate:   sqliteDuplicate,
	retryable:   func(error) bool { return false },
	unreachable: sqliteUnreachable,
}

var mysqlDialect = &dialect{
	name:      "mysql",
	goose:     goose.DialectMySQL,
	forUpdate: " FOR UPDATE",
	ignoreDup: func(col string) string {
		return " ON DUPLICATE KEY UPDATE " + col + " = " + col
	},
	upsertNote:  " ON DUPLICATE KEY UPDATE note = VALUES(note)",
	allocIndex:  " FORCE INDEX (numbers_alloc)",
	skipLocked:  true, // MariaDB 10.6 and MySQL 8
	duplicate:   func(err error) bool { return mysqlCode(err) == 1062 },
	retryable:   func(err error) bool { return mysqlCode(err) == 1213 },
	unreachable: mysqlUnreachable,
}

func sqliteCode(err error) int {
	var e *sqlite.Error
	if errors.As(err, &e) {
		return e.Code()
	}
	return 0
}

func sqliteDuplicate(err error) bool {
	switch code := sqliteCode(err); code {
	case sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY, sqlite3.SQLITE_CONSTRAINT_UNIQUE:
		return true
	case sqlite3.SQLITE_CONSTRAINT:
		return strings.Contains(err.Error(), "UNIQUE constraint failed")
	default:
		return false
	}
}

// sqliteUnreachable: the file cannot be opened, read or written, or the
// lock could not be had within the busy timeout.
func sqliteUnreachable(err error) bool {
	switch sqliteCode(err) & 0xff {
	case sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED, sqlite3.SQLITE_NOMEM,
		sqlite3.SQLITE_READONLY, sqlite3.SQLITE_IOERR, sqlite3.SQLITE_CORRUPT,
		sqlite3.SQLITE_FULL, sqlite3.SQLITE_CANTOPEN, sqlite3.SQLITE_PROTOCOL,
		sqlite3.SQLITE_NOTADB:
		return true
	default:
		return false
	}
}

func mysqlCode(err error) uint16 {
	var e *mysql.MySQLError
	if errors.As(err, &e) {
		return e.Number
	}
	return 0
}

// mysqlUnreachable: server errors that say the server cannot serve us now
// (refused login, too many connections, shutting down, read-only after a
// fail-over, lock wait timeout), or the driver's broken connection.
func mysqlUnreachable(err error) bool {
	if errors.Is(err, mysql.ErrInvalidConn) {
		return true
	}
	switch mysqlCode(err) {
	case 1040, 1044, 1045, 1049, 1053, 1205, 1290, 1792, 1836, 1927:
		return true
	default:
		return false
	}
}
