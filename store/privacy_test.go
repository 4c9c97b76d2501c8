package store_test

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"maskline/store"
	"maskline/store/storetest"
)

// Canary real numbers: their digits must appear nowhere in the database.
const (
	canaryA      = "+8613912345678"
	canaryB      = "+8613987654321"
	canaryDigits = "13912345678"
	canaryBDigit = "13987654321"
)

// TestNoPlainNumbersAtRest stores sealed canaries everywhere real numbers
// go, then searches every byte the database holds for their digits. The
// sealed values themselves must be found, which shows the search reads
// the right data.
func TestNoPlainNumbersAtRest(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.DB) {
		ctx := context.Background()
		sealedA := writeCanaries(t, s)

		raw := dump(t, s)
		require.True(t, bytes.Contains(raw, []byte(sealedA)), "search misses stored data")
		require.False(t, bytes.Contains(raw, []byte(canaryDigits)), "plain number at rest")
		require.False(t, bytes.Contains(raw, []byte(canaryBDigit)), "plain number at rest")

		// The search does find a number written in clear (free text here).
		require.NoError(t, s.InsertAudit(ctx, &store.Audit{Action: "probe",
			Reason: "called " + canaryDigits}))
		require.True(t, bytes.Contains(dump(t, s), []byte(canaryDigits)))

		// Even a refused insert does not quote the key (a blind index).
		keys := strings.Fields(bindingKeys(t, s))
		err := s.InsertBinding(ctx, binding("dup", "AXB", "+8617000000001"), keys, 10)
		require.ErrorIs(t, err, store.ErrConflict)
		for _, k := range keys {
			require.NotContains(t, err.Error(), strings.TrimPrefix(k, "p:"))
		}
	})
}

func dump(t *testing.T, s *store.DB) []byte { return storetest.Dump(t, s) }

func writeCanaries(t *testing.T, s *store.DB) string {
	t.Helper()
	ctx := context.Background()
	kr := storetest.Keyring(t)
	addNumbers(t, s, "0755", "+8617000000001")

	b := binding("b1", "AXB", "+8617000000001")
	b.ASealed, b.AIndex = kr.Seal(canaryA), kr.Index(canaryA)
	b.BSealed, b.BIndex = kr.Seal(canaryB), kr.Index(canaryB)
	b.LastCaller = kr.Seal(canaryB)
	insert(t, s, b, 10, "p:"+b.AIndex, "p:"+b.BIndex)
	require.NoError(t, s.SetLastCaller(ctx, "b1", kr.Seal(canaryB), t0))

	c := call("c1", "b1", 1, t0)
	c.CallerSealed, c.CalleeSealed = kr.Seal(canaryA), kr.Seal(canaryB)
	require.NoError(t, s.InsertCall(ctx, c))
	require.NoError(t, s.AddBlacklist(ctx, kr.Index(canaryA), "test"))
	require.NoError(t, s.CreateTenant(ctx, &store.Tenant{Name: "sf",
		WebhookSecret: kr.Seal("hook-secret")}))

	plain, err := kr.Open(b.ASealed)
	require.NoError(t, err)
	require.Equal(t, canaryA, plain, "the canary is really in there, sealed")
	return b.ASealed
}

// bindingKeys returns b1's keys, space separated.
func bindingKeys(t *testing.T, s *store.DB) string {
	t.Helper()
	rows, err := s.SQL().QueryContext(context.Background(),
		"SELECT k FROM binding_keys WHERE binding_id = 'b1' ORDER BY k")
	require.NoError(t, err)
	defer rows.Close()
	var keys []string
	for rows.Next() {
		var k string
		require.NoError(t, rows.Scan(&k))
		keys = append(keys, k)
	}
	require.NoError(t, rows.Err())
	require.Len(t, keys, 2)
	return strings.Join(keys, " ")
}
