package binding_test

import (
	"bytes"
	"testing"
	"time"

	"maskline/billing"
	"maskline/binding"
	"maskline/phone"
	"maskline/pool"
	"maskline/store"
	"maskline/store/storetest"
)

// TestNoPlainNumbersAtRest drives every path that stores a real number —
// bindings of all modes, a changed B, an AXE callback party, the
// blacklist, call records, a reveal's audit — with canary numbers, then
// searches every byte of the database for their digits.
func TestNoPlainNumbersAtRest(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.DB) {
		f := newFixture(t, st, pool.DefaultConfig())
		canaries := []string{"13911112222", "13822223333", "13733334444", "13644445555"}
		a, b, n, caller := canaries[0], canaries[1], canaries[2], canaries[3]

		axb := f.create(t, binding.CreateRequest{Mode: binding.AXB, A: a, B: n, OutID: "SF9"})
		if _, err := f.svc.Update(ctx, f.tenant.ID, axb.ID, binding.Patch{B: ptr(b)}); err != nil {
			t.Fatal(err)
		}
		f.create(t, binding.CreateRequest{Mode: binding.AXN, A: a, N: n})
		axe := f.create(t, binding.CreateRequest{Mode: binding.AXE, A: b})
		d, err := f.route(caller, axe.X.National()+"-"+axe.Extension, "")
		if err != nil {
			t.Fatal(err)
		}
		if err := f.svc.Reached(ctx, d); err != nil {
			t.Fatal(err)
		}
		if err := f.svc.Blacklist(ctx, caller, "probe"); err != nil {
			t.Fatal(err)
		}
		if _, err := f.svc.Reveal(ctx, binding.Actor{KeyID: 1, TenantID: f.tenant.ID},
			axb.ID, "audit probe"); err != nil {
			t.Fatal(err)
		}
		recordCall(t, st, d)

		raw := storetest.Dump(t, st)
		if !bytes.Contains(raw, []byte(axb.ID)) {
			t.Fatal("the dump misses the stored bindings")
		}
		for _, c := range canaries {
			if bytes.Contains(raw, []byte(c)) {
				t.Errorf("number %s found in clear at rest", phone.Mask(c))
			}
		}
	})
}

// recordCall writes a call record of d through the billing service.
func recordCall(t *testing.T, st *store.DB, d binding.Decision) {
	t.Helper()
	calls := billing.NewService(st, storetest.Keyring(t), nil)
	now := time.Now()
	err := calls.Record(ctx, &billing.CallRecord{BindingID: d.BindingID, TenantID: d.TenantID,
		Mode: string(d.Mode), X: d.X, Caller: d.Caller, Callee: d.Callee,
		Direction: string(d.Direction), InviteAt: now, EndAt: now, UnconnectedReason: "none"})
	if err != nil {
		t.Fatal(err)
	}
	calls.Start()
	calls.Close(ctx)
}
