package sip_test

import (
	"log/slog"
	"strings"
	"testing"

	"github.com/emiago/sipgo/sip"

	"maskline/internal/logtest"
	mlsip "maskline/sip"
)

func TestTraceAndLogsAreMasked(t *testing.T) {
	var out logtest.Buffer
	log := slog.New(slog.NewTextHandler(&out, &slog.HandlerOptions{Level: slog.LevelDebug}))
	e := newEnvLogged(t, log, func(c *mlsip.Config) { c.Trace = true })

	sess, _ := e.connect(t, dialOpts{from: numA, to: xAXB, headers: []sip.Header{
		sip.NewHeader("P-Asserted-Identity", "<sip:"+numA+"@127.0.0.1>")}})
	hangUp(t, sess)
	e.rec.next(t)
	e.router.setDown(true)
	if _, _, code := e.dial(t, dialOpts{from: numB, to: xAXB}); code != 503 {
		t.Errorf("store down: got %d, want 503", code)
	}
	e.rec.next(t)
	e.stop()

	logs := out.String()
	if !strings.Contains(logs, "sip trace") || !strings.Contains(logs, "dir=recv") ||
		!strings.Contains(logs, "dir=send") {
		t.Fatalf("no SIP trace in the log:\n%s", logs)
	}
	for _, n := range []string{numA, numB, xAXB} {
		if strings.Contains(logs, n[3:]) {
			t.Errorf("log holds %s in full", n)
		}
	}
	if !strings.Contains(logs, "138****5678") {
		t.Errorf("log does not name the caller masked:\n%.2000s", logs)
	}
}
