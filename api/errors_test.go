package api_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"maskline/api"
	"maskline/store/storetest"
)

func TestCreateInputErrors(t *testing.T) {
	f := newFixture(t, storetest.SQLite(t))
	tooFar := time.Now().Add(91 * 24 * time.Hour).Format(time.RFC3339)
	cases := []struct {
		name  string
		body  any
		hdr   []string
		code  string
		field string
	}{
		{"malformed JSON", `{"mode": "AXB",`, nil, "invalid_json", ""},
		{"not JSON", `mode=AXB`, nil, "invalid_json", ""},
		{"empty body", ``, nil, "invalid_json", ""},
		{"array", `[1,2]`, nil, "invalid_input", "body"},
		{"trailing data", `{"mode":"AXB"} {}`, nil, "invalid_input", "body"},
		{"unknown field", with(axb(), "colour", "red"), nil, "invalid_input", "colour"},
		{"number as a key", `{"13812345678": 1}`, nil, "invalid_input", "body"},
		{"wrong type", with(axb(), "ttl_seconds", "soon"), nil, "invalid_input",
			"ttl_seconds"},
		{"unknown mode", with(axb(), "mode", "AXZ"), nil, "invalid_input", "mode"},
		{"no mode", with(axb(), "mode", nil), nil, "invalid_input", "mode"},
		{"bad number", with(axb(), "a", "12"), nil, "invalid_input", "a"},
		{"letters for a number", with(axb(), "b", "call me"), nil, "invalid_input", "b"},
		{"missing b for AXB", with(axb(), "b", nil), nil, "invalid_input", "b"},
		{"b for AXE", with(axb(), "mode", "AXE"), nil, "invalid_input", "b"},
		{"expiry too soon", with(axb(), "ttl_seconds", 30), nil, "invalid_input",
			"expires_at"},
		{"expiry too far", with(axb(), "ttl_seconds", nil, "expires_at", tooFar), nil,
			"invalid_input", "expires_at"},
		{"expiry not RFC 3339", with(axb(), "ttl_seconds", nil, "expires_at", "tomorrow"),
			nil, "invalid_input", "expires_at"},
		{"both expiry forms", with(axb(), "expires_at", tooFar), nil, "invalid_input",
			"expires_at"},
		{"no expiry", with(axb(), "ttl_seconds", nil), nil, "invalid_input", "expires_at"},
		{"bad restriction", with(axb(), "call_restrict", "all"), nil, "invalid_input",
			"call_restrict"},
		{"long waybill", with(axb(), "out_id", strings.Repeat("w", 129)), nil,
			"invalid_input", "out_id"},
		{"bad idempotency key", axb(), []string{"Idempotency-Key",
			strings.Repeat("k", 129)}, "invalid_input", "Idempotency-Key"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := f.send(t, http.MethodPost, "/v1/bindings", f.keyAcme, tc.body, tc.hdr...)
			e := r.expectError(t, http.StatusBadRequest, tc.code)
			if e.Field != tc.field {
				t.Fatalf("field %q, want %q: %s", e.Field, tc.field, r.raw)
			}
			if tc.field != "" && !strings.Contains(e.Message, tc.field) {
				t.Fatalf("message %q does not name %s", e.Message, tc.field)
			}
			assertNoCanary(t, r.raw)
		})
	}
}

func TestBodyLimitsAndMediaType(t *testing.T) {
	f := newFixture(t, storetest.SQLite(t))
	big := `{"mode":"AXB","out_id":"` + strings.Repeat("x", 70<<10) + `"}`
	cases := []struct {
		name   string
		body   string
		hdr    []string
		status int
		code   string
	}{
		{"over 64 KiB", big, nil, http.StatusRequestEntityTooLarge, "body_too_large"},
		{"over 64 KiB, length unknown", big, []string{"Transfer-Encoding", "chunked"},
			http.StatusRequestEntityTooLarge, "body_too_large"},
		{"form body", `mode=AXB`, []string{"Content-Type",
			"application/x-www-form-urlencoded"}, http.StatusUnsupportedMediaType,
			"unsupported_media_type"},
		{"no content type", `{}`, []string{"Content-Type", ""},
			http.StatusUnsupportedMediaType, "unsupported_media_type"},
		{"CSV to a JSON route", "mode\nAXB\n", []string{"Content-Type", "text/csv"},
			http.StatusUnsupportedMediaType, "unsupported_media_type"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := f.send(t, http.MethodPost, "/v1/bindings", f.keyAcme, tc.body, tc.hdr...)
			r.expectError(t, tc.status, tc.code)
		})
	}

	ok := f.send(t, http.MethodPost, "/v1/bindings", f.keyAcme, axb(),
		"Content-Type", "application/json; charset=utf-8")
	ok.expectStatus(t, http.StatusCreated)
}

func TestAuthErrors(t *testing.T) {
	f := newFixture(t, storetest.SQLite(t))
	c := f.create(t, f.keyAcme, axb())
	reveal := map[string]any{"reason": "check"}
	cases := []struct {
		name, method, path, auth string
		body                     any
		status                   int
		code                     string
	}{
		{"no key", http.MethodGet, "/v1/bindings/" + c.ID, "", nil, 401, "unauthenticated"},
		{"unknown key", http.MethodGet, "/v1/bindings/" + c.ID, "Bearer mlk_nope", nil,
			401, "unauthenticated"},
		{"not bearer", http.MethodGet, "/v1/bindings/" + c.ID, "Basic " + f.keyAcme, nil,
			401, "unauthenticated"},
		{"empty bearer", http.MethodGet, "/v1/bindings/" + c.ID, "Bearer ", nil, 401,
			"unauthenticated"},
		{"reveal without scope", http.MethodPost, "/v1/bindings/" + c.ID + "/reveal",
			"Bearer " + f.keyAcme, reveal, 403, "forbidden"},
		{"reveal with admin key", http.MethodPost, "/v1/bindings/" + c.ID + "/reveal",
			"Bearer " + f.keyAdmin, reveal, 403, "forbidden"},
		{"admin route, tenant key", http.MethodGet, "/v1/admin/pool",
			"Bearer " + f.keyAcme, nil, 403, "forbidden"},
		{"admin import, tenant key", http.MethodPost, "/v1/admin/numbers",
			"Bearer " + f.keyReveal, `[]`, 403, "forbidden"},
		{"create with admin key", http.MethodPost, "/v1/bindings", "Bearer " + f.keyAdmin,
			axb(), 403, "forbidden"},
		{"patch with admin key", http.MethodPatch, "/v1/bindings/" + c.ID,
			"Bearer " + f.keyAdmin, map[string]any{"record": true}, 403, "forbidden"},
		{"unbind with admin key", http.MethodDelete, "/v1/bindings/" + c.ID,
			"Bearer " + f.keyAdmin, nil, 403, "forbidden"},
		{"admin waybill lookup without tenant", http.MethodGet, "/v1/bindings?out_id=SF1001",
			"Bearer " + f.keyAdmin, nil, 400, "invalid_input"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := f.send(t, tc.method, tc.path, "", tc.body, "Authorization", tc.auth)
			r.expectError(t, tc.status, tc.code)
		})
	}
}

func TestRouterErrorsAreJSON(t *testing.T) {
	f := newFixture(t, storetest.SQLite(t))
	cases := []struct {
		name, method, path string
		status             int
		code               string
	}{
		{"unknown path", http.MethodGet, "/v1/nothing", 404, "not_found"},
		{"unknown path holding a number", http.MethodGet, "/v1/" + canaryA, 404,
			"not_found"},
		{"wrong method", http.MethodPut, "/v1/bindings/abc", 405, "method_not_allowed"},
		{"wrong method on admin", http.MethodDelete, "/v1/admin/pool", 405,
			"method_not_allowed"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := f.send(t, tc.method, tc.path, f.keyAcme, nil)
			r.expectError(t, tc.status, tc.code)
			if tc.status == 405 && r.header.Get("Allow") == "" {
				t.Fatalf("405 without Allow")
			}
			assertNoCanary(t, r.raw)
		})
	}
}

func TestPoolExhausted(t *testing.T) {
	f := newFixture(t, storetest.SQLite(t))
	r := f.send(t, http.MethodPost, "/v1/bindings", f.keyAcme, with(axb(), "area_code", "0999"))
	e := r.expectError(t, http.StatusConflict, "pool_exhausted")
	if e.Area != "0999" || !strings.Contains(e.Message, "0999") {
		t.Fatalf("exhausted error %+v", e)
	}

	// AXN takes a number whole: the eleventh AXN binding in area 021
	// finds none left.
	for range 10 {
		f.create(t, f.keyAcme, map[string]any{"mode": "AXN", "a": canaryA,
			"ttl_seconds": 600, "area_code": "021"})
	}
	r = f.send(t, http.MethodPost, "/v1/bindings", f.keyAcme, map[string]any{"mode": "AXN",
		"a": canaryA, "ttl_seconds": 600, "area_code": "021", "area_match": "strict"})
	if e := r.expectError(t, http.StatusConflict, "pool_exhausted"); e.Area != "021" {
		t.Fatalf("area %q", e.Area)
	}
}

func TestStoreDown(t *testing.T) {
	st := storetest.SQLite(t)
	f := newFixture(t, st)
	f.send(t, http.MethodGet, "/readyz", "", nil).expectStatus(t, http.StatusOK)
	f.create(t, f.keyAcme, axb()) // the key is now known to the tenant cache

	if err := st.Close(); err != nil {
		t.Fatalf("close store: %v", err)
	}
	r := f.send(t, http.MethodPost, "/v1/bindings", f.keyAcme, axb())
	r.expectError(t, http.StatusServiceUnavailable, "store_unavailable")
	f.send(t, http.MethodGet, "/readyz", "", nil).expectError(t,
		http.StatusServiceUnavailable, "store_unavailable")
	f.send(t, http.MethodGet, "/v1/bindings/x", f.keyOther, nil).expectError(t,
		http.StatusServiceUnavailable, "store_unavailable")
	f.send(t, http.MethodGet, "/healthz", "", nil).expectStatus(t, http.StatusOK)
}

func TestRateLimited(t *testing.T) {
	// One request per 100 s with a burst of two: the third in a row is
	// refused, however slow the machine.
	f := newFixture(t, storetest.SQLite(t), func(d *api.Deps) {
		d.RateLimit, d.RateBurst = 0.01, 2
	})
	for range 2 {
		f.send(t, http.MethodGet, "/v1/bindings/none", f.keyAcme, nil).expectStatus(t,
			http.StatusNotFound)
	}
	r := f.send(t, http.MethodGet, "/v1/bindings/none", f.keyReveal, nil)
	r.expectError(t, http.StatusTooManyRequests, "rate_limited")
	if ra := r.header.Get("Retry-After"); ra == "" || ra == "0" {
		t.Fatalf("Retry-After %q", ra)
	}

	// Another tenant has a bucket of its own; health checks have none.
	f.send(t, http.MethodGet, "/v1/bindings/none", f.keyOther, nil).expectStatus(t,
		http.StatusNotFound)
	for range 3 {
		f.send(t, http.MethodGet, "/healthz", "", nil).expectStatus(t, http.StatusOK)
	}
}
