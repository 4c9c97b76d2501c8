package store

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestSQLitePlansUseIndexes checks, on SQLite's query planner, that the
// hot queries search an index instead of scanning a table. (MySQL's plans
// depend on table statistics, so they are not pinned here.)
func TestSQLitePlansUseIndexes(t *testing.T) {
	ctx := context.Background()
	db, err := Open(ctx, "sqlite:"+filepath.Join(t.TempDir(), "plan.db"))
	require.NoError(t, err)
	defer db.Close()
	require.NoError(t, db.Migrate(ctx))

	c := Candidates{Mode: "AXB", Areas: []string{"0755"}, Cap: 200,
		Exclude: []string{"p:1", "p:2"}}
	candidates, cargs := db.candidateQuery(c, "AXB", 16)

	cases := []struct {
		name, query string
		args        []any
		want        []string
	}{
		{"candidates", candidates, cargs, []string{
			"SEARCH n USING INDEX numbers_alloc",
			"SEARCH k USING COVERING INDEX sqlite_autoindex_binding_keys_1 (x=? AND k=?)",
		}},
		{"key lookup", keyQuery, []any{"x", "k"}, []string{
			"SEARCH k USING INDEX sqlite_autoindex_binding_keys_1 (x=? AND k=?)",
			"SEARCH b USING INDEX sqlite_autoindex_bindings_1 (id=?)",
		}},
		{"expiry", dueQuery, []any{"active", "delivered", 5, 10},
			[]string{"SEARCH bindings USING INDEX bindings_expiry"}},
		{"release", cooledQuery, []any{5, "expired", "unbound", 10},
			[]string{"SEARCH bindings USING INDEX bindings_release"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			plan := queryPlan(t, db, c.query, c.args...)
			for _, w := range c.want {
				require.Contains(t, plan, w)
			}
			require.NotContains(t, plan, "SCAN ", "a table is read whole")
		})
	}
}

func queryPlan(t *testing.T, db *DB, q string, args ...any) string {
	t.Helper()
	rows, err := db.sql.QueryContext(context.Background(), "EXPLAIN QUERY PLAN "+q, args...)
	require.NoError(t, err)
	defer rows.Close()

	var lines []string
	for rows.Next() {
		var id, parent, unused int
		var detail string
		require.NoError(t, rows.Scan(&id, &parent, &unused, &detail))
		lines = append(lines, detail)
	}
	require.NoError(t, rows.Err())
	return strings.Join(lines, "\n")
}
