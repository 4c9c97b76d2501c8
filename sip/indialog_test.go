package sip_test

import (
	"bytes"
	"context"
	"net"
	"strings"
	"testing"

	"github.com/emiago/sipgo/sip"

	"maskline/billing"
	mlsip "maskline/sip"
)

func TestUpdateAndInfoAreRelayed(t *testing.T) {
	e := newEnv(t, "udp", nil)
	sess, _ := e.connect(t, dialOpts{from: numA, to: xAXB})
	recv(t, e.trunk.sessions, "answered dialog at the trunk")

	cases := []struct {
		name   string
		method sip.RequestMethod
		ctype  string
		body   []byte
		want   int
	}{
		{"INFO with DTMF", sip.INFO, "application/dtmf-relay",
			[]byte("Signal=5\r\nDuration=160\r\n"), 200},
		{"UPDATE with an offer", sip.UPDATE, "application/sdp", offer(numA, 40300), 200},
		{"INFO with another body", sip.INFO, "application/isup", []byte{1, 2, 3}, 415},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), waitFor)
			defer cancel()
			req := sip.NewRequest(tc.method, sess.InviteResponse.Contact().Address)
			req.AppendHeader(sip.NewHeader("Content-Type", tc.ctype))
			req.SetBody(tc.body)
			res, err := sess.Do(ctx, req)
			if err != nil || res.StatusCode != tc.want {
				t.Fatalf("%s answered %v, %v; want %d", tc.method, res, err, tc.want)
			}
			if tc.want != 200 {
				return
			}

			at := recv(t, e.trunk.inDialog, tc.method.String()+" at the callee")
			if tc.method == sip.UPDATE {
				checkRewritten(t, at.Body(), numA, "40300")
				checkRewritten(t, res.Body(), numB, "41500")
			} else if !bytes.Equal(at.Body(), tc.body) {
				t.Errorf("INFO body %q, want %q", at.Body(), tc.body)
			}
		})
	}

	hangUp(t, sess)
	checkAnswered(t, e.rec.next(t), billing.ReleaseCaller)
}

func TestRequestsOutsideACallGet481(t *testing.T) {
	e := newEnv(t, "udp", nil)
	raw := newRawPeer(t, e.srv.UDPAddr())

	for _, method := range []string{"BYE", "INFO", "UPDATE", "CANCEL", "INVITE"} {
		t.Run(method, func(t *testing.T) {
			msg := rawInvite("x"+method, map[string]string{
				"INVITE ": method + " sip:" + xAXB + "@127.0.0.1 SIP/2.0",
				"To:":     "To: <sip:" + xAXB + "@127.0.0.1>;tag=nosuchdialog",
				"CSeq:":   "CSeq: 1 " + method,
			}, "")
			if res := raw.final(t, msg); !strings.HasPrefix(res, "SIP/2.0 481 ") {
				t.Fatalf("got %q, want 481", firstLine(res))
			}
		})
	}
}

func TestUnreachableTrunk(t *testing.T) {
	closed, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := closed.Addr().String()
	closed.Close()
	e := newEnv(t, "tcp", func(c *mlsip.Config) { c.Trunk = addr })

	if _, _, code := e.dial(t, dialOpts{from: numA, to: xAXB}); code != 503 {
		t.Fatalf("caller got %d, want 503", code)
	}
	rec := e.rec.next(t)
	if rec.ReleaseSide != billing.ReleaseBroker || rec.UnconnectedReason != billing.ReasonFailed {
		t.Errorf("record side %q reason %q, want broker failed", rec.ReleaseSide,
			rec.UnconnectedReason)
	}
}

func TestOtherMethodsGet405(t *testing.T) {
	e := newEnv(t, "udp", nil)
	raw := newRawPeer(t, e.srv.UDPAddr())
	for _, method := range []string{"MESSAGE", "REFER", "SUBSCRIBE", "REGISTER"} {
		t.Run(method, func(t *testing.T) {
			msg := rawInvite("m"+method, map[string]string{
				"INVITE ": method + " sip:" + xAXB + "@127.0.0.1 SIP/2.0",
				"CSeq:":   "CSeq: 1 " + method,
			}, "")
			res := raw.final(t, msg)
			if !strings.HasPrefix(res, "SIP/2.0 405 ") || !strings.Contains(res, "Allow: ") {
				t.Fatalf("got %q, want 405 with Allow", firstLine(res))
			}
		})
	}
}
