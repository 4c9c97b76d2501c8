package e2e_test

import (
	"slices"
	"strings"
	"testing"

	"maskline/phone"
)

// numberForms are the ways a real number could be written into a message:
// national (also inside "+86…" and "86…") and E.164.
func numberForms(n phone.Number) []string {
	return []string{n.National(), n.E164()}
}

// leaks returns the lines of text that hold any form of n.
func leaks(text string, n phone.Number) []string {
	var out []string
	for _, line := range strings.Split(text, "\n") {
		for _, form := range numberForms(n) {
			if strings.Contains(line, form) {
				out = append(out, strings.TrimSpace(line))
				break
			}
		}
	}
	return out
}

// checkCallerSent makes sure the caller's INVITE really carried its
// number, so that its absence on the callee's side means something.
func checkCallerSent(t *testing.T, caller []sipMessage, who phone.Number) {
	t.Helper()
	invites := find(caller, func(m sipMessage) bool { return m.Sent && m.Method() == "INVITE" })
	if len(invites) == 0 {
		t.Fatal("the caller sent no INVITE")
	}
	if got := len(leaks(invites[0].Raw, who)); got < 10 {
		t.Fatalf("the caller's INVITE names the caller on %d lines, want at least 10: "+
			"the scenario no longer tests what reaches the callee", got)
	}
}

// checkCalleeSaw asserts what the called phone received: an INVITE whose
// Request-URI user is the real callee, whose From and P-Asserted-Identity
// users are X, and no trace of the caller's number in any message at all
// (every header and every body, INVITE, ACK, BYE or CANCEL).
func checkCalleeSaw(t *testing.T, callee []sipMessage, x, want, caller phone.Number) {
	t.Helper()
	invites := find(callee, requestIn("INVITE"))
	if len(invites) != 1 {
		t.Fatalf("the callee received %d INVITEs, want 1", len(invites))
	}
	inv := invites[0]

	if got := uriUser(inv.RequestURI()); got != want.E164() {
		t.Errorf("Request-URI user %q, want the callee %s", got, want)
	}
	for _, h := range []string{"From", "P-Asserted-Identity"} {
		if got := uriUser(inv.Header(h)); got != x.E164() {
			t.Errorf("%s user %q, want X %s", h, got, x.E164())
		}
	}
	if inv.Body == "" {
		t.Error("the INVITE reached the callee without its SDP offer")
	}

	for _, m := range find(callee, received) {
		if lines := leaks(m.Raw, caller); len(lines) > 0 {
			t.Errorf("the callee received the caller's number in a %s:\n  %s",
				describe(m), strings.Join(lines, "\n  "))
		}
	}
}

func describe(m sipMessage) string {
	if m.Status() != 0 {
		return m.Start
	}
	return m.Method()
}

// checkFinal asserts the final responses the caller got to its INVITE.
func checkFinal(t *testing.T, caller []sipMessage, want int) {
	t.Helper()
	got := finalTo(caller, "INVITE")
	if !slices.Equal(got, []int{want}) {
		t.Errorf("the caller's INVITE got final responses %v, want [%d]", got, want)
	}
}

// checkLog asserts that the broker logged none of the real numbers in
// full, with SIP tracing on.
func checkLog(t *testing.T, n *node, numbers ...phone.Number) {
	t.Helper()
	log := n.brokerLog()
	if !strings.Contains(log, "sip trace") {
		t.Fatal("the broker log has no SIP trace: the check below would prove nothing")
	}
	for _, num := range numbers {
		if num.IsZero() {
			continue
		}
		if lines := leaks(log, num); len(lines) > 0 {
			t.Errorf("the broker log holds %s in full on %d lines, first:\n  %s",
				num, len(lines), lines[0])
		}
	}
}

// wantRecord is what a call's record must say.
type wantRecord struct {
	mode      string
	direction string // "" for a call that was never routed
	reason    string // unconnected_reason
	side      string // release_side
	code      int    // release_code
	answered  bool
	byAdmin   bool // no binding matched: only an admin key lists it
}

// checkRecord reads the call's record through GET /v1/calls and compares
// it; numbers must show masked.
func checkRecord(t *testing.T, n *node, b created, c callCase) {
	t.Helper()
	key, query := n.tenant, "binding_id="+b.ID
	if c.record.byAdmin {
		key, query = n.admin, "limit=10"
	}
	recs, raw := n.awaitCalls(key, query)
	if len(recs) != 1 {
		t.Fatalf("got %d call records, want 1: %s", len(recs), raw)
	}

	if !c.record.byAdmin && recs[0].BindingID != b.ID {
		t.Errorf("record binding %q, want %q", recs[0].BindingID, b.ID)
	}
	for _, f := range recordFields(recs[0], b, c) {
		if f.got != f.want {
			t.Errorf("record %s = %v, want %v", f.name, f.got, f.want)
		}
	}
	for _, num := range []phone.Number{c.caller, c.callee} {
		if lines := leaks(raw, num); !num.IsZero() && len(lines) > 0 {
			t.Errorf("GET /v1/calls shows %s in full: %s", num, raw)
		}
	}
}

type recordField struct {
	name      string
	got, want any
}

// recordFields pairs what a record says with what the case expects.
func recordFields(r callRecord, b created, c callCase) []recordField {
	w := c.record
	ext := ""
	if c.ext {
		ext = b.Extension
	}
	return []recordField{
		{"x", r.X, b.X},
		{"extension", r.Extension, ext},
		{"mode", r.Mode, w.mode},
		{"direction", r.Direction, w.direction},
		{"unconnected_reason", r.UnconnectedReason, w.reason},
		{"release_side", r.ReleaseSide, w.side},
		{"release_code", r.ReleaseCode, w.code},
		{"answered", r.AnswerAt != nil, w.answered},
		{"ended", r.EndAt != nil, true},
		{"caller", r.Caller, phone.Mask(c.caller.National())},
		{"callee", r.Callee, masked(c.callee)},
		{"node", r.Node, "e2e"},
	}
}

func masked(n phone.Number) string {
	if n.IsZero() {
		return ""
	}
	return phone.Mask(n.National())
}
