package sip_test

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"

	"github.com/emiago/sipgo/sip"

	"maskline/billing"
	mlsip "maskline/sip"
)

func TestEitherSideHangsUp(t *testing.T) {
	e := newEnv(t, "udp", nil)

	cases := []struct {
		name string
		side string
	}{
		{"caller first", billing.ReleaseCaller},
		{"callee first", billing.ReleaseCallee},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			sess, _ := e.connect(t, dialOpts{from: numB, to: xAXB})
			callee := recv(t, e.trunk.sessions, "answered dialog at the trunk")

			if tc.side == billing.ReleaseCaller {
				hangUp(t, sess)
				recv(t, e.trunk.byes, "BYE at the callee")
			} else {
				ctx, cancel := context.WithTimeout(context.Background(), waitFor)
				defer cancel()
				if err := callee.Bye(ctx); err != nil {
					t.Fatalf("callee bye: %v", err)
				}
				bye := recv(t, e.phone.byes, "BYE at the caller")
				if bye.CallID().Value() != sess.InviteRequest.CallID().Value() {
					t.Error("caller got a BYE for another call")
				}
				if s := bye.String(); strings.Contains(s, numA[3:]) {
					t.Errorf("the caller's BYE carries the callee's number:\n%s", s)
				}
			}

			checkAnswered(t, e.rec.next(t), tc.side)
			noCallsLeft(t, e.srv)
		})
	}
}

func TestMaxDurationEndsBothLegs(t *testing.T) {
	e := newEnv(t, "udp", func(c *mlsip.Config) { c.MaxDuration = 300 * time.Millisecond })

	e.connect(t, dialOpts{from: numA, to: xAXN})
	recv(t, e.phone.byes, "BYE at the caller")
	recv(t, e.trunk.byes, "BYE at the callee")

	rec := e.rec.next(t)
	checkAnswered(t, rec, billing.ReleaseBroker)
}

func TestReinviteIsRelayed(t *testing.T) {
	e := newEnv(t, "udp", nil)
	t.Run("from the caller", func(t *testing.T) { reinviteFromCaller(t, e) })
	t.Run("from the callee", func(t *testing.T) { reinviteFromCallee(t, e) })
}

func reinviteFromCaller(t *testing.T, e *env) {
	sess, _ := e.connect(t, dialOpts{from: numA, to: xAXB})
	recv(t, e.trunk.sessions, "answered dialog at the trunk")
	ctx, cancel := context.WithTimeout(context.Background(), waitFor)
	defer cancel()

	req := sip.NewRequest(sip.INVITE, sess.InviteResponse.Contact().Address)
	req.AppendHeader(sip.NewHeader("Content-Type", "application/sdp"))
	req.SetBody(offer(numA, 40100))
	res, err := sess.Do(ctx, req)
	if err != nil || res.StatusCode != 200 {
		t.Fatalf("re-INVITE answered %v, %v; want 200", res, err)
	}
	checkRewritten(t, res.Body(), numB, "41000")

	at := recv(t, e.trunk.reinvites, "re-INVITE at the callee")
	checkRewritten(t, at.Body(), numA, "40100")
	if v := originVersion(at.Body()); v != "2" {
		t.Errorf("leg B origin version %s after a new offer, want 2", v)
	}

	ack := sip.NewRequest(sip.ACK, sess.InviteResponse.Contact().Address)
	if err := sess.WriteAck(ctx, ack); err != nil {
		t.Fatalf("ack: %v", err)
	}
	recv(t, e.trunk.acks, "ACK of the relayed re-INVITE")

	hangUp(t, sess)
	checkAnswered(t, e.rec.next(t), billing.ReleaseCaller)
}

func reinviteFromCallee(t *testing.T, e *env) {
	sess, _ := e.connect(t, dialOpts{from: numA, to: xAXB})
	callee := recv(t, e.trunk.sessions, "answered dialog at the trunk")
	ctx, cancel := context.WithTimeout(context.Background(), waitFor)
	defer cancel()

	req := sip.NewRequest(sip.INVITE, callee.InviteRequest.Contact().Address)
	req.AppendHeader(sip.NewHeader("Content-Type", "application/sdp"))
	req.SetBody(offer(numB, 42100))
	res, err := callee.Do(ctx, req)
	if err != nil || res.StatusCode != 200 {
		t.Fatalf("re-INVITE answered %v, %v; want 200", res, err)
	}
	at := recv(t, e.phone.reinvites, "re-INVITE at the caller")
	checkRewritten(t, at.Body(), numB, "42100")
	recv(t, e.phone.acks, "ACK at the caller")

	hangUp(t, sess)
	checkAnswered(t, e.rec.next(t), billing.ReleaseCaller)
}

// checkRewritten checks that an SDP relayed by the broker has the
// broker's origin, no trace of number, and the media of the other side.
func checkRewritten(t *testing.T, body []byte, number, port string) {
	t.Helper()
	if !bytes.HasPrefix(body, []byte("v=0\r\no=- ")) {
		t.Errorf("SDP origin not rewritten:\n%s", body)
	}
	if bytes.Contains(body, []byte(number[3:])) {
		t.Errorf("SDP carries %s:\n%s", number, body)
	}
	if !bytes.Contains(body, []byte("m=audio "+port+" ")) {
		t.Errorf("SDP lost its media line (port %s):\n%s", port, body)
	}
}

// originVersion returns the session version of an SDP's o= line.
func originVersion(body []byte) string {
	for _, line := range bytes.Split(body, []byte("\r\n")) {
		if f := bytes.Fields(line); len(f) == 6 && bytes.HasPrefix(line, []byte("o=")) {
			return string(f[2])
		}
	}
	return ""
}

func TestCallOverTCP(t *testing.T) {
	e := newEnv(t, "tcp", nil)

	sess, _ := e.connect(t, dialOpts{from: numA, to: xAXB, transport: "tcp"})
	inv := recv(t, e.trunk.invites, "INVITE at the trunk")
	if inv.Transport() != "TCP" || inv.Recipient.User != numB {
		t.Errorf("trunk got %s over %s, want the callee over TCP", inv.StartLine(), inv.Transport())
	}

	callee := recv(t, e.trunk.sessions, "answered dialog at the trunk")
	ctx, cancel := context.WithTimeout(context.Background(), waitFor)
	defer cancel()
	if err := callee.Bye(ctx); err != nil {
		t.Fatalf("callee bye: %v", err)
	}
	bye := recv(t, e.phone.byes, "BYE at the caller")
	if bye.Transport() != "TCP" {
		t.Errorf("caller got BYE over %s, want TCP", bye.Transport())
	}
	checkAnswered(t, e.rec.next(t), billing.ReleaseCallee)
	_ = sess
}

func TestLateOfferAnswerGoesInTheACK(t *testing.T) {
	e := newEnv(t, "udp", nil)
	ctx, cancel := context.WithTimeout(context.Background(), waitFor)
	defer cancel()

	sess, err := e.invite(ctx, dialOpts{from: numA, to: xAXB, lateOffer: true})
	if err != nil {
		t.Fatal(err)
	}
	if err := sess.WaitAnswer(ctx, sipAnswerOptions()); err != nil {
		t.Fatalf("wait answer: %v", err)
	}
	if inv := recv(t, e.trunk.invites, "INVITE"); len(inv.Body()) != 0 {
		t.Errorf("leg B INVITE has a body though the caller sent none:\n%s", inv.Body())
	}
	checkRewritten(t, sess.InviteResponse.Body(), numB, "42000")

	ack := sip.NewRequest(sip.ACK, sess.InviteResponse.Contact().Address)
	ack.AppendHeader(sip.NewHeader("Content-Type", "application/sdp"))
	ack.SetBody(offer(numA, 40200))
	if err := sess.WriteAck(ctx, ack); err != nil {
		t.Fatalf("ack: %v", err)
	}
	got := recv(t, e.trunk.acks, "ACK at the callee")
	checkRewritten(t, got.Body(), numA, "40200")

	hangUp(t, sess)
	checkAnswered(t, e.rec.next(t), billing.ReleaseCaller)
}
