package e2e_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"maskline/app"
	"maskline/config"
	"maskline/pool"
)

// areaCode is the area of every virtual number the tests import.
const areaCode = "010"

// poolNumbers are the virtual numbers each node starts with.
var poolNumbers = []string{"17001000000", "17001000001", "17001000002", "17001000003"}

// node is one broker started in-process for a test, with a tenant key and
// an admin key made through its services.
type node struct {
	t       *testing.T
	app     *app.Node
	api     string // base URL of the HTTP API
	tenant  string // API key of the test tenant
	admin   string // admin API key
	logPath string
	client  *http.Client
}

// startNode starts a broker whose outbound legs go to trunk (host:port),
// logging at debug level with SIP tracing on into a file the test can
// search for numbers. It is shut down when the test ends.
func startNode(t *testing.T, trunk string) *node {
	t.Helper()
	dir := t.TempDir()

	cfg := config.Default()
	cfg.DataDir = dir
	cfg.Node = "e2e"
	cfg.Store.DSN = "sqlite:" + filepath.Join(dir, "broker.db")
	cfg.HTTP.Listen = "127.0.0.1:0"
	cfg.SIP.Listen = "127.0.0.1:0"
	cfg.SIP.Trunk = trunk
	cfg.SIP.Trace = true
	cfg.Log.Level = "debug"

	n := &node{t: t, logPath: filepath.Join(dir, "broker.log"),
		client: &http.Client{Timeout: 10 * time.Second}}
	logFile, err := os.Create(n.logPath)
	if err != nil {
		t.Fatalf("create broker log: %v", err)
	}
	log := slog.New(slog.NewTextHandler(logFile, &slog.HandlerOptions{Level: slog.LevelDebug}))

	ctx := context.Background()
	n.app, err = app.Start(ctx, cfg, log)
	if err != nil {
		logFile.Close()
		t.Fatalf("start node: %v", err)
	}
	n.api = "http://" + n.app.HTTPAddr()
	t.Cleanup(func() { n.stop(logFile) })

	n.seed(ctx)
	return n
}

// seed makes the tenant, the admin key and the number pool.
func (n *node) seed(ctx context.Context) {
	t := n.t
	t.Helper()
	svc := n.app.Services()

	var err error
	if _, n.tenant, err = svc.Tenants.AddTenant(ctx, "e2e-express"); err != nil {
		t.Fatalf("add tenant: %v", err)
	}
	if n.admin, err = svc.Tenants.AddAdmin(ctx, "e2e-admin"); err != nil {
		t.Fatalf("add admin: %v", err)
	}

	rows := make([]pool.NumberInput, len(poolNumbers))
	for i, x := range poolNumbers {
		rows[i] = pool.NumberInput{Number: x, AreaCode: areaCode, MonthlyCost: "10.00"}
	}
	if _, err := svc.Pool.Import(ctx, "CN", rows); err != nil {
		t.Fatalf("import numbers: %v", err)
	}
}

// stop shuts the node down and, when the test failed, shows the end of its
// log (numbers in it are masked by the broker).
func (n *node) stop(logFile *os.File) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := n.app.Shutdown(ctx); err != nil {
		n.t.Errorf("shut the node down: %v", err)
	}
	logFile.Close()

	if n.t.Failed() {
		n.t.Logf("broker log (end):\n%s", tail(n.logPath, 60))
	}
}

// SIPAddr is where the node takes SIP over UDP and TCP.
func (n *node) SIPAddr() string { return n.app.SIPAddr() }

// brokerLog returns what the node logged so far.
func (n *node) brokerLog() string {
	data, err := os.ReadFile(n.logPath)
	if err != nil {
		n.t.Fatalf("read broker log: %v", err)
	}
	return string(data)
}

// do sends one API request with key and decodes a JSON answer into out
// (when not nil). Any status other than want fails the test.
func (n *node) do(method, path, key string, body, out any, want int) {
	t := n.t
	t.Helper()

	var rd io.Reader
	if body != nil {
		data, err := json.Marshal(body)
		if err != nil {
			t.Fatalf("encode %s %s: %v", method, path, err)
		}
		rd = bytes.NewReader(data)
	}
	req, err := http.NewRequest(method, n.api+path, rd)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	req.Header.Set("Authorization", "Bearer "+key)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}

	res, err := n.client.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	defer res.Body.Close()
	data, _ := io.ReadAll(res.Body)
	if res.StatusCode != want {
		t.Fatalf("%s %s: status %d, want %d: %s", method, path, res.StatusCode, want, data)
	}
	if out != nil {
		if err := json.Unmarshal(data, out); err != nil {
			t.Fatalf("%s %s: decode %s: %v", method, path, data, err)
		}
	}
}

// created is the answer to POST /v1/bindings.
type created struct {
	ID        string `json:"id"`
	X         string `json:"x"`
	XE164     string `json:"x_e164"`
	Extension string `json:"extension"`
	Mode      string `json:"mode"`
}

// bind creates a binding through the API with the tenant's key.
func (n *node) bind(body map[string]any) created {
	n.t.Helper()
	body["ttl_seconds"] = 3600
	body["area_code"] = areaCode
	var b created
	n.do(http.MethodPost, "/v1/bindings", n.tenant, body, &b, http.StatusCreated)
	if b.ID == "" || b.XE164 == "" {
		n.t.Fatalf("created binding lacks id or x: %+v", b)
	}
	return b
}

// unbind ends a binding now: its keys go to cool-down.
func (n *node) unbind(id string) {
	n.t.Helper()
	n.do(http.MethodDelete, "/v1/bindings/"+id, n.tenant, nil, nil, http.StatusNoContent)
}

// callRecord is a call record as GET /v1/calls shows it.
type callRecord struct {
	ID                string     `json:"id"`
	BindingID         string     `json:"binding_id"`
	Mode              string     `json:"mode"`
	X                 string     `json:"x"`
	Extension         string     `json:"extension"`
	Caller            string     `json:"caller"`
	Callee            string     `json:"callee"`
	Direction         string     `json:"direction"`
	AnswerAt          *time.Time `json:"answer_at"`
	EndAt             *time.Time `json:"end_at"`
	ReleaseSide       string     `json:"release_side"`
	ReleaseCode       int        `json:"release_code"`
	UnconnectedReason string     `json:"unconnected_reason"`
	Node              string     `json:"node"`
}

// recordWait bounds the wait for a call record: the broker writes records
// off the signalling path, so one shows up a moment after the call ends.
const recordWait = 10 * time.Second

// awaitCalls lists call records with key and query until at least one is
// there, and returns them as JSON too, for the privacy check.
func (n *node) awaitCalls(key, query string) ([]callRecord, string) {
	t := n.t
	t.Helper()

	deadline := time.Now().Add(recordWait)
	for {
		var page struct {
			Calls []callRecord `json:"calls"`
		}
		n.do(http.MethodGet, "/v1/calls?"+query, key, nil, &page, http.StatusOK)
		if len(page.Calls) > 0 {
			raw, _ := json.Marshal(page.Calls)
			return page.Calls, string(raw)
		}
		if time.Now().After(deadline) {
			t.Fatalf("no call record for %q after %v", query, recordWait)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// tail returns the last lines of a file, for failure messages.
func tail(path string, lines int) string {
	data, err := os.ReadFile(path)
	if err != nil {
		return fmt.Sprintf("(cannot read %s: %v)", filepath.Base(path), err)
	}
	all := strings.Split(strings.TrimRight(string(data), "\n"), "\n")
	if len(all) > lines {
		all = all[len(all)-lines:]
	}
	return strings.Join(all, "\n")
}
