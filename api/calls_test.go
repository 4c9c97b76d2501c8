package api_test

import (
	"context"
	"net/http"
	"testing"
	"time"

	"maskline/store"
	"maskline/store/storetest"
)

// insertCall stores a call record of binding b for tenant, with the
// canaries as caller and callee.
func (f *fixture) insertCall(t *testing.T, id, bindingID string, tenantID int64,
	at time.Time) {
	t.Helper()
	rec := &store.CallRecord{
		ID: id, BindingID: bindingID, TenantID: tenantID, Mode: "AXB", X: "+8617010000001",
		CallerSealed: f.keys.Seal("+86" + canaryA), CalleeSealed: f.keys.Seal("+86" + canaryB),
		Direction: "a_to_peer", InviteAt: at, AnswerAt: at.Add(2 * time.Second),
		EndAt: at.Add(62 * time.Second), DurationS: 62, BillSec: 60, ReleaseSide: "caller",
		ReleaseCode: 200, ReleaseQ850: 16, UnconnectedReason: "none",
	}
	if err := f.st.InsertCall(context.Background(), rec); err != nil {
		t.Fatalf("insert call: %v", err)
	}
}

type callList struct {
	Calls []struct {
		ID       string `json:"id"`
		Caller   string `json:"caller"`
		Callee   string `json:"callee"`
		X        string `json:"x"`
		BillSec  int    `json:"billsec"`
		TenantID int64  `json:"tenant_id"`
	} `json:"calls"`
}

func TestCalls(t *testing.T) {
	f := newFixture(t, storetest.SQLite(t))
	c := f.create(t, f.keyAcme, axb())
	day := time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC)
	f.insertCall(t, "call-1", c.ID, f.acme.ID, day)
	f.insertCall(t, "call-2", c.ID, f.acme.ID, day.Add(24*time.Hour))
	f.insertCall(t, "call-3", "", f.other.ID, day)

	cases := []struct {
		name, key, query string
		want             []string
	}{
		{"own calls", f.keyAcme, "", []string{"call-1", "call-2"}},
		{"by binding", f.keyAcme, "?binding_id=" + c.ID, []string{"call-1", "call-2"}},
		{"from", f.keyAcme, "?from=2026-03-02T00:00:00Z", []string{"call-2"}},
		{"to", f.keyAcme, "?to=2026-03-01T23:00:00%2B08:00", []string{"call-1"}},
		{"other tenant", f.keyOther, "?binding_id=" + c.ID, nil},
		{"admin", f.keyAdmin, "", []string{"call-1", "call-2", "call-3"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := f.send(t, http.MethodGet, "/v1/calls"+tc.query, tc.key, nil)
			r.expectStatus(t, http.StatusOK)
			var got callList
			r.decode(t, &got)
			ids := map[string]bool{}
			for _, c := range got.Calls {
				ids[c.ID] = true
				if c.Caller != "138****5678" || c.Callee != "139****4321" {
					t.Fatalf("numbers not masked: %s", r.raw)
				}
			}
			if len(ids) != len(tc.want) {
				t.Fatalf("got %v, want %v", ids, tc.want)
			}
			for _, id := range tc.want {
				if !ids[id] {
					t.Fatalf("got %v, want %v", ids, tc.want)
				}
			}
			assertNoCanary(t, r.raw)
		})
	}
}

func TestGetCall(t *testing.T) {
	f := newFixture(t, storetest.SQLite(t))
	f.insertCall(t, "call-1", "", f.acme.ID, time.Now())

	r := f.send(t, http.MethodGet, "/v1/calls/call-1", f.keyAcme, nil)
	r.expectStatus(t, http.StatusOK)
	var got map[string]any
	r.decode(t, &got)
	if got["caller"] != "138****5678" || got["billsec"] != 60.0 || got["x"] != "17010000001" {
		t.Fatalf("call: %s", r.raw)
	}
	assertNoCanary(t, r.raw)

	f.send(t, http.MethodGet, "/v1/calls/call-1", f.keyOther, nil).expectError(t,
		http.StatusNotFound, "not_found")
	f.send(t, http.MethodGet, "/v1/calls/call-1", f.keyAdmin, nil).expectStatus(t,
		http.StatusOK)
	for _, q := range []string{"?from=yesterday", "?limit=0",
		"?from=2026-03-02T00:00:00Z&to=2026-03-01T00:00:00Z"} {
		f.send(t, http.MethodGet, "/v1/calls"+q, f.keyAcme, nil).expectError(t,
			http.StatusBadRequest, "invalid_input")
	}
}
