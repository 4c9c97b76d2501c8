package sip_test

import (
	"testing"

	"maskline/billing"
)

func TestRoutingRefusals(t *testing.T) {
	e := newEnv(t, "udp", nil)

	cases := []struct {
		name   string
		dial   dialOpts
		down   bool
		code   int
		reason string
		q850   int
	}{
		{"stranger on AXB", dialOpts{from: numStranger, to: xAXB}, false, 403, "not_allowed", 21},
		{"unknown X", dialOpts{from: numA, to: xUnknown}, false, 404, "no_binding", 1},
		{"expired binding", dialOpts{from: numB, to: xExpired}, false, 410, "expired", 22},
		{"AXE without extension", dialOpts{from: numStranger, to: xAXE},
			false, 484, "extension_required", 28},
		{"AXE wrong extension", dialOpts{from: numStranger, to: xAXE + "-9999"},
			false, 404, "bad_extension", 1},
		{"store down", dialOpts{from: numA, to: xAXB}, true, 503, billing.ReasonFailed, 41},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			e.router.setDown(tc.down)
			defer e.router.setDown(false)

			_, _, code := e.dial(t, tc.dial)
			if code != tc.code {
				t.Fatalf("caller got %d, want %d", code, tc.code)
			}
			rec := e.rec.next(t)
			if rec.UnconnectedReason != tc.reason || rec.ReleaseCode != tc.code ||
				rec.ReleaseQ850 != tc.q850 || rec.ReleaseSide != billing.ReleaseBroker {
				t.Errorf("record reason %q release %d/%d side %q, want %q %d/%d broker",
					rec.UnconnectedReason, rec.ReleaseCode, rec.ReleaseQ850,
					rec.ReleaseSide, tc.reason, tc.code, tc.q850)
			}
			if !rec.AnswerAt.IsZero() || rec.BillSec != 0 || rec.EndAt.IsZero() {
				t.Errorf("refused call with answer %v billsec %d end %v",
					rec.AnswerAt, rec.BillSec, rec.EndAt)
			}
			select {
			case inv := <-e.trunk.invites:
				t.Errorf("refused call reached the trunk: %s", inv.StartLine())
			default:
			}
		})
	}
}

func TestCalleeFailuresMapToCaller(t *testing.T) {
	e := newEnv(t, "udp", nil)

	cases := []struct {
		callee int
		caller int
		reason string
	}{
		{486, 486, billing.ReasonBusy},
		{600, 600, billing.ReasonBusy},
		{603, 603, billing.ReasonBusy},
		{404, 404, billing.ReasonFailed},
		{410, 404, billing.ReasonFailed},
		{484, 404, billing.ReasonFailed},
		{408, 480, billing.ReasonNoAnswer},
		{480, 480, billing.ReasonNoAnswer},
		{500, 502, billing.ReasonFailed},
		{503, 503, billing.ReasonFailed},
		{302, 502, billing.ReasonFailed},
	}
	for _, tc := range cases {
		t.Run(itoa(tc.callee), func(t *testing.T) {
			e.trunk.setBehaviour(reject(tc.callee))
			_, _, code := e.dial(t, dialOpts{from: numA, to: xAXB})
			if code != tc.caller {
				t.Fatalf("caller got %d, want %d", code, tc.caller)
			}
			recv(t, e.trunk.invites, "INVITE at the trunk")

			rec := e.rec.next(t)
			if rec.UnconnectedReason != tc.reason || rec.ReleaseCode != tc.callee ||
				rec.ReleaseSide != billing.ReleaseCallee || rec.BindingID != "b-axb" {
				t.Errorf("record reason %q release %d side %q binding %q, want %q %d callee",
					rec.UnconnectedReason, rec.ReleaseCode, rec.ReleaseSide, rec.BindingID,
					tc.reason, tc.callee)
			}
		})
	}
}
