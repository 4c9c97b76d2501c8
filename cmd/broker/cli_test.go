package main

import (
	"bytes"
	"context"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// env returns an environment that puts every file of the broker under dir
// and every listener on a random loopback port.
func env(dir string) []string {
	return []string{
		"BROKER_DATA_DIR=" + dir,
		"BROKER_STORE_DSN=sqlite:" + filepath.Join(dir, "broker.db"),
		"BROKER_HTTP_LISTEN=127.0.0.1:0",
		"BROKER_SIP_LISTEN=127.0.0.1:0",
		"BROKER_LOG_LEVEL=warn",
	}
}

// broker runs one command line and returns its exit status and output.
func broker(t *testing.T, environ []string, args ...string) (int, string, string) {
	t.Helper()
	var out, errOut bytes.Buffer
	code := run(context.Background(), args, environ, &out, &errOut)
	return code, out.String(), errOut.String()
}

func lastLine(s string) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	return lines[len(lines)-1]
}

func TestToolCommands(t *testing.T) {
	dir := t.TempDir()
	e := env(dir)

	code, out, errOut := broker(t, e, "migrate")
	if code != 0 || !strings.Contains(out, "up to date") {
		t.Fatalf("migrate: %d %q %q", code, out, errOut)
	}

	code, out, _ = broker(t, e, "tenant", "add", "sf-express", "-reveal")
	if code != 0 || !strings.HasPrefix(lastLine(out), "mlk_") {
		t.Fatalf("tenant add: %d %q; want the key alone on the last line", code, out)
	}
	code, out, _ = broker(t, e, "tenant", "key", "sf-express")
	if code != 0 || !strings.HasPrefix(lastLine(out), "mlk_") {
		t.Fatalf("tenant key: %d %q", code, out)
	}
	code, out, _ = broker(t, e, "admin", "add", "ops")
	if code != 0 || !strings.HasPrefix(lastLine(out), "mlk_") {
		t.Fatalf("admin add: %d %q", code, out)
	}

	csv := filepath.Join(dir, "numbers.csv")
	writeFile(t, csv, "number,area_code,monthly_cost,tenant\n17001000001,010,10.00,\n"+
		"17001000002,010,10.00,sf-express\n")
	code, out, errOut = broker(t, e, "numbers", "import", csv)
	if code != 0 || !strings.Contains(out, "imported 2 numbers") {
		t.Fatalf("numbers import: %d %q %q", code, out, errOut)
	}
	code, out, _ = broker(t, e, "numbers", "import", csv)
	if code != 0 || !strings.Contains(out, "2 already in the pool") {
		t.Fatalf("second import: %d %q", code, out)
	}

	code, out, _ = broker(t, e, "pool", "stats")
	if code != 0 || !strings.Contains(out, "010") || !strings.Contains(out, "utilisation") {
		t.Fatalf("pool stats: %d %q", code, out)
	}
}

func TestToolErrors(t *testing.T) {
	dir := t.TempDir()
	e := env(dir)
	bad := filepath.Join(dir, "bad.csv")
	writeFile(t, bad, "number,area_code\n12,010\n17001000003,x\n")

	cases := []struct {
		name    string
		environ []string
		args    []string
		code    int
		says    string
	}{
		{"no command", e, nil, 2, "usage"},
		{"unknown command", e, []string{"fly"}, 2, "unknown command"},
		{"serve with arguments", e, []string{"serve", "now"}, 2, "no arguments"},
		{"tenant add without name", e, []string{"tenant", "add"}, 2, "NAME"},
		{"bad tenant name", e, []string{"tenant", "add", "a b"}, 1, "invalid tenant name"},
		{"duplicate tenant", e, []string{"tenant", "add", "dup"}, 1, "conflict"},
		{"key for unknown tenant", e, []string{"tenant", "key", "nobody"}, 1, "not found"},
		{"missing csv", e, []string{"numbers", "import", filepath.Join(dir, "no.csv")}, 1,
			"no such file"},
		{"bad rows", e, []string{"numbers", "import", bad}, 1, "2 bad rows"},
		{"bad config value", append(e, "BROKER_SIP_NUMBER_FORMAT=roman"),
			[]string{"pool", "stats"}, 1, "sip.number_format"},
		{"missing config file", e, []string{"-config", filepath.Join(dir, "none.yaml"),
			"pool", "stats"}, 1, "none.yaml"},
		{"unknown flag", e, []string{"-colour", "serve"}, 2, ""},
	}
	broker(t, e, "tenant", "add", "dup")
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			code, out, errOut := broker(t, tc.environ, tc.args...)
			if code != tc.code || !strings.Contains(out+errOut, tc.says) {
				t.Fatalf("exit %d, output %q %q; want exit %d saying %q", code, out, errOut,
					tc.code, tc.says)
			}
		})
	}
}

// TestServeStopsOnSignal runs serve in demo mode, checks that the API
// answers, then cancels the context as SIGTERM does and expects a clean
// exit.
func TestServeStopsOnSignal(t *testing.T) {
	dir := t.TempDir()
	e := append(env(dir), "BROKER_DEMO=true", "BROKER_HTTP_LISTEN=127.0.0.1:18931")
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()

	var out, errOut bytes.Buffer
	done := make(chan int, 1)
	go func() { done <- run(ctx, []string{"serve"}, e, &out, &errOut) }()

	if !waitHealthy("http://127.0.0.1:18931/healthz", 10*time.Second) {
		cancel()
		<-done
		t.Fatalf("broker never became healthy: %s", errOut.String())
	}
	key, err := os.ReadFile(filepath.Join(dir, "demo-tenant.key"))
	if err != nil || !strings.HasPrefix(string(key), "mlk_") {
		t.Fatalf("demo key: %q, %v", key, err)
	}

	cancel()
	select {
	case code := <-done:
		if code != 0 {
			t.Fatalf("serve exited %d: %s", code, errOut.String())
		}
	case <-time.After(20 * time.Second):
		t.Fatal("serve did not stop after the signal")
	}
}

func waitHealthy(url string, within time.Duration) bool {
	deadline := time.Now().Add(within)
	for time.Now().Before(deadline) {
		resp, err := http.Get(url)
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return true
			}
		}
		time.Sleep(50 * time.Millisecond)
	}
	return false
}

func writeFile(t *testing.T, path, body string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
}
