package api_test

import (
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"maskline/api"
	"maskline/store/storetest"
)

func TestHealthAndMetrics(t *testing.T) {
	f := newFixture(t, storetest.SQLite(t))

	var h map[string]string
	r := f.send(t, http.MethodGet, "/healthz", "", nil)
	r.expectStatus(t, http.StatusOK)
	r.decode(t, &h)
	if h["status"] != "ok" {
		t.Fatalf("healthz: %s", r.raw)
	}
	f.send(t, http.MethodGet, "/readyz", "", nil).expectStatus(t, http.StatusOK)
	f.send(t, http.MethodGet, "/v1/nothing", f.keyAcme, nil).expectStatus(t,
		http.StatusNotFound)

	m := f.send(t, http.MethodGet, "/metrics", "", nil)
	m.expectStatus(t, http.StatusOK)
	for _, want := range []string{
		`maskline_http_requests_total{code="200",route="GET /healthz"}`,
		`maskline_http_requests_total{code="404",route="unmatched"}`,
		`maskline_http_request_duration_seconds_bucket{route="GET /readyz"`,
		`maskline_http_requests_in_flight`,
	} {
		if !strings.Contains(string(m.raw), want) {
			t.Errorf("metrics lack %s", want)
		}
	}
}

func TestRequestID(t *testing.T) {
	f := newFixture(t, storetest.SQLite(t))
	cases := []struct {
		name, sent string
		kept       bool
	}{
		{"client id kept", "abc-123.X_y", true},
		{"none sent", "", false},
		{"odd characters replaced", "id with spaces", false},
		{"number replaced", canaryA, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := f.send(t, http.MethodGet, "/healthz", "", nil, "X-Request-Id", tc.sent)
			got := r.header.Get("X-Request-Id")
			if got == "" || (got == tc.sent) != tc.kept {
				t.Fatalf("sent %q, got %q", tc.sent, got)
			}
		})
	}
	if !strings.Contains(f.logs.String(), `"request_id":"abc-123.X_y"`) {
		t.Fatalf("access log lacks the request id")
	}
}

func TestAccessLog(t *testing.T) {
	f := newFixture(t, storetest.SQLite(t))
	c := f.create(t, f.keyAcme, axb())
	f.send(t, http.MethodGet, "/v1/bindings/"+c.ID, f.keyAcme, nil)

	var line string
	for _, l := range strings.Split(f.logs.String(), "\n") {
		if strings.Contains(l, `"msg":"http request"`) &&
			strings.Contains(l, `"route":"GET /v1/bindings/{id}"`) {
			line = l
		}
	}
	if line == "" {
		t.Fatalf("no access log line for GET binding:\n%s", f.logs.String())
	}
	for _, want := range []string{`"method":"GET"`, `"status":200`, `"took":`,
		`"tenant":` + itoa(f.acme.ID)} {
		if !strings.Contains(line, want) {
			t.Fatalf("access log %s lacks %s", line, want)
		}
	}
	if strings.Contains(line, c.ID) {
		t.Fatalf("access log holds the raw path: %s", line)
	}
}

// TestPanicIsJSON serves a handler whose service is missing, so the
// readiness check panics; the client still gets a JSON 500.
func TestPanicIsJSON(t *testing.T) {
	srv := httptest.NewServer(api.New(api.Deps{
		Log: slog.New(slog.NewTextHandler(io.Discard, nil))}))
	defer srv.Close()

	resp, err := srv.Client().Get(srv.URL + "/readyz")
	if err != nil {
		t.Fatalf("get: %v", err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	r := &reply{status: resp.StatusCode, header: resp.Header, raw: raw}
	r.expectError(t, http.StatusInternalServerError, "internal")

	// The server goes on serving.
	resp2, err := srv.Client().Get(srv.URL + "/healthz")
	if err != nil || resp2.StatusCode != http.StatusOK {
		t.Fatalf("after a panic: %v %v", err, resp2)
	}
	resp2.Body.Close()
}
