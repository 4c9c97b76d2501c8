package store_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"maskline/store"
	"maskline/store/storetest"
)

func TestInsertCalls(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.DB) {
		ctx := context.Background()
		var cs []*store.CallRecord
		for i := range 1203 { // more than one statement's worth
			at := t0.Add(time.Duration(i) * time.Millisecond)
			cs = append(cs, call(fmt.Sprintf("c%04d", i), "b1", 1, at))
		}
		require.NoError(t, s.InsertCalls(ctx, cs))
		require.Equal(t, 1203, count(t, s, `SELECT COUNT(*) FROM calls`))
		got, err := s.GetCall(ctx, "c1202")
		require.NoError(t, err)
		require.Equal(t, cs[1202], got)

		// A bad record fails its statement as a whole.
		bad := []*store.CallRecord{call("d1", "b1", 1, t0), {ID: "d2"}}
		require.Error(t, s.InsertCalls(ctx, bad))
		_, err = s.GetCall(ctx, "d1")
		require.ErrorIs(t, err, store.ErrNotFound)
		require.ErrorIs(t, s.InsertCalls(ctx, cs[:1]), store.ErrConflict)
	})
}

func TestKeyBindings(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.DB) {
		ctx := context.Background()
		addNumbers(t, s, "010", "X1", "X2")
		insert(t, s, binding("b1", "AXE", "X1"), 10, "p:a", "e:0001")
		insert(t, s, binding("b2", "AXE", "X1"), 10, "p:c", "e:0002")
		insert(t, s, binding("b3", "AXE", "X2"), 10, "p:a", "e:0003")

		got, err := s.KeyBindings(ctx, "X1", []string{"n", "p:a", "e:0002", "e:0003"})
		require.NoError(t, err)
		require.Len(t, got, 2)
		require.Equal(t, "b1", got["p:a"].ID)
		require.Equal(t, "b2", got["e:0002"].ID)
		require.Equal(t, "X1", got["e:0002"].X)

		none, err := s.KeyBindings(ctx, "X9", []string{"p:a"})
		require.NoError(t, err)
		require.Empty(t, none)
		_, err = s.KeyBindings(ctx, "X1", nil)
		require.Error(t, err)
	})
}
