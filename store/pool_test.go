package store_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"maskline/store"
	"maskline/store/storetest"
)

// poolFixture: area 0755 has X1 serving AXB (2 bindings), X2 serving AXE,
// X3 and X4 free, X5 locked; area 020 has Y1 free; tenant 9 owns D1.
func poolFixture(t *testing.T, s *store.DB) {
	t.Helper()
	ctx := context.Background()
	addNumbers(t, s, "0755", "X4", "X3", "X2", "X1", "X5")
	addNumbers(t, s, "020", "Y1")
	_, _, err := s.InsertNumbers(ctx, []store.Number{{X: "D1", AreaCode: "0755", TenantID: 9}})
	require.NoError(t, err)
	_, err = s.SetNumberState(ctx, "X5", store.NumberLocked)
	require.NoError(t, err)

	insert(t, s, binding("axb1", "AXB", "X1"), 3, "p:a", "p:b")
	insert(t, s, binding("axb2", "AXB", "X1"), 3, "p:a2", "p:c")
	insert(t, s, binding("axe1", "AXE", "X2"), 3, "e:0001")
}

func TestFindCandidates(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.DB) {
		poolFixture(t, s)

		cases := []struct {
			name string
			c    store.Candidates
			want []string
		}{
			{"serving mode first, then free by x",
				store.Candidates{Mode: "AXB", Areas: []string{"0755"}, Cap: 3},
				[]string{"X1", "X3", "X4"}},
			{"any area",
				store.Candidates{Mode: "AXB", Cap: 3}, []string{"X1", "X3", "X4", "Y1"}},
			{"two areas",
				store.Candidates{Mode: "AXE", Areas: []string{"020", "0755"}, Cap: 3},
				[]string{"X2", "X3", "X4", "Y1"}},
			{"at cap skipped",
				store.Candidates{Mode: "AXB", Areas: []string{"0755"}, Cap: 2},
				[]string{"X3", "X4"}},
			{"held key excludes the number",
				store.Candidates{Mode: "AXB", Areas: []string{"0755"}, Cap: 3,
					Exclude: []string{"p:z", "p:b"}},
				[]string{"X3", "X4"}},
			{"free keys keep it",
				store.Candidates{Mode: "AXB", Areas: []string{"0755"}, Cap: 3,
					Exclude: []string{"p:z"}},
				[]string{"X1", "X3", "X4"}},
			{"limit",
				store.Candidates{Mode: "AXB", Cap: 3, Limit: 2}, []string{"X1", "X3"}},
			{"AXN takes free numbers only",
				store.Candidates{Mode: "AXN", Areas: []string{"0755"}, Cap: 1},
				[]string{"X3", "X4"}},
			{"dedicated pool",
				store.Candidates{Mode: "AXB", TenantID: 9, Dedicated: true, Cap: 3},
				[]string{"D1"}},
			{"dedicated pool of another tenant",
				store.Candidates{Mode: "AXB", TenantID: 8, Dedicated: true, Cap: 3}, nil},
			{"unknown area", store.Candidates{Mode: "AXB", Areas: []string{"010"}, Cap: 3},
				nil},
			{"serving only",
				store.Candidates{Mode: "AXB", Areas: []string{"0755"}, Cap: 3,
					ServingOnly: true},
				[]string{"X1"}},
			{"free only",
				store.Candidates{Mode: "AXB", Areas: []string{"0755"}, Cap: 3, FreeOnly: true},
				[]string{"X3", "X4"}},
		}
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				got, err := s.FindCandidates(context.Background(), c.c)
				require.NoError(t, err)
				require.Equal(t, c.want, got)
			})
		}

		_, err := s.FindCandidates(context.Background(), store.Candidates{Mode: "AXB"})
		require.ErrorContains(t, err, "positive cap")
		_, err = s.FindCandidates(context.Background(), store.Candidates{Mode: "AXB", Cap: 1,
			ServingOnly: true, FreeOnly: true})
		require.ErrorContains(t, err, "exclude each other")
	})
}

func TestPoolStats(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.DB) {
		ctx := context.Background()
		poolFixture(t, s)
		require.NoError(t, s.EndBinding(ctx, "axb2", store.BindingUnbound, t0, t0.Add(time.Hour)))
		_, err := s.SetNumberState(ctx, "X4", store.NumberRetired)
		require.NoError(t, err)

		got, err := s.PoolStats(ctx)
		require.NoError(t, err)
		require.Equal(t, []store.AreaStats{
			{AreaCode: "020", Numbers: 1, Available: 1, Free: 1,
				ModeNumbers: map[string]int{}, ModeBindings: map[string]int{}},
			{AreaCode: "0755", Numbers: 6, Available: 4, Locked: 1, Retired: 1, Free: 2,
				ModeNumbers:  map[string]int{"AXB": 1, "AXE": 1},
				ModeBindings: map[string]int{"AXB": 2, "AXE": 1},
				LiveBindings: 2},
		}, got)
	})
}
