package store_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"maskline/store"
	"maskline/store/storetest"
)

func call(id, bindingID string, tenant int64, invite time.Time) *store.CallRecord {
	return &store.CallRecord{
		ID: id, BindingID: bindingID, TenantID: tenant, Mode: "AXB", X: "+8617000000001",
		CallerSealed: "k1:sealed-caller", CalleeSealed: "k1:sealed-callee",
		Direction: "a_to_peer", InviteAt: invite, UnconnectedReason: "none", Node: "n1",
	}
}

func TestCallRoundTrip(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.DB) {
		ctx := context.Background()

		c := call("c1", "b1", 1, t0)
		c.Extension, c.RingAt, c.AnswerAt = "0123", t0.Add(2*time.Second), t0.Add(5*time.Second)
		c.EndAt, c.DurationS, c.BillSec = t0.Add(65*time.Second), 65, 60
		c.ReleaseSide, c.ReleaseCode, c.ReleaseQ850 = "callee", 200, 16
		c.Recording, c.OutID = "rec/c1.wav", "SF1"
		require.NoError(t, s.InsertCall(ctx, c))

		got, err := s.GetCall(ctx, "c1")
		require.NoError(t, err)
		require.Equal(t, c, got)

		// An unanswered call keeps its zero times.
		u := call("c2", "", 1, t0)
		u.UnconnectedReason = "no_binding"
		require.NoError(t, s.InsertCall(ctx, u))
		got, err = s.GetCall(ctx, "c2")
		require.NoError(t, err)
		require.True(t, got.AnswerAt.IsZero())
		require.Equal(t, u, got)

		require.ErrorIs(t, s.InsertCall(ctx, call("c1", "b1", 1, t0)), store.ErrConflict)
		_, err = s.GetCall(ctx, "c404")
		require.ErrorIs(t, err, store.ErrNotFound)
		require.Error(t, s.InsertCall(ctx, &store.CallRecord{ID: "c3"}), "no invite time")
	})
}

func TestListCalls(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.DB) {
		ctx := context.Background()
		for i, c := range []*store.CallRecord{
			call("c1", "b1", 1, t0),
			call("c2", "b1", 1, t0.Add(time.Minute)),
			call("c3", "b2", 1, t0.Add(2*time.Minute)),
			call("c4", "b3", 2, t0.Add(3*time.Minute)),
		} {
			require.NoError(t, s.InsertCall(ctx, c), "call %d", i)
		}

		cases := []struct {
			name string
			f    store.CallFilter
			want []string
		}{
			{"admin sees all", store.CallFilter{}, []string{"c1", "c2", "c3", "c4"}},
			{"tenant", store.CallFilter{TenantID: 1}, []string{"c1", "c2", "c3"}},
			{"binding", store.CallFilter{TenantID: 1, BindingID: "b1"}, []string{"c1", "c2"}},
			{"other tenant's binding", store.CallFilter{TenantID: 2, BindingID: "b1"}, nil},
			{"from inclusive", store.CallFilter{From: t0.Add(time.Minute)},
				[]string{"c2", "c3", "c4"}},
			{"to exclusive", store.CallFilter{To: t0.Add(2 * time.Minute)},
				[]string{"c1", "c2"}},
			{"window", store.CallFilter{From: t0.Add(time.Second), To: t0.Add(3 * time.Minute)},
				[]string{"c2", "c3"}},
			{"limit", store.CallFilter{Limit: 1}, []string{"c1"}},
		}
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				calls, err := s.ListCalls(ctx, c.f)
				require.NoError(t, err)
				var got []string
				for _, r := range calls {
					got = append(got, r.ID)
				}
				require.Equal(t, c.want, got)
			})
		}
	})
}
