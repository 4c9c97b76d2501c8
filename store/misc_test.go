package store_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"maskline/store"
	"maskline/store/storetest"
)

func TestAudit(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.DB) {
		ctx := context.Background()

		first := &store.Audit{At: t0, KeyID: 3, TenantID: 1, BindingID: "b1",
			Action: "reveal", Reason: "customer complaint 4411"}
		require.NoError(t, s.InsertAudit(ctx, first))
		second := &store.Audit{KeyID: 3, TenantID: 1, BindingID: "b1", Action: "reveal"}
		require.NoError(t, s.InsertAudit(ctx, second))
		require.NoError(t, s.InsertAudit(ctx, &store.Audit{BindingID: "b2", Action: "reveal"}))
		require.Greater(t, second.ID, first.ID)
		require.False(t, second.At.IsZero())

		got, err := s.ListAudit(ctx, "b1")
		require.NoError(t, err)
		require.Equal(t, []store.Audit{*first, *second}, got)

		none, err := s.ListAudit(ctx, "b9")
		require.NoError(t, err)
		require.Empty(t, none)
		require.Error(t, s.InsertAudit(ctx, &store.Audit{BindingID: "b1"}))
	})
}

func TestBlacklist(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.DB) {
		ctx := context.Background()

		on, err := s.IsBlacklisted(ctx, "idx-1")
		require.NoError(t, err)
		require.False(t, on)

		require.NoError(t, s.AddBlacklist(ctx, "idx-1", "fraud"))
		require.NoError(t, s.AddBlacklist(ctx, "idx-1", "fraud, twice"))
		require.Equal(t, 1, count(t, s, "SELECT COUNT(*) FROM blacklist"))
		var note string
		require.NoError(t, s.SQL().QueryRowContext(ctx,
			"SELECT note FROM blacklist WHERE idx = ?", "idx-1").Scan(&note))
		require.Equal(t, "fraud, twice", note)

		on, err = s.IsBlacklisted(ctx, "idx-1")
		require.NoError(t, err)
		require.True(t, on)
		on, err = s.IsBlacklisted(ctx, "IDX-1")
		require.NoError(t, err)
		require.False(t, on, "indexes compare byte for byte")

		require.NoError(t, s.RemoveBlacklist(ctx, "idx-1"))
		require.ErrorIs(t, s.RemoveBlacklist(ctx, "idx-1"), store.ErrNotFound)
		on, err = s.IsBlacklisted(ctx, "idx-1")
		require.NoError(t, err)
		require.False(t, on)
	})
}

func TestIdempotency(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.DB) {
		ctx := context.Background()

		first := &store.Idempotency{TenantID: 1, Key: "req-1", RequestHash: "h1"}
		old, err := s.ReserveIdempotency(ctx, first)
		require.NoError(t, err)
		require.Nil(t, old, "a first request finds nothing")
		require.False(t, first.CreatedAt.IsZero())

		// A retry while the first is running sees it unfinished.
		old, err = s.ReserveIdempotency(ctx, &store.Idempotency{TenantID: 1, Key: "req-1",
			RequestHash: "h2"})
		require.NoError(t, err)
		require.Equal(t, "h1", old.RequestHash)
		require.Zero(t, old.Status)

		body := []byte(`{"id":"b1","x":"+8617000000001"}`)
		require.NoError(t, s.CompleteIdempotency(ctx, 1, "req-1", 201, body))
		require.NoError(t, s.CompleteIdempotency(ctx, 1, "req-1", 201, body))

		// The replay returns the stored answer; the record is unchanged.
		old, err = s.ReserveIdempotency(ctx, &store.Idempotency{TenantID: 1, Key: "req-1",
			RequestHash: "h3"})
		require.NoError(t, err)
		require.Equal(t, &store.Idempotency{TenantID: 1, Key: "req-1", RequestHash: "h1",
			Status: 201, Body: body, CreatedAt: first.CreatedAt}, old)

		// The same key of another tenant is another request.
		old, err = s.ReserveIdempotency(ctx, &store.Idempotency{TenantID: 2, Key: "req-1"})
		require.NoError(t, err)
		require.Nil(t, old)

		err = s.CompleteIdempotency(ctx, 1, "req-9", 201, body)
		require.ErrorIs(t, err, store.ErrNotFound)

		require.NoError(t, s.DropIdempotency(ctx, 1, "req-1"))
		require.NoError(t, s.DropIdempotency(ctx, 1, "req-1"))
		old, err = s.ReserveIdempotency(ctx, &store.Idempotency{TenantID: 1, Key: "req-1"})
		require.NoError(t, err)
		require.Nil(t, old, "a dropped key may be used again")
	})
}

func TestPurgeIdempotency(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.DB) {
		ctx := context.Background()
		for _, k := range []string{"a", "b", "c"} {
			_, err := s.ReserveIdempotency(ctx, &store.Idempotency{TenantID: 1, Key: k})
			require.NoError(t, err)
		}
		_, err := s.SQL().ExecContext(ctx, `UPDATE idempotency
			SET created_at = CASE WHEN idem_key = 'c' THEN ? ELSE ? END`,
			t0.Add(time.Hour).UnixMilli(), t0.UnixMilli())
		require.NoError(t, err)

		n, err := s.PurgeIdempotency(ctx, t0)
		require.NoError(t, err)
		require.Zero(t, n, "the bound is exclusive")

		n, err = s.PurgeIdempotency(ctx, t0.Add(time.Millisecond))
		require.NoError(t, err)
		require.Equal(t, 2, n)
		require.Equal(t, 1, count(t, s, "SELECT COUNT(*) FROM idempotency"))
	})
}
