package e2e_test

import (
	"net"
	"strconv"
	"testing"

	"maskline/phone"
)

// The real numbers of the tests: A and B of a binding, and a courier who
// is party to no binding.
var (
	partyA   = phone.MustParse("13912345678", "CN")
	partyB   = phone.MustParse("13800138001", "CN")
	stranger = phone.MustParse("13700137003", "CN")
)

// unknownX is a virtual number the pool does not hold.
const unknownX = "17001099999"

// holdMS is how long a connected call stays up before one side hangs up.
const holdMS = "300"

// callCase is one call placed through a fresh node.
type callCase struct {
	name     string
	bind     map[string]any // binding to create; nil for none
	unbind   bool           // end the binding before the call (keys in cool-down)
	caller   phone.Number
	callee   phone.Number // who must be reached; zero when nobody is
	ext      bool         // dial X-E with the binding's extension
	uac, uas string       // scenarios; uas "" when the trunk must stay silent
	tcp      bool         // the caller uses TCP
	final    int          // final response to the caller's INVITE
	record   wantRecord
}

func axb() map[string]any { return map[string]any{"mode": "AXB", "a": a(), "b": b()} }
func axn() map[string]any { return map[string]any{"mode": "AXN", "a": a()} }
func axe() map[string]any { return map[string]any{"mode": "AXE", "a": a()} }
func a() string           { return partyA.National() }
func b() string           { return partyB.National() }

// connected is the record of an answered call.
func connected(mode, direction, side string) wantRecord {
	return wantRecord{mode: mode, direction: direction, reason: "none", side: side,
		code: 200, answered: true}
}

var callCases = []callCase{
	{name: "AXB A calls B, caller hangs up first", bind: axb(), caller: partyA,
		callee: partyB, uac: "caller_hangup.xml", uas: "callee_answer.xml", final: 200,
		record: connected("AXB", "a_to_peer", "caller")},
	{name: "AXB B calls A, callee hangs up first", bind: axb(), caller: partyB,
		callee: partyA, uac: "caller_wait.xml", uas: "callee_hangup.xml", final: 200,
		record: connected("AXB", "peer_to_a", "callee")},
	{name: "AXN anyone reaches A", bind: axn(), caller: stranger, callee: partyA,
		uac: "caller_hangup.xml", uas: "callee_answer.xml", final: 200,
		record: connected("AXN", "peer_to_a", "caller")},
	{name: "AXE with X-E in the Request-URI", bind: axe(), caller: stranger, callee: partyA,
		ext: true, uac: "caller_hangup.xml", uas: "callee_answer.xml", final: 200,
		record: connected("AXE", "peer_to_a", "caller")},
	{name: "AXN over TCP", bind: axn(), caller: stranger, callee: partyA, tcp: true,
		uac: "caller_hangup.xml", uas: "callee_answer.xml", final: 200,
		record: connected("AXN", "peer_to_a", "caller")},
	{name: "CANCEL before answer", bind: axn(), caller: stranger, callee: partyA,
		uac: "caller_cancel.xml", uas: "callee_ring.xml", final: 487,
		record: wantRecord{mode: "AXN", direction: "peer_to_a", reason: "no_answer",
			side: "caller", code: 487}},
	{name: "AXB stranger refused", bind: axb(), caller: stranger, uac: "caller_refused.xml",
		final: 403, record: wantRecord{reason: "not_allowed", side: "broker", code: 403,
			byAdmin: true}},
	{name: "unknown X", caller: stranger, uac: "caller_refused.xml", final: 404,
		record: wantRecord{reason: "no_binding", side: "broker", code: 404, byAdmin: true}},
	{name: "unbound binding in cool-down", bind: axn(), unbind: true, caller: stranger,
		uac: "caller_refused.xml", final: 410,
		record: wantRecord{mode: "AXN", reason: "expired", side: "broker", code: 410}},
}

// TestCalls places each call through its own node, with SIPp on both
// sides, and checks what the caller got, what the callee saw, what the
// broker logged and the call record.
func TestCalls(t *testing.T) {
	sippPath(t)
	for _, c := range callCases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			runCall(t, c)
		})
	}
}

func runCall(t *testing.T, c callCase) {
	var trunk string
	var quiet *silentTrunk
	if c.uas == "" {
		quiet = newSilentTrunk(t)
		trunk = quiet.addr()
	} else {
		trunk = net.JoinHostPort(loopbackIP, strconv.Itoa(freePort(t)))
	}
	n := startNode(t, trunk)

	bnd := created{XE164: phone.MustParse(unknownX, "CN").E164(), X: unknownX}
	if c.bind != nil {
		bnd = n.bind(c.bind)
	}
	if c.unbind {
		n.unbind(bnd.ID)
	}

	caller, callee := placeCall(t, n, c, bnd, trunk)

	checkCallerSent(t, caller, c.caller)
	checkFinal(t, caller, c.final)
	if callee != nil {
		x := phone.MustParse(bnd.XE164, "CN")
		checkCalleeSaw(t, callee, x, c.callee, c.caller)
	}
	if quiet != nil {
		if msg := quiet.received(t); msg != "" {
			t.Errorf("a refused call reached the trunk:\n%s", msg)
		}
	}
	checkRecord(t, n, bnd, c)
	checkLog(t, n, c.caller, c.callee)
}

// placeCall runs the callee (when the call should reach one) and the
// caller, and returns the messages each saw.
func placeCall(t *testing.T, n *node, c callCase, bnd created, trunk string) (
	caller, callee []sipMessage) {
	t.Helper()

	var uas *sipp
	if c.uas != "" {
		host, port, _ := net.SplitHostPort(trunk)
		uas = startSIPp(t, "callee", c.uas, "-i", host, "-p", port, "-d", holdMS)
		p, _ := strconv.Atoi(port)
		awaitUDP(t, p)
	}

	dialled := bnd.X
	if c.ext {
		dialled += "-" + bnd.Extension
	}
	transport := "u1"
	if c.tcp {
		transport = "t1"
	}
	uac := startSIPp(t, "caller", c.uac, n.SIPAddr(),
		"-s", dialled, "-i", loopbackIP, "-p", strconv.Itoa(freePort(t)), "-t", transport,
		"-d", holdMS, "-key", "caller", c.caller.National(), "-key", "caller_e164",
		c.caller.E164(), "-cid_str", "%u-"+c.caller.National()+"-%p@%s")

	uac.wait(t)
	caller = uac.messages(t)
	if uas != nil {
		uas.wait(t)
		callee = uas.messages(t)
	}
	return caller, callee
}
