package binding_test

import (
	"testing"
	"time"

	"maskline/binding"
	"maskline/pool"
	"maskline/store"
	"maskline/store/storetest"
)

func TestRouteAXB(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.DB) {
		f := newFixture(t, st, pool.DefaultConfig())
		b := f.create(t, binding.CreateRequest{Mode: binding.AXB, A: courier, B: recipient})
		x := b.X.National()
		free := "17002100000" // a number of the pool that serves no binding
		if x == free {
			free = "17002100001"
		}

		cases := []struct {
			name, caller, dialled string
			callee                string
			dir                   binding.Direction
			reason                binding.Reason
		}{
			{"A calls B", courier, x, recipient, binding.AToPeer, ""},
			{"B calls A", recipient, x, courier, binding.PeerToA, ""},
			{"A in E.164", "+86" + courier, b.X.E164(), recipient, binding.AToPeer, ""},
			{"stranger", stranger, x, "", "", binding.NotAllowed},
			{"withheld caller", "anonymous", x, "", "", binding.NotAllowed},
			{"unknown X", courier, "17099999999", "", "", binding.NoBinding},
			{"free X of the pool", courier, free, "", "", binding.NoBinding},
			{"garbage dialled", courier, "hello", "", "", binding.NoBinding},
		}
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				d, err := f.route(tc.caller, tc.dialled, "")
				checkRoute(t, d, err, tc.callee, tc.dir, tc.reason)
				if err == nil && (d.X != b.X || d.BindingID != b.ID) {
					t.Fatalf("decision %+v does not present X of the binding", d)
				}
			})
		}
	})
}

// checkRoute asserts a routed call goes to callee in direction dir, or is
// refused with reason.
func checkRoute(t *testing.T, d binding.Decision, err error, callee string,
	dir binding.Direction, reason binding.Reason) {
	t.Helper()
	if reason != "" {
		if got := binding.RefusalReason(err); got != reason {
			t.Fatalf("refusal = %q (err %v), want %q", got, err, reason)
		}
		return
	}
	if err != nil {
		t.Fatalf("route: %v", err)
	}
	if d.Callee.National() != callee || d.Direction != dir {
		t.Fatalf("routed to %s %s, want %s %s", d.Callee, d.Direction,
			callee[:3]+"…", dir)
	}
}

func TestRouteAXNAndAXE(t *testing.T) {
	f := newFixture(t, storetest.SQLite(t), pool.DefaultConfig())
	axn := f.create(t, binding.CreateRequest{Mode: binding.AXN, A: sender, N: recipient})
	axnNoN := f.create(t, binding.CreateRequest{Mode: binding.AXN, A: recipient})
	axe := f.create(t, binding.CreateRequest{Mode: binding.AXE, A: courier})
	xe := axe.X.National()
	wrongExt := "0000"

	cases := []struct {
		name, caller, dialled, ext string
		callee                     string
		dir                        binding.Direction
		reason                     binding.Reason
	}{
		{"AXN anyone reaches A", stranger, axn.X.National(), "", sender, binding.PeerToA, ""},
		{"AXN withheld reaches A", "", axn.X.National(), "", sender, binding.PeerToA, ""},
		{"AXN A reaches N", sender, axn.X.National(), "", recipient, binding.AToPeer, ""},
		{"AXN A without N", recipient, axnNoN.X.National(), "", "", "", binding.NotAllowed},
		{"AXE X-E", stranger, xe + "-" + axe.Extension, "", courier, binding.PeerToA, ""},
		{"AXE X*E", stranger, xe + "*" + axe.Extension, "", courier, binding.PeerToA, ""},
		{"AXE ext parameter", stranger, xe, axe.Extension, courier, binding.PeerToA, ""},
		{"AXE wrong E", stranger, xe + "-" + wrongExt, "", "", "", binding.BadExtension},
		{"AXE E too long", stranger, xe + "-12345", "", "", "", binding.BadExtension},
		{"AXE E not digits", stranger, xe + "-12a", "", "", "", binding.BadExtension},
		{"AXE no E", stranger, xe, "", "", "", binding.NeedExt},
		{"AXE callback before any call", courier, xe, "", "", "", binding.NotAllowed},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			d, err := f.route(tc.caller, tc.dialled, tc.ext)
			checkRoute(t, d, err, tc.callee, tc.dir, tc.reason)
		})
	}
}

func TestAXECallback(t *testing.T) {
	f := newFixture(t, storetest.SQLite(t), pool.DefaultConfig())
	axe := f.create(t, binding.CreateRequest{Mode: binding.AXE, A: courier})
	x := axe.X.National()

	d, err := f.route(stranger, x+"-"+axe.Extension, "")
	if err != nil {
		t.Fatal(err)
	}
	if err := f.svc.Reached(ctx, d); err != nil {
		t.Fatal(err)
	}

	d, err = f.route(courier, x, "")
	checkRoute(t, d, err, stranger, binding.Callback, "")
	if d.Extension != axe.Extension {
		t.Fatalf("callback extension = %q, want %q", d.Extension, axe.Extension)
	}

	f.clock.Advance(25 * time.Hour)
	_, err = f.route(courier, x, "")
	checkRoute(t, binding.Decision{}, err, "", "", binding.Expired)
}

func TestAXECallbackWindow(t *testing.T) {
	f := newFixture(t, storetest.SQLite(t), pool.DefaultConfig())
	axe := f.create(t, binding.CreateRequest{Mode: binding.AXE, A: courier,
		TTLSeconds: 7 * 24 * 3600})
	x := axe.X.National()

	d, err := f.route(stranger, x+"-"+axe.Extension, "")
	if err != nil {
		t.Fatal(err)
	}
	if err := f.svc.Reached(ctx, d); err != nil {
		t.Fatal(err)
	}
	f.clock.Advance(25 * time.Hour)

	_, err = f.route(courier, x, "")
	checkRoute(t, binding.Decision{}, err, "", "", binding.NotAllowed)
}

func TestRouteRestrictions(t *testing.T) {
	f := newFixture(t, storetest.SQLite(t), pool.DefaultConfig())
	mk := func(mode binding.Mode, r binding.Restrict, a, b string) *binding.Binding {
		return f.create(t, binding.CreateRequest{Mode: mode, A: a, B: b, CallRestrict: r})
	}
	aOnly := mk(binding.AXB, binding.RestrictAOnly, courier, recipient)
	bOnly := mk(binding.AXB, binding.RestrictBOnly, courier, sender)
	axnAOnly := mk(binding.AXN, binding.RestrictAOnly, stranger, "")
	axeAOnly := mk(binding.AXE, binding.RestrictAOnly, recipient, "")

	cases := []struct {
		name, caller, dialled string
		reason                binding.Reason
	}{
		{"a_only: A may call", courier, aOnly.X.National(), ""},
		{"a_only: B may not", recipient, aOnly.X.National(), binding.NotAllowed},
		{"b_only: B may call", sender, bOnly.X.National(), ""},
		{"b_only: A may not", courier, bOnly.X.National(), binding.NotAllowed},
		{"AXN a_only: others may not", courier, axnAOnly.X.National(), binding.NotAllowed},
		{"AXE a_only: peers may not", courier,
			axeAOnly.X.National() + "-" + axeAOnly.Extension, binding.NotAllowed},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := f.route(tc.caller, tc.dialled, "")
			if got := binding.RefusalReason(err); got != tc.reason {
				t.Fatalf("refusal = %q (err %v), want %q", got, err, tc.reason)
			}
		})
	}
}

func TestRouteBlacklist(t *testing.T) {
	f := newFixture(t, storetest.SQLite(t), pool.DefaultConfig())
	b := f.create(t, binding.CreateRequest{Mode: binding.AXN, A: courier})

	if err := f.svc.Blacklist(ctx, stranger, "fraud"); err != nil {
		t.Fatal(err)
	}
	_, err := f.route(stranger, b.X.National(), "")
	checkRoute(t, binding.Decision{}, err, "", "", binding.Blacklisted)

	if err := f.svc.Unblacklist(ctx, stranger); err != nil {
		t.Fatal(err)
	}
	d, err := f.route(stranger, b.X.National(), "")
	checkRoute(t, d, err, courier, binding.PeerToA, "")
}
