package store_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"

	"maskline/store"
	"maskline/store/storetest"
)

// TestTryInsertBindingSkipsLockedNumbers holds numbers' rows in another
// transaction, as a concurrent allocation on another node would, and checks
// that TryInsertBinding passes over them, and gives up at once when every
// candidate is held, instead of queueing.
func TestTryInsertBindingSkipsLockedNumbers(t *testing.T) {
	ctx := context.Background()
	s := storetest.MySQL(t)
	addNumbers(t, s, "010", "X1", "X2")

	holder, err := s.SQL().BeginTx(ctx, nil)
	require.NoError(t, err)
	defer holder.Rollback()
	_, err = holder.ExecContext(ctx, `SELECT 1 FROM numbers WHERE x = 'X1' FOR UPDATE`)
	require.NoError(t, err)

	b1 := binding("b1", "AXB", "")
	require.NoError(t, s.TryInsertBinding(ctx, b1, []string{"X1", "X2"}, []string{"p:a"}, 10))
	require.Equal(t, "X2", b1.X, "the held number was not passed over")

	err = s.TryInsertBinding(ctx, binding("b2", "AXB", ""), []string{"X1"},
		[]string{"p:c"}, 10)
	require.ErrorIs(t, err, store.ErrNumberLocked)
	require.Equal(t, 1, count(t, s, `SELECT COUNT(*) FROM binding_keys`),
		"a skipped attempt left keys behind")

	// Once the holder is gone the first number is taken first again.
	require.NoError(t, holder.Rollback())
	b3 := binding("b3", "AXB", "")
	require.NoError(t, s.TryInsertBinding(ctx, b3, []string{"X1", "X2"}, []string{"p:d"}, 10))
	require.Equal(t, "X1", b3.X)
	require.Equal(t, 1, number(t, s, "X1").Bindings)
}

// TestTryInsertBindingRules checks that the non-waiting insert keeps every
// rule of InsertBinding, on both databases, and names the number at fault.
func TestTryInsertBindingRules(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.DB) {
		ctx := context.Background()
		addNumbers(t, s, "010", "X1")
		try := func(id, mode string, cands []string, keys ...string) error {
			return s.TryInsertBinding(ctx, binding(id, mode, ""), cands, keys, 2)
		}

		require.NoError(t, try("b1", "AXB", []string{"X1"}, "p:a", "p:b"))
		require.ErrorIs(t, try("b2", "AXB", []string{"X1"}, "p:a", "p:c"), store.ErrConflict)
		require.ErrorIs(t, try("b3", "AXE", []string{"X1"}, "e:0001"), store.ErrNumberBusy)
		require.ErrorIs(t, try("b4", "AXB", []string{"X9"}, "p:z"), store.ErrNotFound)
		require.Error(t, try("b5", "AXB", nil, "p:z"), "no candidate")
	})
}
