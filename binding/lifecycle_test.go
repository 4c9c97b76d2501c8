package binding_test

import (
	"errors"
	"testing"
	"time"

	"maskline/binding"
	"maskline/pool"
	"maskline/store"
	"maskline/store/storetest"
)

func TestExpiryCooldownRelease(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.DB) {
		f := newFixture(t, st, pool.DefaultConfig())
		b := f.create(t, binding.CreateRequest{Mode: binding.AXB, A: courier, B: recipient,
			TTLSeconds: 600, AreaCode: "021", AreaMatch: "strict"})
		x := b.X.National()

		f.clock.Advance(601 * time.Second)
		_, err := f.route(courier, x, "")
		checkRoute(t, binding.Decision{}, err, "", "", binding.Expired)
		if got, _ := f.svc.Get(ctx, f.tenant.ID, b.ID); got.State != "expired" {
			t.Fatalf("state before the job ran = %q, want expired", got.State)
		}

		n, err := f.svc.ExpireDue(ctx)
		if err != nil || n != 1 {
			t.Fatalf("ExpireDue = %d, %v; want 1", n, err)
		}
		_, err = f.route(recipient, x, "")
		checkRoute(t, binding.Decision{}, err, "", "", binding.Expired)

		// During cool-down the pair's keys are not handed out again on X.
		again := f.create(t, binding.CreateRequest{Mode: binding.AXB, A: courier,
			B: recipient, AreaCode: "021"})
		if again.X == b.X {
			t.Fatal("a key in cool-down was handed to a new binding")
		}
		if err := f.svc.Unbind(ctx, f.tenant.ID, again.ID); err != nil {
			t.Fatal(err)
		}

		if n, err := f.svc.ReleaseCooled(ctx); err != nil || n != 0 {
			t.Fatalf("ReleaseCooled during cool-down = %d, %v; want 0", n, err)
		}
		f.clock.Advance(24 * time.Hour)
		if n, err := f.svc.ReleaseCooled(ctx); err != nil || n != 2 {
			t.Fatalf("ReleaseCooled after cool-down = %d, %v; want 2", n, err)
		}
		_, err = f.route(courier, x, "")
		checkRoute(t, binding.Decision{}, err, "", "", binding.NoBinding)

		num, err := st.GetNumber(ctx, b.X.E164())
		if err != nil || num.Bindings != 0 || num.Mode != "" {
			t.Fatalf("released number = %+v, %v; want free", num, err)
		}
	})
}

func TestDelivered(t *testing.T) {
	f := newFixture(t, storetest.SQLite(t), pool.DefaultConfig())
	now := f.clock.Now()
	long := f.create(t, binding.CreateRequest{Mode: binding.AXE, A: courier,
		TTLSeconds: 7 * 24 * 3600})
	short := f.create(t, binding.CreateRequest{Mode: binding.AXE, A: recipient,
		TTLSeconds: 3600})

	got, err := f.svc.Delivered(ctx, f.tenant, long.ID)
	if err != nil || got.State != "delivered" || !got.ExpiresAt.Equal(now.Add(24*time.Hour)) {
		t.Fatalf("delivered long binding: %+v, %v", got, err)
	}
	got, err = f.svc.Delivered(ctx, f.tenant, short.ID)
	if err != nil || !got.ExpiresAt.Equal(short.ExpiresAt) {
		t.Fatalf("delivered must not lengthen a binding: %v, %v", got.ExpiresAt, err)
	}

	f.tenant.GraceSeconds = 3600
	third := f.create(t, binding.CreateRequest{Mode: binding.AXE, A: sender,
		TTLSeconds: 7 * 24 * 3600})
	got, err = f.svc.Delivered(ctx, f.tenant, third.ID)
	if err != nil || !got.ExpiresAt.Equal(now.Add(time.Hour)) {
		t.Fatalf("tenant grace not applied: %v, %v", got.ExpiresAt, err)
	}

	if err := f.svc.Unbind(ctx, f.tenant.ID, third.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.Delivered(ctx, f.tenant, third.ID); !errors.Is(err, binding.ErrConflict) {
		t.Fatalf("delivered after unbind: %v, want ErrConflict", err)
	}
}

func TestUnbind(t *testing.T) {
	f := newFixture(t, storetest.SQLite(t), pool.DefaultConfig())
	b := f.create(t, binding.CreateRequest{Mode: binding.AXN, A: courier})

	if err := f.svc.Unbind(ctx, f.tenant.ID, b.ID); err != nil {
		t.Fatal(err)
	}
	if err := f.svc.Unbind(ctx, f.tenant.ID, b.ID); err != nil {
		t.Fatalf("second unbind: %v, want no error", err)
	}
	_, err := f.route(stranger, b.X.National(), "")
	checkRoute(t, binding.Decision{}, err, "", "", binding.Expired)

	got, err := f.svc.Get(ctx, f.tenant.ID, b.ID)
	if err != nil || got.State != "unbound" {
		t.Fatalf("state = %+v, %v; want unbound", got, err)
	}
	if err := f.svc.Unbind(ctx, f.tenant.ID, "no-such-id"); !errors.Is(err, binding.ErrNotFound) {
		t.Fatalf("unbind unknown id: %v, want ErrNotFound", err)
	}
}

func TestUpdate(t *testing.T) {
	f := newFixture(t, storetest.SQLite(t), pool.DefaultConfig())
	b := f.create(t, binding.CreateRequest{Mode: binding.AXB, A: courier, B: recipient,
		AreaCode: "021"})
	other := f.create(t, binding.CreateRequest{Mode: binding.AXB, A: courier, B: sender,
		AreaCode: "021"})

	newB := stranger
	got, err := f.svc.Update(ctx, f.tenant.ID, b.ID, binding.Patch{B: &newB})
	if err != nil || got.B.National() != stranger || got.X != b.X {
		t.Fatalf("update b: %+v, %v", got, err)
	}
	d, err := f.route(stranger, b.X.National(), "")
	checkRoute(t, d, err, courier, binding.PeerToA, "")
	_, err = f.route(recipient, b.X.National(), "")
	checkRoute(t, binding.Decision{}, err, "", "", binding.NotAllowed)

	// sender already has a binding with the courier; if both sit on one X
	// the change must be refused, never silently moved to another X.
	if other.X == b.X {
		s := sender
		if _, err := f.svc.Update(ctx, f.tenant.ID, b.ID, binding.Patch{B: &s}); !errors.Is(
			err, binding.ErrConflict) {
			t.Fatalf("update to a B already on X: %v, want ErrConflict", err)
		}
	}

	bad := []struct {
		name  string
		patch binding.Patch
	}{
		{"b equals a", binding.Patch{B: ptr(courier)}},
		{"bad b", binding.Patch{B: ptr("123")}},
		{"expiry in the past", binding.Patch{ExpiresAt: ptr(f.clock.Now().Add(-time.Hour))}},
		{"bad restrict", binding.Patch{CallRestrict: ptr(binding.Restrict("x"))}},
	}
	for _, tc := range bad {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := f.svc.Update(ctx, f.tenant.ID, b.ID, tc.patch); !errors.Is(err,
				binding.ErrInvalid) {
				t.Fatalf("error = %v, want ErrInvalid", err)
			}
		})
	}
}

func ptr[T any](v T) *T { return &v }

func TestRevealWritesAudit(t *testing.T) {
	f := newFixture(t, storetest.SQLite(t), pool.DefaultConfig())
	b := f.create(t, binding.CreateRequest{Mode: binding.AXB, A: courier, B: recipient})
	who := binding.Actor{KeyID: 7, TenantID: f.tenant.ID}

	if _, err := f.svc.Reveal(ctx, who, b.ID, " "); !errors.Is(err, binding.ErrInvalid) {
		t.Fatalf("reveal without reason: %v, want ErrInvalid", err)
	}
	got, err := f.svc.Reveal(ctx, who, b.ID, "customer complaint 42")
	if err != nil || got.A.National() != courier || got.B.National() != recipient {
		t.Fatalf("reveal = %+v, %v", got, err)
	}
	recs, err := f.svc.Audit(ctx, f.tenant.ID, b.ID)
	if err != nil || len(recs) != 1 {
		t.Fatalf("audit = %v, %v; want one record", recs, err)
	}
	if r := recs[0]; r.KeyID != 7 || r.Action != "reveal" || r.Reason != "customer complaint 42" {
		t.Fatalf("audit record = %+v", r)
	}
}

func TestOnce(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.DB) {
		f := newFixture(t, st, pool.DefaultConfig())
		runs := 0
		do := func(status int) func() (binding.Answer, error) {
			return func() (binding.Answer, error) {
				runs++
				return binding.Answer{Status: status, Body: []byte("first")}, nil
			}
		}

		a, replayed, err := f.svc.Once(ctx, f.tenant.ID, "k1", "h1", do(201))
		if err != nil || replayed || a.Status != 201 {
			t.Fatalf("first call: %+v %v %v", a, replayed, err)
		}
		a, replayed, err = f.svc.Once(ctx, f.tenant.ID, "k1", "h1", do(201))
		if err != nil || !replayed || string(a.Body) != "first" || runs != 1 {
			t.Fatalf("retry: %+v replayed=%v runs=%d err=%v", a, replayed, runs, err)
		}
		if _, _, err := f.svc.Once(ctx, f.tenant.ID, "k1", "h2", do(201)); !errors.Is(err,
			binding.ErrKeyReused) {
			t.Fatalf("other body, same key: %v, want ErrKeyReused", err)
		}
		if _, replayed, _ := f.svc.Once(ctx, f.other.ID, "k1", "h1", do(201)); replayed {
			t.Fatal("another tenant's key replayed")
		}

		// A failed first attempt is forgotten, so the retry runs again.
		f.svc.Once(ctx, f.tenant.ID, "k2", "h", do(409))
		_, replayed, _ = f.svc.Once(ctx, f.tenant.ID, "k2", "h", do(201))
		if replayed || runs != 4 {
			t.Fatalf("retry after failure: replayed=%v runs=%d", replayed, runs)
		}
	})
}
