package sip_test

import (
	"context"
	"encoding/base64"
	"strings"
	"testing"

	"github.com/emiago/sipgo/sip"
)

// callerTraces are the forms of the caller's number that must not reach
// the callee: E.164 without "+" (which contains the national form), and
// base64 of each form, padded or not, standard and URL alphabets.
func callerTraces(e164 string) []string {
	forms := []string{e164, e164[1:], e164[3:]}
	traces := []string{e164[1:]}
	for _, f := range forms {
		for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.URLEncoding,
			base64.RawStdEncoding, base64.RawURLEncoding} {
			traces = append(traces, enc.EncodeToString([]byte(f)))
		}
	}
	return traces
}

// legBHeaders are the only headers leg B's INVITE may have.
var legBHeaders = map[string]bool{
	"via": true, "max-forwards": true, "from": true, "to": true, "call-id": true,
	"cseq": true, "contact": true, "p-asserted-identity": true, "allow": true,
	"accept": true, "supported": true, "content-type": true, "content-length": true,
}

func TestCalleeNeverSeesTheCaller(t *testing.T) {
	e := newEnv(t, "udp", nil)
	ctx, cancel := context.WithTimeout(context.Background(), waitFor)
	defer cancel()

	headers, callID := tempting(e)
	sess, err := e.invite(ctx, dialOpts{from: numA, to: xAXB, headers: headers})
	if err != nil {
		t.Fatal(err)
	}
	if err := sess.WaitAnswer(ctx, sipAnswerOptions()); err != nil {
		t.Fatalf("wait answer: %v", err)
	}
	sess.Ack(ctx)

	raw := recv(t, e.trunk.raw, "INVITE bytes at the trunk")
	for _, trace := range callerTraces(numA) {
		if strings.Contains(raw, trace) {
			t.Errorf("leg B's INVITE carries %q:\n%s", trace, raw)
		}
	}
	inv := recv(t, e.trunk.invites, "INVITE at the trunk")
	checkLegB(t, inv, callID)

	// The other way round: nothing of the callee reaches the caller.
	if s := sess.InviteResponse.String(); strings.Contains(s, numB[3:]) {
		t.Errorf("the caller's 200 carries the callee's number:\n%s", s)
	}
	recv(t, e.trunk.sessions, "answered dialog at the trunk")
	hangUp(t, sess)
	recv(t, e.trunk.byes, "BYE at the callee")
	e.rec.next(t)
}

// checkLegB checks leg B's INVITE header by header: only whitelisted
// headers, X as the caller, and no parameter the broker did not make.
func checkLegB(t *testing.T, inv *sip.Request, callerCallID string) {
	t.Helper()
	for _, h := range inv.Headers() {
		if !legBHeaders[strings.ToLower(h.Name())] {
			t.Errorf("leg B carries header %s: %s", h.Name(), h.Value())
		}
	}
	if inv.From().Address.User != xAXB || inv.From().DisplayName != "" {
		t.Errorf("From %s, want X without display name", inv.From().Value())
	}
	if pai := inv.GetHeader("P-Asserted-Identity"); pai == nil ||
		!strings.HasPrefix(pai.Value(), "<sip:"+xAXB+"@") {
		t.Errorf("P-Asserted-Identity %v, want X", pai)
	}
	if id := inv.CallID().Value(); strings.Contains(callerCallID, id) ||
		strings.Contains(id, callerCallID) {
		t.Errorf("leg B reuses the caller's Call-ID %q", id)
	}
	if ct := inv.Contact(); ct.Address.User != "" || len(ct.Params) != 0 {
		t.Errorf("Contact %s, want the broker's bare address", ct.Value())
	}
	for _, p := range inv.Via().Params {
		if p.K != "branch" && p.K != "rport" {
			t.Errorf("Via carries parameter %s=%s", p.K, p.V)
		}
	}
	if len(inv.From().Params) != 1 || len(inv.To().Params) != 0 {
		t.Errorf("From %s / To %s carry extra parameters", inv.From().Value(), inv.To().Value())
	}
	if s := inv.GetHeader("Supported"); s == nil || strings.Contains(s.Value(), "100rel") ||
		!strings.Contains(s.Value(), "timer") {
		t.Errorf("Supported %v, want the caller's without 100rel", s)
	}
}

// tempting returns headers that carry the caller's number every way a
// phone or a network might, and the Call-ID among them.
func tempting(e *env) ([]sip.Header, string) {
	national := numA[3:]
	encoded := base64.StdEncoding.EncodeToString([]byte(numA))
	// A proxy in front of the broker would record-route; here the route
	// leads straight back to the broker, and names the caller to tempt it.
	route := "<sip:" + numA[1:] + "@" + e.srv.UDPAddr().String() + ";lr>"
	callID := sip.CallIDHeader(numA[1:] + "-" + encoded + "@127.0.0.1")
	headers := []sip.Header{
		&callID,
		sip.NewHeader("Contact", "\""+national+"\" <sip:"+numA+"@127.0.0.1:"+
			itoa(e.phone.sock.port("udp"))+";user=phone>"),
		sip.NewHeader("Record-Route", route),
		sip.NewHeader("P-Asserted-Identity", "\""+national+"\" <sip:"+numA+"@127.0.0.1>"),
		sip.NewHeader("P-Preferred-Identity", "<tel:"+numA+">"),
		sip.NewHeader("Remote-Party-ID", "<sip:"+numA+"@127.0.0.1>;party=calling"),
		sip.NewHeader("Diversion", "<sip:"+national+"@127.0.0.1>;reason=unconditional"),
		sip.NewHeader("User-Agent", "phone of "+national),
		sip.NewHeader("Subject", "call from "+numA),
		sip.NewHeader("Call-Info", "<http://example.com/"+national+".png>;purpose=icon"),
		sip.NewHeader("X-Caller", encoded),
		sip.NewHeader("Supported", "100rel, timer, replaces"),
		sip.NewHeader("Allow", "INVITE, ACK, BYE, CANCEL, UPDATE"),
	}
	return headers, string(callID)
}
