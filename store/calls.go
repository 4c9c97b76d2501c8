package store

import (
	"context"
	"errors"
	"strings"
)

// callFields are the columns of calls in the order scanCall reads.
var callFields = []string{
	"id", "binding_id", "tenant_id", "mode", "x", "extension", "caller_sealed",
	"callee_sealed", "direction", "invite_at", "ring_at", "answer_at", "end_at",
	"duration_s", "bill_sec", "release_side", "release_code", "release_q850",
	"unconnected_reason", "recording", "out_id", "node",
}

var callCols = strings.Join(callFields, ", ")

// InsertCall stores a call record. Its ID must be new (else ErrConflict):
// a record is written once, when the call has ended.
func (db *DB) InsertCall(ctx context.Context, c *CallRecord) error {
	return db.InsertCalls(ctx, []*CallRecord{c})
}

// maxCallBatch bounds one multi-row insert of call records.
const maxCallBatch = 500

// InsertCalls stores several call records in one statement (or a few),
// all or none of each statement's rows.
func (db *DB) InsertCalls(ctx context.Context, cs []*CallRecord) error {
	for len(cs) > 0 {
		n := min(len(cs), maxCallBatch)
		if err := db.insertCalls(ctx, cs[:n]); err != nil {
			return err
		}
		cs = cs[n:]
	}
	return nil
}

func (db *DB) insertCalls(ctx context.Context, cs []*CallRecord) error {
	rows := make([]string, len(cs))
	args := make([]any, 0, len(cs)*len(callFields))
	for i, c := range cs {
		if c.ID == "" || len(c.ID) > 40 || c.InviteAt.IsZero() {
			return errors.New("insert call: need an id of 1 to 40 characters and an invite time")
		}
		rows[i] = "(" + placeholders(len(callFields)) + ")"
		args = append(args, c.ID, c.BindingID, c.TenantID, c.Mode, c.X, c.Extension,
			c.CallerSealed, c.CalleeSealed, c.Direction, ms(c.InviteAt), ms(c.RingAt),
			ms(c.AnswerAt), ms(c.EndAt), c.DurationS, c.BillSec, c.ReleaseSide,
			c.ReleaseCode, c.ReleaseQ850, c.UnconnectedReason, c.Recording, c.OutID, c.Node)
	}

	_, err := db.exec(ctx, `INSERT INTO calls (`+callCols+`) VALUES `+
		strings.Join(rows, ", "), args...)
	return db.wrap("insert call", err)
}

// GetCall returns the call record id, or ErrNotFound.
func (db *DB) GetCall(ctx context.Context, id string) (*CallRecord, error) {
	row := db.sql.QueryRowContext(ctx, `SELECT `+callCols+` FROM calls WHERE id = ?`, id)
	c, err := scanCall(row)
	if err != nil {
		return nil, db.wrap("get call", err)
	}
	return c, nil
}

func scanCall(s scanner) (*CallRecord, error) {
	var (
		c                         CallRecord
		invite, ring, answer, end int64
	)
	err := s.Scan(&c.ID, &c.BindingID, &c.TenantID, &c.Mode, &c.X, &c.Extension,
		&c.CallerSealed, &c.CalleeSealed, &c.Direction, &invite, &ring, &answer, &end,
		&c.DurationS, &c.BillSec, &c.ReleaseSide, &c.ReleaseCode, &c.ReleaseQ850,
		&c.UnconnectedReason, &c.Recording, &c.OutID, &c.Node)
	if err != nil {
		return nil, err
	}
	c.InviteAt, c.RingAt, c.AnswerAt, c.EndAt =
		fromMS(invite), fromMS(ring), fromMS(answer), fromMS(end)
	return &c, nil
}

// ListCalls returns call records matching f by invite time, oldest first,
// at most f.Limit (1000 when unset, 10000 at most). From is inclusive, To
// exclusive.
func (db *DB) ListCalls(ctx context.Context, f CallFilter) ([]CallRecord, error) {
	where := []string{"1 = 1"}
	var args []any
	add := func(cond string, v any) {
		where = append(where, cond)
		args = append(args, v)
	}
	if f.TenantID != 0 {
		add("tenant_id = ?", f.TenantID)
	}
	if f.BindingID != "" {
		add("binding_id = ?", f.BindingID)
	}
	if !f.From.IsZero() {
		add("invite_at >= ?", ms(f.From))
	}
	if !f.To.IsZero() {
		add("invite_at < ?", ms(f.To))
	}
	args = append(args, clampLimit(f.Limit, 1000, 10000))

	rows, err := db.sql.QueryContext(ctx, `SELECT `+callCols+` FROM calls WHERE `+
		strings.Join(where, " AND ")+` ORDER BY invite_at, id LIMIT ?`, args...)
	if err != nil {
		return nil, db.wrap("list calls", err)
	}
	defer rows.Close()

	var out []CallRecord
	for rows.Next() {
		c, err := scanCall(rows)
		if err != nil {
			return nil, db.wrap("list calls", err)
		}
		out = append(out, *c)
	}
	return out, db.wrap("list calls", rows.Err())
}
