package store_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"maskline/store"
)

// t0 is the fixed "now" of the tests: times are chosen, not read from the
// clock, so no test depends on how fast it runs.
var t0 = time.UnixMilli(1_893_456_000_000).UTC() // 2030-01-01

// addNumbers puts free, available numbers into the common pool of area.
func addNumbers(t *testing.T, s *store.DB, area string, xs ...string) {
	t.Helper()
	ns := make([]store.Number, len(xs))
	for i, x := range xs {
		ns[i] = store.Number{X: x, AreaCode: area, Kind: "mobile", MonthlyCost: 500}
	}
	ins, skip, err := s.InsertNumbers(context.Background(), ns)
	require.NoError(t, err)
	require.Equal(t, len(xs), ins)
	require.Zero(t, skip)
}

// binding returns an active binding for tenant 1 on x, expiring an hour
// after t0.
func binding(id, mode, x string) *store.Binding {
	return &store.Binding{
		ID: id, TenantID: 1, Mode: mode, X: x,
		ASealed: "k1:sealed-a-" + id, AIndex: "ia-" + id,
		BSealed: "k1:sealed-b-" + id, BIndex: "ib-" + id,
		OutID: "SF" + id, CallRestrict: "none", ExpiresAt: t0.Add(time.Hour),
	}
}

// insert stores b with keys under cap and fails the test on error.
func insert(t *testing.T, s *store.DB, b *store.Binding, cap int, keys ...string) {
	t.Helper()
	require.NoError(t, s.InsertBinding(context.Background(), b, keys, cap))
}

// number reads x and fails the test when it is missing.
func number(t *testing.T, s *store.DB, x string) *store.Number {
	t.Helper()
	n, err := s.GetNumber(context.Background(), x)
	require.NoError(t, err)
	return n
}

// count runs a COUNT query on the raw pool.
func count(t *testing.T, s *store.DB, q string, args ...any) int {
	t.Helper()
	var n int
	require.NoError(t, s.SQL().QueryRowContext(context.Background(), q, args...).Scan(&n))
	return n
}

// ids returns "b0".."b<n-1>" prefixed by p.
func ids(p string, n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = fmt.Sprintf("%s%d", p, i)
	}
	return out
}
