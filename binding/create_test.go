package binding_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"maskline/binding"
	"maskline/pool"
	"maskline/store"
	"maskline/store/storetest"
)

func TestCreateModes(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.DB) {
		f := newFixture(t, st, pool.DefaultConfig())

		axb := f.create(t, binding.CreateRequest{Mode: binding.AXB, A: courier, B: recipient,
			AreaCode: "010", OutID: "SF1000"})
		if axb.X.IsZero() || axb.Extension != "" || axb.A.E164() != "+86"+courier {
			t.Fatalf("AXB binding = %+v", axb)
		}
		if axb.State != "active" || !strings.HasPrefix(axb.X.National(), "170010") {
			t.Fatalf("AXB state %s, x %s", axb.State, axb.X.National())
		}

		axe := f.create(t, binding.CreateRequest{Mode: binding.AXE, A: recipient,
			AreaCode: "010"})
		if len(axe.Extension) != 4 || axe.Label() != axe.X.National()+" ext "+axe.Extension {
			t.Fatalf("AXE extension %q label %q", axe.Extension, axe.Label())
		}
		if axe.X == axb.X {
			t.Fatal("AXE binding shares a number with an AXB binding")
		}

		axn := f.create(t, binding.CreateRequest{Mode: binding.AXN, A: sender, N: stranger,
			AreaCode: "010"})
		if axn.X == axb.X || axn.X == axe.X {
			t.Fatal("AXN binding does not own its number alone")
		}

		got, err := f.svc.Get(ctx, f.tenant.ID, axb.ID)
		if err != nil || got.B.E164() != "+86"+recipient || got.OutID != "SF1000" {
			t.Fatalf("Get = %+v, %v", got, err)
		}
	})
}

func TestCreateInvalid(t *testing.T) {
	f := newFixture(t, storetest.SQLite(t), pool.DefaultConfig())
	now := f.clock.Now()

	cases := []struct {
		name  string
		req   binding.CreateRequest
		field string
	}{
		{"no mode", binding.CreateRequest{A: courier, B: recipient, TTLSeconds: 60}, "mode"},
		{"unknown mode", binding.CreateRequest{Mode: "AXY", A: courier, TTLSeconds: 60},
			"mode"},
		{"bad a", binding.CreateRequest{Mode: binding.AXN, A: "12345", TTLSeconds: 60}, "a"},
		{"missing a", binding.CreateRequest{Mode: binding.AXN, TTLSeconds: 60}, "a"},
		{"AXB without b", binding.CreateRequest{Mode: binding.AXB, A: courier,
			TTLSeconds: 60}, "b"},
		{"AXB a equals b", binding.CreateRequest{Mode: binding.AXB, A: courier,
			B: "+86" + courier, TTLSeconds: 60}, "b"},
		{"b on AXE", binding.CreateRequest{Mode: binding.AXE, A: courier, B: recipient,
			TTLSeconds: 60}, "b"},
		{"n on AXB", binding.CreateRequest{Mode: binding.AXB, A: courier, B: recipient,
			N: sender, TTLSeconds: 60}, "n"},
		{"bad n", binding.CreateRequest{Mode: binding.AXN, A: courier, N: "x",
			TTLSeconds: 60}, "n"},
		{"no expiry", binding.CreateRequest{Mode: binding.AXN, A: courier}, "expires_at"},
		{"both expiries", binding.CreateRequest{Mode: binding.AXN, A: courier,
			TTLSeconds: 600, ExpiresAt: now.Add(time.Hour)}, "expires_at"},
		{"ttl too short", binding.CreateRequest{Mode: binding.AXN, A: courier,
			TTLSeconds: 59}, "expires_at"},
		{"ttl negative", binding.CreateRequest{Mode: binding.AXN, A: courier,
			TTLSeconds: -5}, "ttl_seconds"},
		{"expiry too far", binding.CreateRequest{Mode: binding.AXN, A: courier,
			ExpiresAt: now.Add(91 * 24 * time.Hour)}, "expires_at"},
		{"expiry in the past", binding.CreateRequest{Mode: binding.AXN, A: courier,
			ExpiresAt: now.Add(-time.Hour)}, "expires_at"},
		{"bad restrict", binding.CreateRequest{Mode: binding.AXN, A: courier,
			TTLSeconds: 60, CallRestrict: "nobody"}, "call_restrict"},
		{"bad area match", binding.CreateRequest{Mode: binding.AXN, A: courier,
			TTLSeconds: 60, AreaMatch: "nearby"}, "area_match"},
		{"bad area code", binding.CreateRequest{Mode: binding.AXN, A: courier,
			TTLSeconds: 60, AreaCode: "01a"}, "area_code"},
		{"long out_id", binding.CreateRequest{Mode: binding.AXN, A: courier,
			TTLSeconds: 60, OutID: strings.Repeat("w", 129)}, "out_id"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := f.svc.Create(ctx, f.tenant, tc.req)
			var ie *binding.InvalidError
			if !errors.As(err, &ie) || !errors.Is(err, binding.ErrInvalid) {
				t.Fatalf("error = %v, want an InvalidError", err)
			}
			if ie.Field != tc.field {
				t.Fatalf("field = %q, want %q", ie.Field, tc.field)
			}
			if strings.Contains(err.Error(), courier) {
				t.Fatalf("error %q names a real number", err)
			}
		})
	}
}

func TestCreateExpiryBounds(t *testing.T) {
	f := newFixture(t, storetest.SQLite(t), pool.DefaultConfig())
	now := f.clock.Now()

	for _, d := range []time.Duration{time.Minute, 90 * 24 * time.Hour} {
		b := f.create(t, binding.CreateRequest{Mode: binding.AXE, A: courier,
			ExpiresAt: now.Add(d)})
		if !b.ExpiresAt.Equal(now.Add(d)) {
			t.Fatalf("expires_at = %v, want %v", b.ExpiresAt, now.Add(d))
		}
		if err := f.svc.Unbind(ctx, f.tenant.ID, b.ID); err != nil {
			t.Fatal(err)
		}
	}
}

func TestTenantIsolation(t *testing.T) {
	f := newFixture(t, storetest.SQLite(t), pool.DefaultConfig())
	b := f.create(t, binding.CreateRequest{Mode: binding.AXB, A: courier, B: recipient,
		OutID: "SF1"})
	restrict := binding.RestrictAOnly

	calls := map[string]func() error{
		"get": func() error { _, err := f.svc.Get(ctx, f.other.ID, b.ID); return err },
		"update": func() error {
			_, err := f.svc.Update(ctx, f.other.ID, b.ID,
				binding.Patch{CallRestrict: &restrict})
			return err
		},
		"delivered": func() error { _, err := f.svc.Delivered(ctx, f.other, b.ID); return err },
		"unbind":    func() error { return f.svc.Unbind(ctx, f.other.ID, b.ID) },
		"reveal": func() error {
			_, err := f.svc.Reveal(ctx, binding.Actor{TenantID: f.other.ID}, b.ID, "check")
			return err
		},
	}
	for name, call := range calls {
		t.Run(name, func(t *testing.T) {
			if err := call(); !errors.Is(err, binding.ErrNotFound) {
				t.Fatalf("error = %v, want ErrNotFound", err)
			}
		})
	}

	list, err := f.svc.ByOutID(ctx, f.other.ID, "SF1")
	if err != nil || len(list) != 0 {
		t.Fatalf("other tenant's waybill lookup = %v, %v; want nothing", list, err)
	}
	got, err := f.svc.Get(ctx, f.tenant.ID, b.ID)
	if err != nil || got.CallRestrict != binding.RestrictNone || got.State != "active" {
		t.Fatalf("binding changed by another tenant: %+v, %v", got, err)
	}
}
