package sip_test

import (
	"testing"

	"github.com/emiago/sipgo/sip"

	"maskline/billing"
	"maskline/binding"
	mlsip "maskline/sip"
)

func TestCallsConnectPerMode(t *testing.T) {
	e := newEnv(t, "udp", nil)
	for _, tc := range connectCases {
		t.Run(tc.name, func(t *testing.T) {
			// The 180 is not checked here: sipgo handles each response in
			// its own goroutine, so a 200 sent right behind it may overtake
			// it (the ringing tests check the relay of provisionals).
			sess, codes := e.connect(t, tc.dial)
			if !contains(codes, 200) {
				t.Errorf("caller saw %v, want 200", codes)
			}

			inv := recv(t, e.trunk.invites, "INVITE at the trunk")
			if inv.Recipient.User != tc.callee {
				t.Errorf("Request-URI user %q, want %q", inv.Recipient.User, tc.callee)
			}
			if got := inv.From().Address.User; got != tc.dial.to[:len(xAXB)] {
				t.Errorf("From user %q, want X %q", got, tc.dial.to[:len(xAXB)])
			}
			pai := inv.GetHeader("P-Asserted-Identity")
			if pai == nil || userOf(t, pai.Value()) != tc.dial.to[:len(xAXB)] {
				t.Errorf("P-Asserted-Identity %v, want X", pai)
			}
			asked := e.router.lastAsked()
			if asked.Dialled != tc.dialled || asked.Extension != tc.extension {
				t.Errorf("router asked %+v, want dialled %q extension %q",
					asked, tc.dialled, tc.extension)
			}

			hangUp(t, sess)
			recv(t, e.trunk.byes, "BYE at the trunk")
			rec := e.rec.next(t)
			checkAnswered(t, rec, billing.ReleaseCaller)
			if rec.Callee.E164() != tc.callee || rec.Direction != string(tc.dir) {
				t.Errorf("record callee %v direction %q, want %v %q",
					rec.Callee, rec.Direction, tc.callee, tc.dir)
			}
		})
	}
}

// checkAnswered checks the parts of an answered call's record that do not
// depend on the binding.
func checkAnswered(t *testing.T, rec *billing.CallRecord, side string) {
	t.Helper()
	if rec.UnconnectedReason != billing.ReasonNone || rec.ReleaseSide != side {
		t.Errorf("record reason %q side %q, want none %q",
			rec.UnconnectedReason, rec.ReleaseSide, side)
	}
	if rec.AnswerAt.IsZero() || rec.AnswerAt.Before(rec.InviteAt) ||
		rec.EndAt.Before(rec.AnswerAt) {
		t.Errorf("record times invite %v ring %v answer %v end %v",
			rec.InviteAt, rec.RingAt, rec.AnswerAt, rec.EndAt)
	}
	if rec.BillSec < 1 || rec.ReleaseCode != 200 || rec.ReleaseQ850 != 16 {
		t.Errorf("record billsec %d release %d/%d, want >=1 200/16",
			rec.BillSec, rec.ReleaseCode, rec.ReleaseQ850)
	}
	if rec.ID == "" || rec.BindingID == "" || rec.Node != "test-node" || rec.TenantID != 7 {
		t.Errorf("record id %q binding %q node %q tenant %d",
			rec.ID, rec.BindingID, rec.Node, rec.TenantID)
	}
}

// connectCases are calls every mode must connect, with what the Router
// must be asked and where leg B must go.
var connectCases = []struct {
	name      string
	dial      dialOpts
	callee    string
	dir       binding.Direction
	dialled   string // what the Router must be asked
	extension string
}{
	{"AXB A calls B", dialOpts{from: numA, to: xAXB}, numB, binding.AToPeer, xAXB, ""},
	{"AXB B calls A", dialOpts{from: numB, to: xAXB}, numA, binding.PeerToA, xAXB, ""},
	{"AXB caller in national form", dialOpts{from: "13912345678", to: xAXB},
		numA, binding.PeerToA, xAXB, ""},
	{"AXB caller from P-Asserted-Identity", dialOpts{from: "anonymous", to: xAXB,
		headers: []sip.Header{
			sip.NewHeader("P-Asserted-Identity", "<sip:"+numA+"@127.0.0.1>")}},
		numB, binding.AToPeer, xAXB, ""},
	{"AXN anyone reaches A", dialOpts{from: numStranger, to: xAXN},
		numA, binding.PeerToA, xAXN, ""},
	{"AXN A reaches N", dialOpts{from: numA, to: xAXN}, numN, binding.AToPeer, xAXN, ""},
	{"AXE X-E", dialOpts{from: numStranger, to: xAXE + "-" + extAXE},
		numA, binding.PeerToA, xAXE + "-" + extAXE, ""},
	{"AXE X*E", dialOpts{from: numStranger, to: xAXE + "*" + extAXE},
		numA, binding.PeerToA, xAXE + "*" + extAXE, ""},
	{"AXE sip URI ;ext=", dialOpts{from: numStranger, to: xAXE,
		uri: "sip:" + xAXE + "@HOST;ext=" + extAXE}, numA, binding.PeerToA, xAXE, extAXE},
	{"AXE sip user ;ext=", dialOpts{from: numStranger, to: xAXE,
		uri: "sip:" + xAXE + ";ext=" + extAXE + "@HOST"}, numA, binding.PeerToA, xAXE, extAXE},
	{"AXE tel URI ;ext=", dialOpts{from: numStranger, to: xAXE,
		uri: "tel:" + xAXE + ";ext=" + extAXE}, numA, binding.PeerToA, xAXE, extAXE},
}

func TestNationalNumberFormat(t *testing.T) {
	e := newEnv(t, "udp", func(c *mlsip.Config) { c.NumberFormat = mlsip.FormatNational })
	sess, _ := e.connect(t, dialOpts{from: numA, to: xAXB})

	inv := recv(t, e.trunk.invites, "INVITE at the trunk")
	if inv.Recipient.User != numB[3:] || inv.From().Address.User != xAXB[3:] {
		t.Errorf("Request-URI user %q From user %q, want national %q %q",
			inv.Recipient.User, inv.From().Address.User, numB[3:], xAXB[3:])
	}
	hangUp(t, sess)
	e.rec.next(t)
}
