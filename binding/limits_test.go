package binding_test

import (
	"testing"
	"time"

	"maskline/binding"
	"maskline/pool"
	"maskline/store/storetest"
)

func TestCallerAttemptsPerHour(t *testing.T) {
	f := newFixture(t, storetest.SQLite(t), pool.DefaultConfig())
	b := f.create(t, binding.CreateRequest{Mode: binding.AXN, A: courier})
	x := b.X.National()

	// The default allows 30 attempts an hour from one caller; each call
	// that connects is ended at once so concurrency does not interfere.
	for i := range 30 {
		d, err := f.route(stranger, x, "")
		if err != nil {
			t.Fatalf("attempt %d: %v", i+1, err)
		}
		f.svc.Ended(ctx, d)
	}
	_, err := f.route(stranger, x, "")
	checkRoute(t, binding.Decision{}, err, "", "", binding.RateLimited)

	// Another caller is not affected, and refused attempts count too.
	if _, err := f.route(sender, x, ""); err != nil {
		t.Fatalf("another caller: %v", err)
	}
	f.clock.Advance(2 * time.Minute)
	d, err := f.route(stranger, x, "")
	checkRoute(t, d, err, courier, binding.PeerToA, "")
}

func TestConcurrentCallsPerBinding(t *testing.T) {
	f := newFixture(t, storetest.SQLite(t), pool.DefaultConfig())
	b := f.create(t, binding.CreateRequest{Mode: binding.AXN, A: courier})
	x := b.X.National()
	callers := []string{"13600000001", "13600000002", "13600000003", "13600000004",
		"13600000005"}

	var up []binding.Decision
	for _, c := range callers[:4] {
		d, err := f.route(c, x, "")
		if err != nil {
			t.Fatalf("call %d: %v", len(up)+1, err)
		}
		up = append(up, d)
	}
	_, err := f.route(callers[4], x, "")
	checkRoute(t, binding.Decision{}, err, "", "", binding.RateLimited)

	f.svc.Ended(ctx, up[0])
	d, err := f.route(callers[4], x, "")
	checkRoute(t, d, err, courier, binding.PeerToA, "")
}
