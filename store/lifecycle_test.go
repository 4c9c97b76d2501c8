package store_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"maskline/store"
	"maskline/store/storetest"
)

func TestEndBinding(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.DB) {
		ctx := context.Background()
		addNumbers(t, s, "0755", "+8617000000001")
		insert(t, s, binding("b1", "AXB", "+8617000000001"), 5, "p:a1", "p:b1")
		insert(t, s, binding("b2", "AXB", "+8617000000001"), 5, "p:a2", "p:b2")

		end, cool := t0.Add(10*time.Minute), t0.Add(24*time.Hour)
		require.NoError(t, s.EndBinding(ctx, "b1", store.BindingUnbound, end, cool))

		b, err := s.GetBinding(ctx, "b1")
		require.NoError(t, err)
		require.Equal(t, store.BindingUnbound, b.State)
		require.Equal(t, end, b.EndedAt)
		require.Equal(t, cool, b.CooldownUntil)
		require.False(t, b.Released)
		require.False(t, b.Live(end))

		// Cooling down, the keys still lead to the ended binding.
		k, err := s.KeyBinding(ctx, "+8617000000001", "p:a1")
		require.NoError(t, err)
		require.Equal(t, store.BindingUnbound, k.State)
		require.Equal(t, 2, number(t, s, "+8617000000001").Bindings)

		cases := []struct {
			name, id, state string
			want            error
		}{
			{"ended twice", "b1", store.BindingExpired, store.ErrConflict},
			{"no such binding", "b404", store.BindingUnbound, store.ErrNotFound},
		}
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				err := s.EndBinding(ctx, c.id, c.state, end, cool)
				require.ErrorIs(t, err, c.want)
				require.ErrorContains(t, err, "end binding")
			})
		}

		require.Error(t, s.EndBinding(ctx, "b2", store.BindingActive, end, cool))
		require.Error(t, s.EndBinding(ctx, "b2", store.BindingUnbound, end, end.Add(-1)))
		b2, err := s.GetBinding(ctx, "b2")
		require.NoError(t, err)
		require.Equal(t, store.BindingActive, b2.State)
	})
}

func TestExpireDue(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.DB) {
		ctx := context.Background()
		addNumbers(t, s, "0755", "+8617000000001")
		for i, id := range ids("b", 5) {
			b := binding(id, "AXB", "+8617000000001")
			b.ExpiresAt = t0.Add(time.Duration(i) * time.Minute)
			if i == 1 {
				b.State = store.BindingDelivered
			}
			insert(t, s, b, 10, "p:a"+id, "p:b"+id)
		}
		require.NoError(t, s.EndBinding(ctx, "b0", store.BindingUnbound, t0.Add(-time.Hour),
			t0.Add(-time.Minute)))

		// At t0+2m, b1 and b2 are due (b0 has ended already); limit 1 takes
		// the earliest first.
		now, cool := t0.Add(2*time.Minute), 24*time.Hour
		n, err := s.ExpireDue(ctx, now, cool, 1)
		require.NoError(t, err)
		require.Equal(t, 1, n)
		n, err = s.ExpireDue(ctx, now, cool, 100)
		require.NoError(t, err)
		require.Equal(t, 1, n)
		n, err = s.ExpireDue(ctx, now, cool, 100)
		require.NoError(t, err)
		require.Zero(t, n, "nothing left to expire")

		want := map[string]string{"b0": store.BindingUnbound, "b1": store.BindingExpired,
			"b2": store.BindingExpired, "b3": store.BindingActive, "b4": store.BindingActive}
		for id, state := range want {
			b, err := s.GetBinding(ctx, id)
			require.NoError(t, err)
			require.Equal(t, state, b.State, id)
			if state == store.BindingExpired {
				require.Equal(t, b.ExpiresAt, b.EndedAt, id)
				require.Equal(t, b.ExpiresAt.Add(cool), b.CooldownUntil, id)
			}
		}
		require.Equal(t, 5, number(t, s, "+8617000000001").Bindings, "expiry keeps keys")
	})
}

func TestReleaseCooled(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.DB) {
		ctx := context.Background()
		addNumbers(t, s, "0755", "+8617000000001", "+8617000000002")
		insert(t, s, binding("axb1", "AXB", "+8617000000001"), 5, "p:a1", "p:b1")
		insert(t, s, binding("axb2", "AXB", "+8617000000001"), 5, "p:a2", "p:b2")
		axn := binding("axn1", "AXN", "+8617000000002")
		axn.ExpiresAt = t0
		insert(t, s, axn, 1, "n")

		require.NoError(t, s.EndBinding(ctx, "axb1", store.BindingUnbound, t0, t0.Add(time.Hour)))
		n, err := s.ExpireDue(ctx, t0, 2*time.Hour, 10)
		require.NoError(t, err)
		require.Equal(t, 1, n)

		n, err = s.ReleaseCooled(ctx, t0.Add(time.Hour-time.Millisecond), 10)
		require.NoError(t, err)
		require.Zero(t, n, "still cooling down")

		// axb1's cool-down is over: its keys go, the number keeps serving
		// AXB for axb2.
		n, err = s.ReleaseCooled(ctx, t0.Add(time.Hour), 10)
		require.NoError(t, err)
		require.Equal(t, 1, n)
		x1 := number(t, s, "+8617000000001")
		require.Equal(t, 1, x1.Bindings)
		require.Equal(t, "AXB", x1.Mode)
		_, err = s.KeyBinding(ctx, "+8617000000001", "p:a1")
		require.ErrorIs(t, err, store.ErrNotFound)
		b, err := s.GetBinding(ctx, "axb1")
		require.NoError(t, err)
		require.True(t, b.Released)

		// axn1's last key goes: the number is free for any mode again.
		n, err = s.ReleaseCooled(ctx, t0.Add(3*time.Hour), 10)
		require.NoError(t, err)
		require.Equal(t, 1, n)
		x2 := number(t, s, "+8617000000002")
		require.Zero(t, x2.Bindings)
		require.Empty(t, x2.Mode)
		insert(t, s, binding("axe1", "AXE", "+8617000000002"), 200, "e:0001")

		n, err = s.ReleaseCooled(ctx, t0.Add(100*time.Hour), 10)
		require.NoError(t, err)
		require.Zero(t, n, "live bindings are never released")
		require.Equal(t, 3, count(t, s, "SELECT COUNT(*) FROM binding_keys"))
	})
}

// Two nodes releasing the same bindings at once must free each place once.
func TestReleaseCooledOnTwoNodes(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.DB) {
		ctx := context.Background()
		other := storetest.Reopen(t, s)
		const total = 60
		endedBindings(t, s, total)

		var wg sync.WaitGroup
		released := make([]int, 4)
		for i := range released {
			node := s
			if i%2 == 1 {
				node = other
			}
			wg.Go(func() {
				for range 10 {
					n, err := node.ReleaseCooled(ctx, t0, 7)
					if !assertNoError(t, err) {
						return
					}
					released[i] += n
				}
			})
		}
		wg.Wait()

		require.Equal(t, total, released[0]+released[1]+released[2]+released[3])
		require.Equal(t, 1, number(t, s, "+8617000000001").Bindings)
		require.Equal(t, "AXB", number(t, s, "+8617000000001").Mode)
		x2 := number(t, s, "+8617000000002")
		require.Zero(t, x2.Bindings)
		require.Empty(t, x2.Mode)
		require.Equal(t, 1, count(t, s, "SELECT COUNT(*) FROM binding_keys"))
	})
}

// endedBindings puts total AXB bindings, ended and cooled at t0, on two
// numbers, and one live binding on the first so that it stays AXB.
func endedBindings(t *testing.T, s *store.DB, total int) {
	t.Helper()
	addNumbers(t, s, "0755", "+8617000000001", "+8617000000002")
	for i, id := range ids("b", total) {
		x := "+8617000000001"
		if i%2 == 1 {
			x = "+8617000000002"
		}
		insert(t, s, binding(id, "AXB", x), total, "p:a"+id, "p:b"+id)
	}
	insert(t, s, binding("keep", "AXB", "+8617000000001"), total+1, "p:keep")

	for _, id := range ids("b", total) {
		err := s.EndBinding(context.Background(), id, store.BindingUnbound, t0, t0)
		require.NoError(t, err)
	}
}

// assertNoError reports err from a goroutine, where require cannot stop
// the test.
func assertNoError(t *testing.T, err error) bool {
	t.Helper()
	if err != nil {
		t.Errorf("unexpected error: %v", err)
		return false
	}
	return true
}
