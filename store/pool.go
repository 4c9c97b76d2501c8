package store

import (
	"context"
	"errors"
	"sort"
	"strings"
)

// FindCandidates lists numbers that could take a binding of c.Mode:
// available, in the tenant's dedicated pool or the common one, serving no
// mode or c.Mode, under c.Cap, in c.Areas, with none of c.Exclude held on
// them. Numbers already serving c.Mode come first so that bindings pack
// onto few numbers, then free ones; each group is ordered by X. Limit
// defaults to 16 (at most 1000).
//
// Each group is read with its own ordered, limited scan of the allocation
// index, so the cost follows Limit rather than the size of the pool; the
// key test is a lookup by the primary key of binding_keys.
func (db *DB) FindCandidates(ctx context.Context, c Candidates) ([]string, error) {
	if c.Mode == "" || c.Cap <= 0 {
		return nil, errors.New("find candidates: need a mode and a positive cap")
	}
	limit := clampLimit(c.Limit, 16, 1000)

	serving, args1 := db.candidateQuery(c, c.Mode, limit)
	free, args2 := db.candidateQuery(c, "", limit)
	q := `SELECT x FROM (
		SELECT * FROM (` + serving + `) s1
		UNION ALL
		SELECT * FROM (` + free + `) s2
	) u ORDER BY pri, x LIMIT ?`
	args := append(append(args1, args2...), limit)
	switch {
	case c.ServingOnly && c.FreeOnly:
		return nil, errors.New("find candidates: serving only and free only exclude each other")
	case c.ServingOnly:
		q, args = `SELECT x FROM (`+serving+`) s1`, args1
	case c.FreeOnly:
		q, args = `SELECT x FROM (`+free+`) s2`, args2
	}

	rows, err := db.sql.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, db.wrap("find candidates", err)
	}
	defer rows.Close()

	var out []string
	for rows.Next() {
		var x string
		if err := rows.Scan(&x); err != nil {
			return nil, db.wrap("find candidates", err)
		}
		out = append(out, x)
	}
	return out, db.wrap("find candidates", rows.Err())
}

// candidateQuery selects up to limit numbers that serve mode ("" for free
// numbers) and satisfy c.
func (db *DB) candidateQuery(c Candidates, mode string, limit int) (string, []any) {
	pri := "1"
	if mode != "" {
		pri = "0"
	}
	owner := int64(0)
	if c.Dedicated {
		owner = c.TenantID
	}

	var b strings.Builder
	b.WriteString(`SELECT n.x, ` + pri + ` AS pri FROM numbers n` + db.dialect.allocIndex + `
		WHERE n.tenant_id = ? AND n.state = ? AND n.mode = ? AND n.bindings < ?`)
	args := []any{owner, NumberAvailable, mode, c.Cap}

	if len(c.Areas) > 0 {
		b.WriteString(` AND n.area_code IN (` + placeholders(len(c.Areas)) + `)`)
		args = append(args, strArgs(c.Areas)...)
	}
	if len(c.Exclude) > 0 {
		b.WriteString(` AND NOT EXISTS (SELECT 1 FROM binding_keys k
			WHERE k.x = n.x AND k.k IN (` + placeholders(len(c.Exclude)) + `))`)
		args = append(args, strArgs(c.Exclude)...)
	}

	b.WriteString(` ORDER BY n.x LIMIT ?`)
	return b.String(), append(args, limit)
}

// PoolStats returns the counts of every area that has numbers, by area
// code. ModeBindings sums the bindings holding keys on numbers of any
// state; LiveBindings counts active and delivered bindings.
func (db *DB) PoolStats(ctx context.Context) ([]AreaStats, error) {
	areas := map[string]*AreaStats{}
	get := func(code string) *AreaStats {
		if a, ok := areas[code]; ok {
			return a
		}
		a := &AreaStats{AreaCode: code, ModeNumbers: map[string]int{},
			ModeBindings: map[string]int{}}
		areas[code] = a
		return a
	}

	steps := []func(context.Context, func(string) *AreaStats) error{
		db.statsStates, db.statsModes, db.statsLive,
	}
	for _, step := range steps {
		if err := step(ctx, get); err != nil {
			return nil, db.wrap("pool stats", err)
		}
	}

	out := make([]AreaStats, 0, len(areas))
	for _, a := range areas {
		out = append(out, *a)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].AreaCode < out[j].AreaCode })
	return out, nil
}

func (db *DB) statsStates(ctx context.Context, get func(string) *AreaStats) error {
	rows, err := db.sql.QueryContext(ctx, `SELECT area_code, COUNT(*),
		SUM(CASE WHEN state = ? THEN 1 ELSE 0 END),
		SUM(CASE WHEN state = ? THEN 1 ELSE 0 END),
		SUM(CASE WHEN state = ? THEN 1 ELSE 0 END),
		SUM(CASE WHEN state = ? AND mode = '' THEN 1 ELSE 0 END)
		FROM numbers GROUP BY area_code`,
		NumberAvailable, NumberLocked, NumberRetired, NumberAvailable)
	if err != nil {
		return err
	}
	defer rows.Close()

	for rows.Next() {
		var code string
		var n, avail, locked, retired, free int
		if err := rows.Scan(&code, &n, &avail, &locked, &retired, &free); err != nil {
			return err
		}
		a := get(code)
		a.Numbers, a.Available, a.Locked, a.Retired, a.Free = n, avail, locked, retired, free
	}
	return rows.Err()
}

func (db *DB) statsModes(ctx context.Context, get func(string) *AreaStats) error {
	rows, err := db.sql.QueryContext(ctx, `SELECT area_code, mode,
		SUM(CASE WHEN state = ? THEN 1 ELSE 0 END), SUM(bindings)
		FROM numbers WHERE mode <> '' GROUP BY area_code, mode`, NumberAvailable)
	if err != nil {
		return err
	}
	defer rows.Close()

	for rows.Next() {
		var code, mode string
		var numbers, bindings int
		if err := rows.Scan(&code, &mode, &numbers, &bindings); err != nil {
			return err
		}
		a := get(code)
		if numbers > 0 {
			a.ModeNumbers[mode] = numbers
		}
		a.ModeBindings[mode] = bindings
	}
	return rows.Err()
}

func (db *DB) statsLive(ctx context.Context, get func(string) *AreaStats) error {
	rows, err := db.sql.QueryContext(ctx, `SELECT n.area_code, COUNT(*)
		FROM bindings b JOIN numbers n ON n.x = b.x
		WHERE b.state IN (?, ?) GROUP BY n.area_code`, BindingActive, BindingDelivered)
	if err != nil {
		return err
	}
	defer rows.Close()

	for rows.Next() {
		var code string
		var live int
		if err := rows.Scan(&code, &live); err != nil {
			return err
		}
		get(code).LiveBindings = live
	}
	return rows.Err()
}
