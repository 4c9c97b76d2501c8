package api_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"maskline/api"
	"maskline/billing"
	"maskline/binding"
	"maskline/internal/logtest"
	"maskline/pool"
	"maskline/secret"
	"maskline/store"
	"maskline/store/storetest"
	"maskline/tenant"
)

// Canary real numbers: tests assert that these digits never reach an
// answer that must not hold them, nor any log line.
const (
	canaryA     = "13812345678"
	canaryB     = "13987654321"
	canaryN     = "15811112222"
	canaryOther = "18655556666"
)

// canaryDigits are the parts of the canaries that must not leak: whole
// numbers and the digits that masking hides, with their neighbours.
var canaryDigits = []string{canaryA, canaryB, canaryN, "12345678", "87654321", "11112222"}

// fixture is an API server on loopback over a real store, with a small
// pool (areas 010 and 021), two tenants and keys of every kind.
type fixture struct {
	srv      *httptest.Server
	st       *store.DB
	keys     *secret.Keyring
	bindings *binding.Service
	pool     *pool.Pool
	tenants  *tenant.Service
	calls    *billing.Service
	logs     *logtest.Buffer

	acme, other *store.Tenant
	// Keys: acme's tenant key, acme's key with the reveal scope, the
	// other tenant's tenant key and reveal key, an admin key.
	keyAcme, keyReveal, keyOther, keyOtherReveal, keyAdmin string
}

// newFixture serves the API over st. edit may change the dependencies
// (rate limit) before the handler is built.
func newFixture(tb testing.TB, st *store.DB, edit ...func(*api.Deps)) *fixture {
	tb.Helper()
	ctx := context.Background()
	logs := &logtest.Buffer{}
	log := slog.New(slog.NewJSONHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))

	f := &fixture{st: st, keys: storetest.Keyring(tb), logs: logs}
	f.pool = pool.New(st, pool.DefaultConfig(), log)
	f.bindings = binding.New(st, f.keys, f.pool, binding.DefaultConfig(),
		binding.WithLogger(log))
	f.tenants = tenant.New(st)
	f.calls = billing.NewService(st, f.keys, log)
	f.seed(tb, ctx)

	d := api.Deps{Bindings: f.bindings, Pool: f.pool, Tenants: f.tenants, Calls: f.calls,
		Region: "CN", Log: log}
	for _, e := range edit {
		e(&d)
	}
	f.srv = httptest.NewServer(api.New(d))
	tb.Cleanup(f.srv.Close)
	tb.Cleanup(func() { checkLogs(tb, logs) })
	return f
}

// seed makes the tenants, keys and a pool of ten numbers in each of two
// areas.
func (f *fixture) seed(tb testing.TB, ctx context.Context) {
	tb.Helper()
	var err error
	if f.acme, f.keyAcme, err = f.tenants.AddTenant(ctx, "acme"); err != nil {
		tb.Fatalf("add tenant: %v", err)
	}
	if f.keyReveal, err = f.tenants.AddKey(ctx, "acme", tenant.ScopeReveal); err != nil {
		tb.Fatalf("add reveal key: %v", err)
	}
	if f.other, f.keyOther, err = f.tenants.AddTenant(ctx, "other"); err != nil {
		tb.Fatalf("add tenant: %v", err)
	}
	if f.keyOtherReveal, err = f.tenants.AddKey(ctx, "other", tenant.ScopeReveal); err != nil {
		tb.Fatalf("add reveal key: %v", err)
	}
	if f.keyAdmin, err = f.tenants.AddAdmin(ctx, "ops"); err != nil {
		tb.Fatalf("add admin: %v", err)
	}

	var rows []pool.NumberInput
	for i := 1; i <= 10; i++ {
		rows = append(rows,
			pool.NumberInput{Number: fmt.Sprintf("170100000%02d", i), AreaCode: "010"},
			pool.NumberInput{Number: fmt.Sprintf("170210000%02d", i), AreaCode: "021"})
	}
	if _, err := f.pool.Import(ctx, "CN", rows); err != nil {
		tb.Fatalf("seed pool: %v", err)
	}
}

// checkLogs fails the test when a canary number reached a log line.
func checkLogs(tb testing.TB, logs *logtest.Buffer) {
	tb.Helper()
	out := logs.String()
	for _, c := range []string{canaryA, canaryB, canaryN, canaryOther} {
		if strings.Contains(out, c) {
			tb.Errorf("log holds real number %s", c)
		}
	}
}

// reply is an answer as the tests read it.
type reply struct {
	status int
	header http.Header
	raw    []byte
}

// send makes a request with key (none when empty). body is sent as is when
// a string or []byte, else encoded as JSON; Content-Type is JSON unless
// hdr sets it ("" in hdr removes a header).
func (f *fixture) send(tb testing.TB, method, path, key string, body any,
	hdr ...string) *reply {
	tb.Helper()
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		rd = strings.NewReader(b)
	case []byte:
		rd = bytes.NewReader(b)
	default:
		data, err := json.Marshal(b)
		if err != nil {
			tb.Fatalf("encode body: %v", err)
		}
		rd = bytes.NewReader(data)
	}

	req, err := http.NewRequest(method, f.srv.URL+path, rd)
	if err != nil {
		tb.Fatalf("new request: %v", err)
	}
	if rd != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if key != "" {
		req.Header.Set("Authorization", "Bearer "+key)
	}
	for i := 0; i+1 < len(hdr); i += 2 {
		if hdr[i] == "Transfer-Encoding" {
			// Hide the length so the client streams the body chunked.
			req.Body, req.ContentLength = io.NopCloser(struct{ io.Reader }{rd}), -1
			continue
		}
		if hdr[i+1] == "" {
			req.Header.Del(hdr[i])
			continue
		}
		req.Header.Set(hdr[i], hdr[i+1])
	}
	return do(tb, f.srv.Client(), req)
}

func do(tb testing.TB, c *http.Client, req *http.Request) *reply {
	tb.Helper()
	resp, err := c.Do(req)
	if err != nil {
		tb.Fatalf("%s %s: %v", req.Method, req.URL.Path, err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		tb.Fatalf("read answer: %v", err)
	}
	return &reply{status: resp.StatusCode, header: resp.Header, raw: raw}
}

// decode reads the answer's JSON into v.
func (r *reply) decode(tb testing.TB, v any) {
	tb.Helper()
	if err := json.Unmarshal(r.raw, v); err != nil {
		tb.Fatalf("answer %d is not JSON: %v: %s", r.status, err, r.raw)
	}
}

// apiError is the error object of an answer.
type apiError struct {
	Code    string           `json:"code"`
	Message string           `json:"message"`
	Field   string           `json:"field"`
	Area    string           `json:"area"`
	Rows    []map[string]any `json:"rows"`
}

// expectError checks the answer is an error with status and code, and
// returns its error object.
func (r *reply) expectError(tb testing.TB, status int, code string) apiError {
	tb.Helper()
	var body struct {
		Error *apiError `json:"error"`
	}
	r.decode(tb, &body)
	if r.status != status || body.Error == nil || body.Error.Code != code {
		tb.Fatalf("want %d %s, got %d: %s", status, code, r.status, r.raw)
	}
	if body.Error.Message == "" {
		tb.Fatalf("error without a message: %s", r.raw)
	}
	if ct := r.header.Get("Content-Type"); ct != "application/json" {
		tb.Fatalf("error Content-Type %q", ct)
	}
	return *body.Error
}

// expectStatus fails unless the answer has status.
func (r *reply) expectStatus(tb testing.TB, status int) {
	tb.Helper()
	if r.status != status {
		tb.Fatalf("want status %d, got %d: %s", status, r.status, r.raw)
	}
}

// created is the answer to a new binding.
type created struct {
	ID        string    `json:"id"`
	X         string    `json:"x"`
	XE164     string    `json:"x_e164"`
	Extension string    `json:"extension"`
	ExpiresAt time.Time `json:"expires_at"`
	Label     string    `json:"label"`
	Mode      string    `json:"mode"`
	State     string    `json:"state"`
	OutID     string    `json:"out_id"`
}

// axb is a valid AXB create body between the canaries A and B.
func axb() map[string]any {
	return map[string]any{"mode": "AXB", "a": canaryA, "b": canaryB, "ttl_seconds": 3600,
		"area_code": "010", "out_id": "SF1001"}
}

// create makes a binding for key and returns the answer.
func (f *fixture) create(tb testing.TB, key string, body map[string]any) created {
	tb.Helper()
	r := f.send(tb, http.MethodPost, "/v1/bindings", key, body)
	r.expectStatus(tb, http.StatusCreated)
	var c created
	r.decode(tb, &c)
	if c.ID == "" || c.X == "" {
		tb.Fatalf("created binding without id or x: %s", r.raw)
	}
	return c
}

// with returns a copy of body with the changes given as key, value pairs;
// a nil value removes the key.
func with(body map[string]any, kv ...any) map[string]any {
	out := make(map[string]any, len(body))
	for k, v := range body {
		out[k] = v
	}
	for i := 0; i+1 < len(kv); i += 2 {
		if kv[i+1] == nil {
			delete(out, kv[i].(string))
			continue
		}
		out[kv[i].(string)] = kv[i+1]
	}
	return out
}

func itoa(v int64) string { return strconv.FormatInt(v, 10) }
