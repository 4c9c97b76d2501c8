package tenant_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"maskline/store"
	"maskline/store/storetest"
	"maskline/tenant"
)

var ctx = context.Background()

func TestKeysAndAuthentication(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.DB) {
		s := tenant.New(st)
		tn, key, err := s.AddTenant(ctx, "sf-express", tenant.ScopeReveal)
		if err != nil {
			t.Fatal(err)
		}
		admin, err := s.AddAdmin(ctx, "pool-admin")
		if err != nil {
			t.Fatal(err)
		}
		second, err := s.AddKey(ctx, "sf-express")
		if err != nil {
			t.Fatal(err)
		}

		cases := []struct {
			name     string
			key      string
			tenantID int64
			scopes   []string
		}{
			{"tenant key with reveal", key, tn.ID, []string{"tenant", "reveal"}},
			{"second tenant key", second, tn.ID, []string{"tenant"}},
			{"admin key", admin, 0, []string{"admin"}},
		}
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				p, err := s.Authenticate(ctx, tc.key)
				if err != nil {
					t.Fatal(err)
				}
				if p.TenantID != tc.tenantID || strings.Join(p.Scopes, ",") !=
					strings.Join(tc.scopes, ",") {
					t.Fatalf("principal = %+v", p)
				}
				// A second look is served from the cache with the same answer.
				again, err := s.Authenticate(ctx, tc.key)
				if err != nil || again.KeyID != p.KeyID {
					t.Fatalf("cached principal = %+v, %v", again, err)
				}
			})
		}

		k, err := st.APIKeyByHash(ctx, tenant.Hash(key))
		if err != nil || strings.Contains(k.Hash, key) || k.Hash == key {
			t.Fatalf("stored key = %+v, %v; want only a hash", k, err)
		}
	})
}

func TestAuthenticateRefuses(t *testing.T) {
	s := tenant.New(storetest.SQLite(t))
	_, key, err := s.AddTenant(ctx, "zto")
	if err != nil {
		t.Fatal(err)
	}
	for name, bad := range map[string]string{
		"empty":        "",
		"no prefix":    strings.TrimPrefix(key, "mlk_"),
		"one changed":  key[:len(key)-1] + "x",
		"very long":    "mlk_" + strings.Repeat("a", 200),
		"other format": "Basic abc",
	} {
		t.Run(name, func(t *testing.T) {
			if _, err := s.Authenticate(ctx, bad); !errors.Is(err, tenant.ErrUnauthenticated) {
				t.Fatalf("error = %v, want ErrUnauthenticated", err)
			}
		})
	}
}

func TestAddErrors(t *testing.T) {
	st := storetest.SQLite(t)
	s := tenant.New(st)
	if _, _, err := s.AddTenant(ctx, "yto"); err != nil {
		t.Fatal(err)
	}

	cases := []struct {
		name string
		call func() error
		want error
	}{
		{"empty name", func() error { _, _, err := s.AddTenant(ctx, ""); return err },
			tenant.ErrInvalidName},
		{"bad characters", func() error { _, _, err := s.AddTenant(ctx, "a b"); return err },
			tenant.ErrInvalidName},
		{"long name", func() error {
			_, _, err := s.AddTenant(ctx, strings.Repeat("n", 65))
			return err
		}, tenant.ErrInvalidName},
		{"duplicate", func() error { _, _, err := s.AddTenant(ctx, "yto"); return err },
			store.ErrConflict},
		{"admin bad name", func() error { _, err := s.AddAdmin(ctx, "x/y"); return err },
			tenant.ErrInvalidName},
		{"key for unknown tenant", func() error { _, err := s.AddKey(ctx, "nobody"); return err },
			store.ErrNotFound},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if err := tc.call(); !errors.Is(err, tc.want) {
				t.Fatalf("error = %v, want %v", err, tc.want)
			}
		})
	}
	if _, _, err := s.AddTenant(ctx, "sto", "superuser"); err == nil {
		t.Fatal("unknown scope accepted")
	}
	if _, err := st.TenantByName(ctx, "sto"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("a refused tenant was stored: %v", err)
	}
}

func TestGet(t *testing.T) {
	s := tenant.New(storetest.SQLite(t))
	tn, _, _ := s.AddTenant(ctx, "jd")

	got, err := s.Get(ctx, tn.ID)
	if err != nil || got.Name != "jd" {
		t.Fatalf("Get = %+v, %v", got, err)
	}
	got.Name = "changed by caller"
	again, _ := s.Get(ctx, tn.ID)
	if again.Name != "jd" {
		t.Fatal("a caller's change leaked into the cache")
	}
	if _, err := s.Get(ctx, 999); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("Get unknown = %v, want ErrNotFound", err)
	}
	if _, err := s.ByName(ctx, "nobody"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("ByName unknown = %v", err)
	}
}
