package store_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"maskline/store"
	"maskline/store/storetest"
)

func TestUpdateBindingFields(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.DB) {
		ctx := context.Background()
		addNumbers(t, s, "0755", "+8617000000001")
		b := binding("b1", "AXB", "+8617000000001")
		insert(t, s, b, 5, "p:a1", "p:b1")

		b.ExpiresAt, b.Record, b.CallRestrict = t0.Add(24*time.Hour), true, "a_only"
		b.State = store.BindingDelivered
		b.ASealed = "k1:must-not-change" // A is not a mutable field
		require.NoError(t, s.UpdateBinding(ctx, b, "", ""))
		require.NoError(t, s.UpdateBinding(ctx, b, "", ""), "an unchanged row is no error")

		got, err := s.GetBinding(ctx, "b1")
		require.NoError(t, err)
		require.Equal(t, t0.Add(24*time.Hour), got.ExpiresAt)
		require.True(t, got.Record)
		require.Equal(t, "a_only", got.CallRestrict)
		require.Equal(t, store.BindingDelivered, got.State)
		require.Equal(t, "k1:sealed-a-b1", got.ASealed)
		require.Equal(t, b.UpdatedAt, got.UpdatedAt)

		missing := binding("b404", "AXB", "+8617000000001")
		missing.State = store.BindingActive
		require.ErrorIs(t, s.UpdateBinding(ctx, missing, "", ""), store.ErrNotFound)
		require.ErrorIs(t, s.UpdateBinding(ctx, missing, "p:a", "p:b"), store.ErrNotFound)
	})
}

func TestUpdateBindingSwapsKey(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.DB) {
		ctx := context.Background()
		addNumbers(t, s, "0755", "+8617000000001")
		b1 := binding("b1", "AXB", "+8617000000001")
		insert(t, s, b1, 5, "p:a1", "p:b1")
		insert(t, s, binding("b2", "AXB", "+8617000000001"), 5, "p:a2", "p:b2")

		b1.BSealed, b1.BIndex = "k1:sealed-new-b", "ib-new"
		require.NoError(t, s.UpdateBinding(ctx, b1, "p:b1", "p:new"))

		got, err := s.KeyBinding(ctx, "+8617000000001", "p:new")
		require.NoError(t, err)
		require.Equal(t, "b1", got.ID)
		require.Equal(t, "ib-new", got.BIndex)
		_, err = s.KeyBinding(ctx, "+8617000000001", "p:b1")
		require.ErrorIs(t, err, store.ErrNotFound, "the old key is free again")

		cases := []struct {
			name, oldKey, newKey string
		}{
			{"new key held by another binding", "p:new", "p:a2"},
			{"new key held by the same binding", "p:new", "p:a1"},
			{"old key not held", "p:b1", "p:other"},
			{"old key of another binding", "p:b2", "p:other"},
		}
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				changed := *b1
				changed.BIndex = "ib-rolled-back"
				err := s.UpdateBinding(ctx, &changed, c.oldKey, c.newKey)
				require.ErrorIs(t, err, store.ErrConflict)

				got, err := s.GetBinding(ctx, "b1")
				require.NoError(t, err)
				require.Equal(t, "ib-new", got.BIndex, "fields rolled back with the key")
			})
		}
		require.Equal(t, 4, count(t, s, "SELECT COUNT(*) FROM binding_keys"))
	})
}

func TestUpdateBindingStates(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.DB) {
		ctx := context.Background()
		addNumbers(t, s, "0755", "+8617000000001")
		b := binding("b1", "AXB", "+8617000000001")
		insert(t, s, b, 5, "p:a1", "p:b1")

		ending := *b
		ending.State = store.BindingUnbound
		err := s.UpdateBinding(ctx, &ending, "", "")
		require.ErrorIs(t, err, store.ErrConflict, "only EndBinding ends a binding")

		require.NoError(t, s.EndBinding(ctx, "b1", store.BindingUnbound, t0, t0.Add(time.Hour)))

		cases := []struct {
			name, state, oldKey, newKey string
			ok                          bool
		}{
			{"revive", store.BindingActive, "", "", false},
			{"other ended state", store.BindingExpired, "", "", false},
			{"swap after end", store.BindingUnbound, "p:b1", "p:b9", false},
			{"same state, new fields", store.BindingUnbound, "", "", true},
		}
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				u := *b
				u.State, u.Record = c.state, true
				err := s.UpdateBinding(ctx, &u, c.oldKey, c.newKey)
				if c.ok {
					require.NoError(t, err)
					return
				}
				require.ErrorIs(t, err, store.ErrConflict)
			})
		}

		got, err := s.GetBinding(ctx, "b1")
		require.NoError(t, err)
		require.Equal(t, store.BindingUnbound, got.State)
		require.Equal(t, t0.Add(time.Hour), got.CooldownUntil)

		bad := *b
		bad.State = "paused"
		require.ErrorContains(t, s.UpdateBinding(ctx, &bad, "", ""), "unknown state")
	})
}
