package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
)

const numberCols = `x, area_code, kind, state, monthly_cost, tenant_id, mode, bindings,
	updated_at`

// insertBatch is how many numbers one INSERT statement carries.
const insertBatch = 200

// InsertNumbers adds numbers to the pool, free (serving no mode, holding
// no bindings) and by default available. Numbers already present are left
// as they are and counted in skipped. All or none are written.
func (db *DB) InsertNumbers(ctx context.Context, ns []Number) (inserted, skipped int,
	err error) {
	for i := range ns {
		if err := checkNumber(&ns[i]); err != nil {
			return 0, 0, fmt.Errorf("insert numbers: row %d: %w", i+1, err)
		}
	}

	err = db.inTx(ctx, "insert numbers", func(tx *sql.Tx) error {
		inserted = 0
		for start := 0; start < len(ns); start += insertBatch {
			n, err := db.insertNumberBatch(ctx, tx, ns[start:min(start+insertBatch, len(ns))])
			if err != nil {
				return err
			}
			inserted += n
		}
		return nil
	})
	if err != nil {
		return 0, 0, err
	}
	return inserted, len(ns) - inserted, nil
}

func checkNumber(n *Number) error {
	if n.State == "" {
		n.State = NumberAvailable
	}
	switch {
	case n.X == "" || len(n.X) > 20:
		return errors.New("number must have 1 to 20 characters")
	case n.AreaCode == "" || len(n.AreaCode) > 8:
		return errors.New("area code must have 1 to 8 characters")
	case len(n.Kind) > 16:
		return errors.New("kind too long")
	case !validNumberState(n.State):
		return fmt.Errorf("unknown state %q", n.State)
	}
	return nil
}

func validNumberState(s string) bool {
	return s == NumberAvailable || s == NumberLocked || s == NumberRetired
}

func (db *DB) insertNumberBatch(ctx context.Context, tx *sql.Tx, ns []Number) (int, error) {
	at := ms(stamp())
	rows := make([]string, len(ns))
	args := make([]any, 0, 7*len(ns))
	for i, n := range ns {
		rows[i] = "(?, ?, ?, ?, ?, ?, '', 0, ?)"
		args = append(args, n.X, n.AreaCode, n.Kind, n.State, n.MonthlyCost, n.TenantID, at)
	}

	q := `INSERT INTO numbers (` + numberCols + `) VALUES ` + strings.Join(rows, ", ") +
		db.dialect.ignoreDup("x")
	n, err := affected(tx.ExecContext(ctx, q, args...))
	return int(n), err
}

// GetNumber returns the number x, or ErrNotFound.
func (db *DB) GetNumber(ctx context.Context, x string) (*Number, error) {
	n, err := getNumber(ctx, db.sql, x, "")
	if err != nil {
		return nil, db.wrap("get number", err)
	}
	return n, nil
}

func getNumber(ctx context.Context, q querier, x, lock string) (*Number, error) {
	row := q.QueryRowContext(ctx, `SELECT `+numberCols+` FROM numbers WHERE x = ?`+lock, x)
	return scanNumber(row)
}

func scanNumber(s scanner) (*Number, error) {
	var (
		n         Number
		updatedAt int64
	)
	err := s.Scan(&n.X, &n.AreaCode, &n.Kind, &n.State, &n.MonthlyCost, &n.TenantID, &n.Mode,
		&n.Bindings, &updatedAt)
	if err != nil {
		return nil, err
	}
	n.UpdatedAt = fromMS(updatedAt)
	return &n, nil
}

// ListNumbers returns numbers by X, filtered by f, at most f.Limit (100
// when unset, 1000 at most) after f.After.
func (db *DB) ListNumbers(ctx context.Context, f NumberFilter) ([]Number, error) {
	var (
		where []string
		args  []any
	)
	add := func(cond string, v any) {
		where = append(where, cond)
		args = append(args, v)
	}
	add("x > ?", f.After)
	if f.AreaCode != "" {
		add("area_code = ?", f.AreaCode)
	}
	if f.State != "" {
		add("state = ?", f.State)
	}
	args = append(args, clampLimit(f.Limit, 100, 1000))

	q := `SELECT ` + numberCols + ` FROM numbers WHERE ` + strings.Join(where, " AND ") +
		` ORDER BY x LIMIT ?`
	rows, err := db.sql.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, db.wrap("list numbers", err)
	}
	defer rows.Close()

	var out []Number
	for rows.Next() {
		n, err := scanNumber(rows)
		if err != nil {
			return nil, db.wrap("list numbers", err)
		}
		out = append(out, *n)
	}
	return out, db.wrap("list numbers", rows.Err())
}

// clampLimit returns limit, or def when it is not positive, at most most.
func clampLimit(limit, def, most int) int {
	if limit <= 0 {
		return def
	}
	return min(limit, most)
}

// SetNumberState moves x between available and locked, or retires it.
// Retiring a number that still holds bindings (live or cooling down) is
// ErrConflict, and a retired number stays retired. Setting the state it
// already has changes nothing.
func (db *DB) SetNumberState(ctx context.Context, x, state string) (*Number, error) {
	if !validNumberState(state) {
		return nil, fmt.Errorf("set number state: unknown state %q", state)
	}

	var out *Number
	err := db.inTx(ctx, "set number state", func(tx *sql.Tx) error {
		n, err := getNumber(ctx, tx, x, db.dialect.forUpdate)
		if err != nil {
			return err
		}
		if n.State == state {
			out = n
			return nil
		}
		if n.State == NumberRetired || (state == NumberRetired && n.Bindings > 0) {
			return ErrConflict
		}

		_, err = tx.ExecContext(ctx, `UPDATE numbers SET state = ?, updated_at = ?
			WHERE x = ?`, state, ms(stamp()), x)
		if err != nil {
			return err
		}
		out, err = getNumber(ctx, tx, x, "")
		return err
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// HasDedicated reports whether the tenant owns any available number.
func (db *DB) HasDedicated(ctx context.Context, tenantID int64) (bool, error) {
	if tenantID == 0 {
		return false, nil
	}

	var one int
	err := db.sql.QueryRowContext(ctx, `SELECT 1 FROM numbers
		WHERE tenant_id = ? AND state = ? LIMIT 1`, tenantID, NumberAvailable).Scan(&one)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	if err != nil {
		return false, db.wrap("has dedicated", err)
	}
	return true, nil
}
