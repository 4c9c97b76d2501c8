package store_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"maskline/store"
	"maskline/store/storetest"
)

func TestInsertBindingRoundTrip(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.DB) {
		ctx := context.Background()
		addNumbers(t, s, "0755", "+8617000000001")

		b := binding("b1", "AXE", "+8617000000001")
		b.Extension, b.NSealed, b.NIndex, b.Record = "0123", "k1:sealed-n", "in-b1", true
		b.LastCaller, b.LastCallerAt = "k1:sealed-c", t0.Add(-time.Minute)
		insert(t, s, b, 200, "e:0123")

		require.Equal(t, store.BindingActive, b.State)
		require.False(t, b.CreatedAt.IsZero())
		require.Equal(t, b.CreatedAt, b.UpdatedAt)

		got, err := s.GetBinding(ctx, "b1")
		require.NoError(t, err)
		require.Equal(t, b, got)

		n := number(t, s, "+8617000000001")
		require.Equal(t, "AXE", n.Mode)
		require.Equal(t, 1, n.Bindings)

		byKey, err := s.KeyBinding(ctx, "+8617000000001", "e:0123")
		require.NoError(t, err)
		require.Equal(t, b, byKey)
	})
}

func TestInsertBindingRefusals(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.DB) {
		ctx := context.Background()
		addNumbers(t, s, "0755", "+8617000000001", "+8617000000002", "+8617000000003",
			"+8617000000004")
		_, err := s.SetNumberState(ctx, "+8617000000002", store.NumberLocked)
		require.NoError(t, err)
		insert(t, s, binding("axb1", "AXB", "+8617000000001"), 2, "p:a", "p:b")
		insert(t, s, binding("axn1", "AXN", "+8617000000003"), 1, "n")

		cases := []struct {
			name, id, mode, x string
			cap               int
			keys              []string
			want              error
		}{
			{"no such number", "r1", "AXB", "+8617000000404", 2, []string{"p:c"},
				store.ErrNotFound},
			{"locked number", "r2", "AXB", "+8617000000002", 2, []string{"p:c"},
				store.ErrNumberBusy},
			{"other mode", "r3", "AXE", "+8617000000001", 200, []string{"e:0001"},
				store.ErrNumberBusy},
			{"number taken whole", "r4", "AXN", "+8617000000003", 1, []string{"n"},
				store.ErrNumberBusy},
			{"key held", "r5", "AXB", "+8617000000001", 2, []string{"p:c", "p:a"},
				store.ErrConflict},
			{"key twice in one request", "r6", "AXB", "+8617000000004", 2,
				[]string{"p:c", "p:c"}, store.ErrConflict},
			{"id taken", "axb1", "AXB", "+8617000000004", 2, []string{"p:d"},
				store.ErrConflict},
		}
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				err := s.InsertBinding(ctx, binding(c.id, c.mode, c.x), c.keys, c.cap)
				require.ErrorIs(t, err, c.want)
				require.ErrorContains(t, err, "insert binding")
			})
		}

		// Every refusal was rolled back whole.
		require.Equal(t, 3, count(t, s, "SELECT COUNT(*) FROM binding_keys"))
		require.Equal(t, 2, count(t, s, "SELECT COUNT(*) FROM bindings"))
		require.Equal(t, 1, number(t, s, "+8617000000001").Bindings)
		free := number(t, s, "+8617000000004")
		require.Zero(t, free.Bindings)
		require.Empty(t, free.Mode)
	})
}

func TestInsertBindingCap(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.DB) {
		ctx := context.Background()
		addNumbers(t, s, "0755", "+8617000000001")

		for i, id := range ids("b", 3) {
			insert(t, s, binding(id, "AXB", "+8617000000001"), 3, "p:x"+id, "p:y"+id)
			require.Equal(t, i+1, number(t, s, "+8617000000001").Bindings)
		}
		err := s.InsertBinding(ctx, binding("b3", "AXB", "+8617000000001"), []string{"p:z"}, 3)
		require.ErrorIs(t, err, store.ErrNumberBusy)

		// A bigger cap lets the number take more.
		insert(t, s, binding("b3", "AXB", "+8617000000001"), 4, "p:z")
	})
}

func TestInsertBindingValidates(t *testing.T) {
	s := storetest.SQLite(t)
	addNumbers(t, s, "0755", "+8617000000001")
	ok := func() *store.Binding { return binding("b1", "AXB", "+8617000000001") }

	cases := []struct {
		name string
		b    *store.Binding
		keys []string
		cap  int
	}{
		{"no id", &store.Binding{Mode: "AXB", X: "+8617000000001"}, []string{"p:a"}, 2},
		{"no keys", ok(), nil, 2},
		{"no cap", ok(), []string{"p:a"}, 0},
		{"ended state", func() *store.Binding {
			b := ok()
			b.State = store.BindingExpired
			return b
		}(), []string{"p:a"}, 2},
		{"no expiry", func() *store.Binding {
			b := ok()
			b.ExpiresAt = time.Time{}
			return b
		}(), []string{"p:a"}, 2},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			err := s.InsertBinding(context.Background(), c.b, c.keys, c.cap)
			require.Error(t, err)
			require.NotErrorIs(t, err, store.ErrConflict)
		})
	}
	require.Zero(t, number(t, s, "+8617000000001").Bindings)
}

func TestBindingLookups(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.DB) {
		ctx := context.Background()
		addNumbers(t, s, "0755", "+8617000000001", "+8617000000002")
		b1 := binding("b1", "AXB", "+8617000000001")
		b2 := binding("b2", "AXB", "+8617000000002")
		b2.OutID = b1.OutID
		b3 := binding("b3", "AXB", "+8617000000002")
		b3.TenantID, b3.OutID = 2, b1.OutID
		insert(t, s, b1, 5, "p:a1", "p:b1")
		insert(t, s, b2, 5, "p:a1", "p:b2")
		insert(t, s, b3, 5, "p:a3", "p:b3")

		got, err := s.BindingsByOutID(ctx, 1, b1.OutID)
		require.NoError(t, err)
		require.Equal(t, []store.Binding{*b1, *b2}, got, "tenant 2's binding stays hidden")

		none, err := s.BindingsByOutID(ctx, 1, "nothing")
		require.NoError(t, err)
		require.Empty(t, none)

		// The same real number owns a key on two numbers, once on each.
		for x, want := range map[string]string{"+8617000000001": "b1", "+8617000000002": "b2"} {
			b, err := s.KeyBinding(ctx, x, "p:a1")
			require.NoError(t, err)
			require.Equal(t, want, b.ID)
		}

		_, err = s.KeyBinding(ctx, "+8617000000001", "p:b2")
		require.ErrorIs(t, err, store.ErrNotFound)
		_, err = s.GetBinding(ctx, "b404")
		require.ErrorIs(t, err, store.ErrNotFound)
	})
}

func TestSetLastCaller(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.DB) {
		ctx := context.Background()
		addNumbers(t, s, "0755", "+8617000000001")
		insert(t, s, binding("b1", "AXE", "+8617000000001"), 10, "e:0001")

		for range 2 { // the second write changes nothing and must still succeed
			require.NoError(t, s.SetLastCaller(ctx, "b1", "k1:sealed-caller", t0))
		}
		b, err := s.GetBinding(ctx, "b1")
		require.NoError(t, err)
		require.Equal(t, "k1:sealed-caller", b.LastCaller)
		require.Equal(t, t0, b.LastCallerAt)

		err = s.SetLastCaller(ctx, "b404", "k1:sealed-caller", t0)
		require.ErrorIs(t, err, store.ErrNotFound)
	})
}
