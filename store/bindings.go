package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"
)

// bindingFields are the columns of bindings in the order scanBinding reads.
var bindingFields = []string{
	"id", "tenant_id", "mode", "x", "extension", "a_sealed", "a_index", "b_sealed",
	"b_index", "n_sealed", "n_index", "out_id", "record", "call_restrict", "state",
	"expires_at", "ended_at", "cooldown_until", "released", "last_caller",
	"last_caller_at", "created_at", "updated_at",
}

// bindingCols lists the binding columns, each behind prefix ("b." in a
// join).
func bindingCols(prefix string) string {
	return prefix + strings.Join(bindingFields, ", "+prefix)
}

func scanBinding(s scanner) (*Binding, error) {
	var (
		b                                      Binding
		expires, ended, cooldown, lastAt, c, u int64
	)
	err := s.Scan(&b.ID, &b.TenantID, &b.Mode, &b.X, &b.Extension, &b.ASealed, &b.AIndex,
		&b.BSealed, &b.BIndex, &b.NSealed, &b.NIndex, &b.OutID, &b.Record, &b.CallRestrict,
		&b.State, &expires, &ended, &cooldown, &b.Released, &b.LastCaller, &lastAt, &c, &u)
	if err != nil {
		return nil, err
	}
	b.ExpiresAt, b.EndedAt, b.CooldownUntil = fromMS(expires), fromMS(ended), fromMS(cooldown)
	b.LastCallerAt, b.CreatedAt, b.UpdatedAt = fromMS(lastAt), fromMS(c), fromMS(u)
	return &b, nil
}

func live(state string) bool { return state == BindingActive || state == BindingDelivered }

// InsertBinding stores b on number b.X with its routing keys in one
// transaction: it takes a place on the number (ErrNotFound when there is
// no such number, ErrNumberBusy when it is not available, serves another
// mode or already holds cap bindings), then claims every key (ErrConflict
// when one is held on b.X already), then writes b. State defaults to
// active; CreatedAt and UpdatedAt are set.
func (db *DB) InsertBinding(ctx context.Context, b *Binding, keys []string, cap int) error {
	return db.insertBinding(ctx, b, nil, keys, cap)
}

// TryInsertBinding implements Store.TryInsertBinding.
func (db *DB) TryInsertBinding(ctx context.Context, b *Binding, cands, keys []string,
	cap int) error {
	if len(cands) == 0 || len(cands) > 1000 {
		return fmt.Errorf("insert binding: want 1 to 1000 candidates, have %d", len(cands))
	}
	b.X = cands[0]
	return db.insertBinding(ctx, b, cands, keys, cap)
}

// insertBinding stores b with its keys; with cands it first locks the
// first candidate no other transaction holds and puts b there.
func (db *DB) insertBinding(ctx context.Context, b *Binding, cands, keys []string,
	cap int) error {
	if err := checkNewBinding(b, keys, cap); err != nil {
		return fmt.Errorf("insert binding: %w", err)
	}
	if b.State == "" {
		b.State = BindingActive
	}

	at := stamp()
	err := db.inTx(ctx, "insert binding", func(tx *sql.Tx) error {
		if cands != nil {
			x, err := db.lockFirstFree(ctx, tx, cands)
			if err != nil {
				return err
			}
			b.X = x
		}
		if err := takePlace(ctx, tx, b.X, b.Mode, cap, at); err != nil {
			return err
		}
		if err := insertKeys(ctx, tx, b.X, b.ID, keys); err != nil {
			return err
		}
		return insertBindingRow(ctx, tx, b, at)
	})
	if err != nil {
		return err
	}

	b.CreatedAt, b.UpdatedAt = at, at
	b.EndedAt, b.CooldownUntil, b.Released = time.Time{}, time.Time{}, false
	return nil
}

func checkNewBinding(b *Binding, keys []string, cap int) error {
	switch {
	case b.ID == "" || len(b.ID) > 40:
		return errors.New("id must have 1 to 40 characters")
	case b.X == "" || b.Mode == "":
		return errors.New("number and mode are required")
	case len(keys) == 0:
		return errors.New("no routing key")
	case cap <= 0:
		return errors.New("cap must be positive")
	case b.State != "" && !live(b.State):
		return fmt.Errorf("cannot insert a binding in state %q", b.State)
	case b.ExpiresAt.IsZero():
		return errors.New("no expiry")
	}
	return nil
}

// lockFirstFree locks the first of cands whose row no other transaction
// holds, skipping held ones, and returns it; ErrNumberLocked when all are
// held. Without SKIP LOCKED in the dialect it returns the first candidate
// unlocked; takePlace then locks it, waiting if need be.
func (db *DB) lockFirstFree(ctx context.Context, tx *sql.Tx, cands []string) (string, error) {
	if !db.dialect.skipLocked {
		return cands[0], nil
	}
	args := strArgs(cands)
	q := `SELECT x FROM numbers WHERE x IN (` + placeholders(len(cands)) + `)
		ORDER BY FIELD(x, ` + placeholders(len(cands)) + `) LIMIT 1 FOR UPDATE SKIP LOCKED`

	var x string
	err := tx.QueryRowContext(ctx, q, append(args, args...)...).Scan(&x)
	if !errors.Is(err, sql.ErrNoRows) {
		return x, err
	}

	// Nothing lockable: held by others, or no such numbers at all.
	var n int
	err = tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM numbers WHERE x IN (`+
		placeholders(len(cands))+`)`, args...).Scan(&n)
	switch {
	case err != nil:
		return "", err
	case n == 0:
		return "", sql.ErrNoRows // mapped to ErrNotFound
	default:
		return "", ErrNumberLocked
	}
}

// takePlace counts one more binding on x and marks x as serving mode, if
// x is available, free or serving mode already, and under cap.
func takePlace(ctx context.Context, tx *sql.Tx, x, mode string, cap int, at time.Time) error {
	n, err := affected(tx.ExecContext(ctx, `UPDATE numbers
		SET mode = ?, bindings = bindings + 1, updated_at = ?
		WHERE x = ? AND state = ? AND (mode IS NULL OR mode = '' OR mode = ?)
		AND bindings < ?`, mode, ms(at), x, NumberAvailable, mode, cap))
	if err != nil || n == 1 {
		return err
	}

	var one int
	err = tx.QueryRowContext(ctx, `SELECT 1 FROM numbers WHERE x = ?`, x).Scan(&one)
	if err != nil {
		return err // sql.ErrNoRows: no such number
	}
	return ErrNumberBusy
}

// insertKeys claims keys on x for the binding id in one statement. The
// primary key (x, k) refuses a key held already, by any node.
func insertKeys(ctx context.Context, tx *sql.Tx, x, id string, keys []string) error {
	rows := make([]string, len(keys))
	args := make([]any, 0, 3*len(keys))
	for i, k := range keys {
		rows[i] = "(?, ?, ?)"
		args = append(args, x, k, id)
	}
	_, err := tx.ExecContext(ctx, `INSERT INTO binding_keys (x, k, binding_id) VALUES `+
		strings.Join(rows, ", "), args...)
	return err
}

func insertBindingRow(ctx context.Context, tx *sql.Tx, b *Binding, at time.Time) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO bindings (`+bindingCols("")+`)
		VALUES (`+placeholders(len(bindingFields))+`)`,
		b.ID, b.TenantID, b.Mode, b.X, b.Extension, b.ASealed, b.AIndex, b.BSealed,
		b.BIndex, b.NSealed, b.NIndex, b.OutID, b.Record, b.CallRestrict, b.State,
		ms(b.ExpiresAt), 0, 0, false, b.LastCaller, ms(b.LastCallerAt), ms(at), ms(at))
	return err
}

// GetBinding returns the binding id, or ErrNotFound.
func (db *DB) GetBinding(ctx context.Context, id string) (*Binding, error) {
	b, err := getBinding(ctx, db.sql, id, "")
	if err != nil {
		return nil, db.wrap("get binding", err)
	}
	return b, nil
}

func getBinding(ctx context.Context, q querier, id, lock string) (*Binding, error) {
	row := q.QueryRowContext(ctx,
		`SELECT `+bindingCols("")+` FROM bindings WHERE id = ?`+lock, id)
	return scanBinding(row)
}

// BindingsByOutID returns the tenant's bindings for a waybill, oldest
// first, whatever their state.
func (db *DB) BindingsByOutID(ctx context.Context, tenantID int64, outID string) ([]Binding,
	error) {
	rows, err := db.sql.QueryContext(ctx, `SELECT `+bindingCols("")+` FROM bindings
		WHERE tenant_id = ? AND out_id = ? ORDER BY created_at, id`, tenantID, outID)
	if err != nil {
		return nil, db.wrap("bindings by out id", err)
	}
	defer rows.Close()

	var out []Binding
	for rows.Next() {
		b, err := scanBinding(rows)
		if err != nil {
			return nil, db.wrap("bindings by out id", err)
		}
		out = append(out, *b)
	}
	return out, db.wrap("bindings by out id", rows.Err())
}

// keyQuery reads the owner of a key through the primary keys of
// binding_keys and bindings.
var keyQuery = `SELECT ` + bindingCols("b.") + `
	FROM binding_keys k JOIN bindings b ON b.id = k.binding_id
	WHERE k.x = ? AND k.k = ?`

// keysQuery reads the owners of several keys on one number.
func keysQuery(n int) string {
	return `SELECT k.k, ` + bindingCols("b.") + `
	FROM binding_keys k JOIN bindings b ON b.id = k.binding_id
	WHERE k.x = ? AND k.k IN (` + placeholders(n) + `)`
}

// KeyBindings returns the owners of those of keys that are held on number
// x, by key, in one query: the routing decision of a call asks for every
// key the call could match at once.
func (db *DB) KeyBindings(ctx context.Context, x string, keys []string) (
	map[string]*Binding, error) {
	if len(keys) == 0 || len(keys) > 16 {
		return nil, errors.New("key bindings: want 1 to 16 keys")
	}
	rows, err := db.sql.QueryContext(ctx, keysQuery(len(keys)),
		append([]any{x}, strArgs(keys)...)...)
	if err != nil {
		return nil, db.wrap("key bindings", err)
	}
	defer rows.Close()

	out := make(map[string]*Binding, len(keys))
	for rows.Next() {
		var k string
		b, err := scanBinding(prefixScanner{rows, &k})
		if err != nil {
			return nil, db.wrap("key bindings", err)
		}
		out[k] = b
	}
	return out, db.wrap("key bindings", rows.Err())
}

// prefixScanner scans one leading column into first, then the rest.
type prefixScanner struct {
	s     scanner
	first *string
}

func (p prefixScanner) Scan(dest ...any) error {
	return p.s.Scan(append([]any{p.first}, dest...)...)
}

// KeyBinding returns the binding that owns key k on number x, whatever
// its state, until ReleaseCooled deletes its keys; then ErrNotFound.
func (db *DB) KeyBinding(ctx context.Context, x, k string) (*Binding, error) {
	row := db.sql.QueryRowContext(ctx, keyQuery, x, k)
	b, err := scanBinding(row)
	if err != nil {
		return nil, db.wrap("key binding", err)
	}
	return b, nil
}
