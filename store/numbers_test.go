package store_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/stretchr/testify/require"

	"maskline/store"
	"maskline/store/storetest"
)

func TestInsertNumbers(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.DB) {
		ctx := context.Background()

		ns := []store.Number{
			{X: "+8617000000001", AreaCode: "0755", Kind: "mobile", MonthlyCost: 1200},
			{X: "+8617000000002", AreaCode: "0755", Kind: "mobile", State: store.NumberLocked},
			{X: "+8602000000001", AreaCode: "020", Kind: "fixed", TenantID: 4,
				Mode: "AXB", Bindings: 9}, // mode and bindings of an import are ignored
		}
		ins, skip, err := s.InsertNumbers(ctx, ns)
		require.NoError(t, err)
		require.Equal(t, 3, ins)
		require.Zero(t, skip)

		again := append(ns[:1:1], store.Number{X: "+8617000000003", AreaCode: "0755"},
			store.Number{X: "+8617000000003", AreaCode: "0755"})
		ins, skip, err = s.InsertNumbers(ctx, again)
		require.NoError(t, err)
		require.Equal(t, 1, ins)
		require.Equal(t, 2, skip)

		n := number(t, s, "+8617000000001")
		require.Equal(t, store.Number{X: "+8617000000001", AreaCode: "0755", Kind: "mobile",
			State: store.NumberAvailable, MonthlyCost: 1200, UpdatedAt: n.UpdatedAt}, *n)
		require.False(t, n.UpdatedAt.IsZero())
		require.Equal(t, store.NumberLocked, number(t, s, "+8617000000002").State)

		imported := number(t, s, "+8602000000001")
		require.Equal(t, int64(4), imported.TenantID)
		require.Empty(t, imported.Mode)
		require.Zero(t, imported.Bindings)
	})
}

func TestInsertNumbersRejectsBadRows(t *testing.T) {
	cases := []struct {
		name string
		n    store.Number
	}{
		{"no number", store.Number{AreaCode: "0755"}},
		{"no area", store.Number{X: "+8617000000001"}},
		{"long area", store.Number{X: "+8617000000001", AreaCode: "123456789"}},
		{"bad state", store.Number{X: "+8617000000001", AreaCode: "0755", State: "spare"}},
	}
	s := storetest.SQLite(t)
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			good := store.Number{X: "+8617000000009", AreaCode: "0755"}
			_, _, err := s.InsertNumbers(context.Background(), []store.Number{good, c.n})
			require.ErrorContains(t, err, "row 2")
			require.Zero(t, count(t, s, "SELECT COUNT(*) FROM numbers"), "nothing written")
		})
	}
}

func TestInsertManyNumbers(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.DB) {
		ns := make([]store.Number, 450) // more than one statement's batch
		for i := range ns {
			ns[i] = store.Number{X: fmt.Sprintf("+86170%08d", i), AreaCode: "0755"}
		}
		ins, skip, err := s.InsertNumbers(context.Background(), ns)
		require.NoError(t, err)
		require.Equal(t, 450, ins)
		require.Zero(t, skip)
		require.Equal(t, 450, count(t, s, "SELECT COUNT(*) FROM numbers"))
	})
}

func TestGetNumberNotFound(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.DB) {
		_, err := s.GetNumber(context.Background(), "+8617000000404")
		require.ErrorIs(t, err, store.ErrNotFound)
		require.ErrorContains(t, err, "get number")
	})
}

func TestListNumbers(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.DB) {
		ctx := context.Background()
		addNumbers(t, s, "0755", "+8617000000003", "+8617000000001", "+8617000000002")
		addNumbers(t, s, "020", "+8602000000001")
		_, err := s.SetNumberState(ctx, "+8617000000002", store.NumberLocked)
		require.NoError(t, err)

		cases := []struct {
			name string
			f    store.NumberFilter
			want []string
		}{
			{"all", store.NumberFilter{},
				[]string{"+8602000000001", "+8617000000001", "+8617000000002",
					"+8617000000003"}},
			{"area", store.NumberFilter{AreaCode: "0755"},
				[]string{"+8617000000001", "+8617000000002", "+8617000000003"}},
			{"state", store.NumberFilter{State: store.NumberLocked},
				[]string{"+8617000000002"}},
			{"area and state",
				store.NumberFilter{AreaCode: "020", State: store.NumberLocked}, nil},
			{"first page", store.NumberFilter{AreaCode: "0755", Limit: 2},
				[]string{"+8617000000001", "+8617000000002"}},
			{"next page", store.NumberFilter{AreaCode: "0755", After: "+8617000000002"},
				[]string{"+8617000000003"}},
		}
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				ns, err := s.ListNumbers(ctx, c.f)
				require.NoError(t, err)
				var got []string
				for _, n := range ns {
					got = append(got, n.X)
				}
				require.Equal(t, c.want, got)
			})
		}
	})
}

func TestSetNumberState(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.DB) {
		ctx := context.Background()
		addNumbers(t, s, "0755", "+8617000000001", "+8617000000002")
		insert(t, s, binding("b1", "AXB", "+8617000000002"), 10, "p:a1")

		steps := []struct {
			x, state string
			err      error
		}{
			{"+8617000000001", store.NumberLocked, nil},
			{"+8617000000001", store.NumberLocked, nil}, // no change
			{"+8617000000001", store.NumberAvailable, nil},
			{"+8617000000001", store.NumberRetired, nil},
			{"+8617000000001", store.NumberRetired, nil},
			{"+8617000000001", store.NumberAvailable, store.ErrConflict}, // final
			{"+8617000000001", store.NumberLocked, store.ErrConflict},
			{"+8617000000002", store.NumberRetired, store.ErrConflict}, // holds a binding
			{"+8617000000002", store.NumberLocked, nil},
			{"+8617000000404", store.NumberLocked, store.ErrNotFound},
		}
		for i, st := range steps {
			n, err := s.SetNumberState(ctx, st.x, st.state)
			if st.err != nil {
				require.ErrorIs(t, err, st.err, "step %d", i)
				continue
			}
			require.NoError(t, err, "step %d", i)
			require.Equal(t, st.state, n.State, "step %d", i)
			require.Equal(t, st.state, number(t, s, st.x).State, "step %d", i)
		}

		_, err := s.SetNumberState(ctx, "+8617000000002", "spare")
		require.ErrorContains(t, err, "unknown state")
		require.Equal(t, 1, number(t, s, "+8617000000002").Bindings, "locking keeps bindings")
	})
}

func TestHasDedicated(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.DB) {
		ctx := context.Background()
		_, _, err := s.InsertNumbers(ctx, []store.Number{
			{X: "+8617000000001", AreaCode: "0755", TenantID: 5},
			{X: "+8617000000002", AreaCode: "0755", TenantID: 6, State: store.NumberLocked},
			{X: "+8617000000003", AreaCode: "0755"},
		})
		require.NoError(t, err)

		for tenant, want := range map[int64]bool{5: true, 6: false, 7: false, 0: false} {
			got, err := s.HasDedicated(ctx, tenant)
			require.NoError(t, err)
			require.Equal(t, want, got, "tenant %d", tenant)
		}
	})
}
