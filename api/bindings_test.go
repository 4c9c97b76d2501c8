package api_test

import (
	"context"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"maskline/store"
	"maskline/store/storetest"
)

// bindingBody is a binding as GET shows it.
type bindingBody struct {
	ID           string     `json:"id"`
	Mode         string     `json:"mode"`
	X            string     `json:"x"`
	XE164        string     `json:"x_e164"`
	Extension    string     `json:"extension"`
	Label        string     `json:"label"`
	A            string     `json:"a"`
	B            string     `json:"b"`
	N            string     `json:"n"`
	OutID        string     `json:"out_id"`
	Record       bool       `json:"record"`
	CallRestrict string     `json:"call_restrict"`
	State        string     `json:"state"`
	ExpiresAt    time.Time  `json:"expires_at"`
	EndedAt      *time.Time `json:"ended_at"`
}

func TestCreateModes(t *testing.T) {
	f := newFixture(t, storetest.SQLite(t))
	cases := []struct {
		name    string
		body    map[string]any
		ext     *regexp.Regexp
		maskedB string
	}{
		{"AXB", axb(), regexp.MustCompile(`^$`), "139****4321"},
		{"AXN with N", map[string]any{"mode": "AXN", "a": canaryA, "n": canaryN,
			"ttl_seconds": 600, "area_code": "021"}, regexp.MustCompile(`^$`), ""},
		{"AXN without N", map[string]any{"mode": "AXN", "a": "+86" + canaryB,
			"expires_at": time.Now().Add(2 * time.Hour).Format(time.RFC3339)},
			regexp.MustCompile(`^$`), ""},
		{"AXE", map[string]any{"mode": "AXE", "a": "86" + canaryA, "ttl_seconds": 600,
			"area_code": "010", "record": true, "call_restrict": "a_only"},
			regexp.MustCompile(`^[0-9]{4}$`), ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c := f.create(t, f.keyAcme, tc.body)
			if c.Mode != tc.body["mode"] || c.State != store.BindingActive {
				t.Fatalf("mode %q state %q", c.Mode, c.State)
			}
			if !tc.ext.MatchString(c.Extension) {
				t.Fatalf("extension %q", c.Extension)
			}
			if !strings.HasPrefix(c.XE164, "+86170") || "+86"+c.X != c.XE164 {
				t.Fatalf("x %q x_e164 %q", c.X, c.XE164)
			}
			wantLabel := c.X
			if c.Extension != "" {
				wantLabel += " ext " + c.Extension
			}
			if c.Label != wantLabel {
				t.Fatalf("label %q, want %q", c.Label, wantLabel)
			}

			var got bindingBody
			g := f.send(t, http.MethodGet, "/v1/bindings/"+c.ID, f.keyAcme, nil)
			g.expectStatus(t, http.StatusOK)
			g.decode(t, &got)
			if got.ID != c.ID || got.X != c.X || !got.ExpiresAt.Equal(c.ExpiresAt) {
				t.Fatalf("GET %+v does not match create %+v", got, c)
			}
			assertNoCanary(t, g.raw)
			if tc.body["mode"] == "AXB" && !strings.Contains(string(g.raw), tc.maskedB) {
				t.Fatalf("GET lacks masked b %s: %s", tc.maskedB, g.raw)
			}
		})
	}
}

// assertNoCanary fails when raw holds a canary number's hidden digits.
func assertNoCanary(t *testing.T, raw []byte) {
	t.Helper()
	for _, d := range canaryDigits {
		if strings.Contains(string(raw), d) {
			t.Fatalf("answer holds %s: %s", d, raw)
		}
	}
}

func TestGetMasksNumbers(t *testing.T) {
	f := newFixture(t, storetest.SQLite(t))
	c := f.create(t, f.keyAcme, axb())

	var got map[string]any
	r := f.send(t, http.MethodGet, "/v1/bindings/"+c.ID, f.keyAcme, nil)
	r.expectStatus(t, http.StatusOK)
	r.decode(t, &got)
	if got["a"] != "138****5678" || got["b"] != "139****4321" {
		t.Fatalf("a %v b %v, want masked", got["a"], got["b"])
	}
	if got["state"] != "active" || got["out_id"] != "SF1001" {
		t.Fatalf("state %v out_id %v", got["state"], got["out_id"])
	}
	assertNoCanary(t, r.raw)
}

func TestWaybillLookupHoldsNoNumbers(t *testing.T) {
	f := newFixture(t, storetest.SQLite(t))
	first := f.create(t, f.keyAcme, axb())
	second := f.create(t, f.keyAcme, map[string]any{"mode": "AXE", "a": canaryA,
		"ttl_seconds": 600, "out_id": "SF1001"})
	f.create(t, f.keyOther, axb()) // same waybill, another tenant

	r := f.send(t, http.MethodGet, "/v1/bindings?out_id=SF1001", f.keyAcme, nil)
	r.expectStatus(t, http.StatusOK)
	var got struct {
		Bindings []map[string]any `json:"bindings"`
	}
	r.decode(t, &got)
	if len(got.Bindings) != 2 {
		t.Fatalf("want acme's 2 bindings, got %s", r.raw)
	}
	ids := map[any]bool{got.Bindings[0]["id"]: true, got.Bindings[1]["id"]: true}
	if !ids[first.ID] || !ids[second.ID] {
		t.Fatalf("wrong bindings: %s", r.raw)
	}
	for _, b := range got.Bindings {
		for k := range b {
			switch k {
			case "id", "x", "extension", "label", "state", "expires_at":
			default:
				t.Fatalf("waybill lookup shows field %q: %s", k, r.raw)
			}
		}
	}
	assertNoCanary(t, r.raw)
	if strings.Contains(string(r.raw), "*") || strings.Contains(string(r.raw), "5678") {
		t.Fatalf("waybill lookup holds a masked number: %s", r.raw)
	}

	none := f.send(t, http.MethodGet, "/v1/bindings", f.keyAcme, nil)
	if e := none.expectError(t, http.StatusBadRequest, "invalid_input"); e.Field != "out_id" {
		t.Fatalf("field %q", e.Field)
	}

	admin := f.send(t, http.MethodGet, "/v1/bindings?out_id=SF1001&tenant_id="+
		itoa(f.other.ID), f.keyAdmin, nil)
	admin.expectStatus(t, http.StatusOK)
	admin.decode(t, &got)
	if len(got.Bindings) != 1 {
		t.Fatalf("admin lookup for the other tenant: %s", admin.raw)
	}
}

func TestPatchBinding(t *testing.T) {
	f := newFixture(t, storetest.SQLite(t))
	c := f.create(t, f.keyAcme, axb())
	at := time.Now().Add(48 * time.Hour).UTC().Truncate(time.Second)

	r := f.send(t, http.MethodPatch, "/v1/bindings/"+c.ID, f.keyAcme, map[string]any{
		"b": canaryOther, "expires_at": at.Format(time.RFC3339), "record": true})
	r.expectStatus(t, http.StatusOK)
	var got bindingBody
	r.decode(t, &got)
	if got.B != "186****6666" || !got.ExpiresAt.Equal(at) || !got.Record {
		t.Fatalf("patch not applied: %s", r.raw)
	}
	if got.CallRestrict != "none" || got.X != c.X {
		t.Fatalf("absent fields changed: %s", r.raw)
	}

	bad := f.send(t, http.MethodPatch, "/v1/bindings/"+c.ID, f.keyAcme,
		map[string]any{"call_restrict": "nobody"})
	if e := bad.expectError(t, http.StatusBadRequest, "invalid_input"); e.Field !=
		"call_restrict" {
		t.Fatalf("field %q", e.Field)
	}
}

func TestDeliveredShortensExpiry(t *testing.T) {
	f := newFixture(t, storetest.SQLite(t))
	c := f.create(t, f.keyAcme, with(axb(), "ttl_seconds", 7*24*3600))

	r := f.send(t, http.MethodPost, "/v1/bindings/"+c.ID+"/delivered", f.keyAcme, nil)
	r.expectStatus(t, http.StatusOK)
	var got bindingBody
	r.decode(t, &got)
	if got.State != store.BindingDelivered {
		t.Fatalf("state %q", got.State)
	}
	// Default grace is 24 h: the new expiry is about a day away, well
	// before the week it had.
	if !got.ExpiresAt.Before(c.ExpiresAt.Add(-5*24*time.Hour)) ||
		got.ExpiresAt.Before(time.Now().Add(23*time.Hour)) {
		t.Fatalf("expiry %v, was %v", got.ExpiresAt, c.ExpiresAt)
	}
}

func TestUnbind(t *testing.T) {
	f := newFixture(t, storetest.SQLite(t))
	c := f.create(t, f.keyAcme, axb())

	for range 2 { // unbinding twice is a no-op, not an error
		r := f.send(t, http.MethodDelete, "/v1/bindings/"+c.ID, f.keyAcme, nil)
		r.expectStatus(t, http.StatusNoContent)
		if len(r.raw) != 0 {
			t.Fatalf("204 with a body: %s", r.raw)
		}
	}

	var got bindingBody
	r := f.send(t, http.MethodGet, "/v1/bindings/"+c.ID, f.keyAcme, nil)
	r.expectStatus(t, http.StatusOK)
	r.decode(t, &got)
	if got.State != store.BindingUnbound || got.EndedAt == nil {
		t.Fatalf("after unbind: %s", r.raw)
	}

	patch := f.send(t, http.MethodPatch, "/v1/bindings/"+c.ID, f.keyAcme,
		map[string]any{"record": true})
	patch.expectError(t, http.StatusConflict, "conflict")
}

func TestRevealWritesAudit(t *testing.T) {
	f := newFixture(t, storetest.SQLite(t))
	c := f.create(t, f.keyAcme, axb())

	r := f.send(t, http.MethodPost, "/v1/bindings/"+c.ID+"/reveal", f.keyReveal,
		map[string]any{"reason": "customer complaint 42"})
	r.expectStatus(t, http.StatusOK)
	var got map[string]string
	r.decode(t, &got)
	if got["a"] != "+86"+canaryA || got["b"] != "+86"+canaryB {
		t.Fatalf("reveal: %s", r.raw)
	}
	if r.header.Get("Cache-Control") != "no-store" {
		t.Fatalf("reveal answer may be cached")
	}

	recs, err := f.bindings.Audit(context.Background(), f.acme.ID, c.ID)
	if err != nil {
		t.Fatalf("audit: %v", err)
	}
	if len(recs) != 1 || recs[0].Action != "reveal" ||
		recs[0].Reason != "customer complaint 42" || recs[0].KeyID == 0 {
		t.Fatalf("audit records %+v", recs)
	}

	empty := f.send(t, http.MethodPost, "/v1/bindings/"+c.ID+"/reveal", f.keyReveal,
		map[string]any{"reason": " "})
	if e := empty.expectError(t, http.StatusBadRequest, "invalid_input"); e.Field != "reason" {
		t.Fatalf("field %q", e.Field)
	}
}

func TestOtherTenantSeesNotFound(t *testing.T) {
	f := newFixture(t, storetest.SQLite(t))
	c := f.create(t, f.keyAcme, axb())
	path := "/v1/bindings/" + c.ID

	cases := []struct {
		name, method, path, key string
		body                    any
	}{
		{"get", http.MethodGet, path, f.keyOther, nil},
		{"patch", http.MethodPatch, path, f.keyOther, map[string]any{"record": true}},
		{"delete", http.MethodDelete, path, f.keyOther, nil},
		{"delivered", http.MethodPost, path + "/delivered", f.keyOther, nil},
		{"reveal", http.MethodPost, path + "/reveal", f.keyOtherReveal,
			map[string]any{"reason": "curious"}},
		{"unknown id", http.MethodGet, "/v1/bindings/nope", f.keyAcme, nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := f.send(t, tc.method, tc.path, tc.key, tc.body)
			r.expectError(t, http.StatusNotFound, "not_found")
		})
	}

	// Nothing changed: the binding is still active and unrevealed.
	var got bindingBody
	f.send(t, http.MethodGet, path, f.keyAcme, nil).decode(t, &got)
	if got.State != store.BindingActive || got.Record {
		t.Fatalf("another tenant changed the binding: %+v", got)
	}
	recs, err := f.bindings.Audit(context.Background(), 0, c.ID)
	if err != nil || len(recs) != 0 {
		t.Fatalf("audit after refused reveal: %v %+v", err, recs)
	}

	admin := f.send(t, http.MethodGet, path, f.keyAdmin, nil)
	admin.expectStatus(t, http.StatusOK)
}
