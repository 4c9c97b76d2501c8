package store_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"

	"maskline/store"
	"maskline/store/storetest"
)

func TestTenants(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.DB) {
		ctx := context.Background()

		sf := &store.Tenant{Name: "sf-express", GraceSeconds: 3600,
			FallbackAreas: []string{"0755", "020"}, WebhookURL: "https://sf.example/hook",
			WebhookSecret: "k1:sealed-secret"}
		require.NoError(t, s.CreateTenant(ctx, sf))
		require.NotZero(t, sf.ID)
		require.False(t, sf.CreatedAt.IsZero())

		yt := &store.Tenant{Name: "yto"}
		require.NoError(t, s.CreateTenant(ctx, yt))
		require.NotEqual(t, sf.ID, yt.ID)

		got, err := s.GetTenant(ctx, sf.ID)
		require.NoError(t, err)
		require.Equal(t, sf, got)

		byName, err := s.TenantByName(ctx, "yto")
		require.NoError(t, err)
		require.Equal(t, yt, byName)
		require.Nil(t, byName.FallbackAreas)

		all, err := s.ListTenants(ctx)
		require.NoError(t, err)
		require.Equal(t, []store.Tenant{*sf, *yt}, all)
	})
}

func TestTenantErrors(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.DB) {
		ctx := context.Background()
		require.NoError(t, s.CreateTenant(ctx, &store.Tenant{Name: "zto"}))

		err := s.CreateTenant(ctx, &store.Tenant{Name: "zto"})
		require.ErrorIs(t, err, store.ErrConflict)
		require.Contains(t, err.Error(), "create tenant")

		// Names compare byte for byte in both dialects.
		require.NoError(t, s.CreateTenant(ctx, &store.Tenant{Name: "ZTO"}))

		_, err = s.GetTenant(ctx, 9999)
		require.ErrorIs(t, err, store.ErrNotFound)
		_, err = s.TenantByName(ctx, "nobody")
		require.ErrorIs(t, err, store.ErrNotFound)
		require.Error(t, s.CreateTenant(ctx, &store.Tenant{}))
	})
}

func TestAPIKeys(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.DB) {
		ctx := context.Background()

		k := &store.APIKey{TenantID: 7, Name: "label printer", Hash: "ab12",
			Scopes: []string{"tenant", "reveal"}}
		require.NoError(t, s.CreateAPIKey(ctx, k))
		require.NotZero(t, k.ID)

		admin := &store.APIKey{Name: "pool admin", Hash: "cd34", Scopes: []string{"admin"}}
		require.NoError(t, s.CreateAPIKey(ctx, admin))

		got, err := s.APIKeyByHash(ctx, "ab12")
		require.NoError(t, err)
		require.Equal(t, k, got)
		got, err = s.APIKeyByHash(ctx, "cd34")
		require.NoError(t, err)
		require.Equal(t, int64(0), got.TenantID)

		_, err = s.APIKeyByHash(ctx, "AB12")
		require.ErrorIs(t, err, store.ErrNotFound)
		err = s.CreateAPIKey(ctx, &store.APIKey{Hash: "ab12"})
		require.ErrorIs(t, err, store.ErrConflict)
	})
}
