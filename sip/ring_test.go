package sip_test

import (
	"bytes"
	"context"
	"errors"
	"testing"
	"time"

	"github.com/emiago/sipgo"
	"github.com/emiago/sipgo/sip"

	"maskline/billing"
	mlsip "maskline/sip"
)

// earlyMedia answers 183 with the callee's SDP and waits to be cancelled.
func earlyMedia(tp *trunkPeer, sess *sipgo.DialogServerSession, tx sip.ServerTransaction) {
	sess.Respond(183, "Session Progress", offer(numB, 42000),
		sip.NewHeader("Content-Type", "application/sdp"))
	<-sess.Context().Done()
	select {
	case <-tx.Acks():
	case <-tx.Done():
	}
}

// cancelOn places a call and cancels it when the caller sees status ring;
// it returns the caller's final status and the provisional it cancelled on.
func (e *env) cancelOn(t *testing.T, o dialOpts, ring int) (int, *sip.Response) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), waitFor)
	defer cancel()
	sess, err := e.invite(ctx, o)
	if err != nil {
		t.Fatalf("invite: %v", err)
	}

	ringCtx, stopRinging := context.WithCancel(ctx)
	var seen *sip.Response
	err = sess.WaitAnswer(ringCtx, sipgo.AnswerOptions{OnResponse: func(r *sip.Response) error {
		if r.StatusCode == ring {
			seen = r
			stopRinging()
		}
		return nil
	}})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("wait answer: %v, want cancelled", err)
	}
	return sess.InviteResponse.StatusCode, seen
}

func TestCallerCancelsWhileRinging(t *testing.T) {
	e := newEnv(t, "udp", nil)
	e.trunk.setBehaviour(earlyMedia)

	code, ringing := e.cancelOn(t, dialOpts{from: numA, to: xAXB}, 183)
	if code != 487 {
		t.Fatalf("caller got %d after CANCEL, want 487", code)
	}
	recv(t, e.trunk.cancels, "CANCEL at the trunk")

	body := ringing.Body()
	if !bytes.HasPrefix(body, []byte("v=0\r\no=- ")) ||
		!bytes.Contains(body, []byte(" IN IP4 127.0.0.1\r\n")) {
		t.Errorf("183 SDP origin not the broker's:\n%s", body)
	}
	if bytes.Contains(body, []byte(numB[1:])) || bytes.Contains(body, []byte(numB[3:])) {
		t.Errorf("183 SDP carries the callee's number:\n%s", body)
	}

	rec := e.rec.next(t)
	if rec.ReleaseSide != billing.ReleaseCaller || rec.ReleaseCode != 487 ||
		rec.UnconnectedReason != billing.ReasonNoAnswer || rec.RingAt.IsZero() {
		t.Errorf("record side %q code %d reason %q ring %v, want caller 487 no_answer",
			rec.ReleaseSide, rec.ReleaseCode, rec.UnconnectedReason, rec.RingAt)
	}
}

func TestCalleeAnswersAfterCancel(t *testing.T) {
	e := newEnv(t, "udp", nil)
	e.trunk.setBehaviour(answerOnCancel)
	e.trunk.dropCancel.Store(true)

	code, _ := e.cancelOn(t, dialOpts{from: numA, to: xAXB}, 180)
	if code != 487 {
		t.Fatalf("caller got %d after CANCEL, want 487", code)
	}

	// The broker must take the late 200 on leg B and release it at once.
	recv(t, e.trunk.acks, "ACK of the late 200")
	bye := recv(t, e.trunk.byes, "BYE of the late 200")
	if bye.CallID().Value() != recv(t, e.trunk.invites, "INVITE").CallID().Value() {
		t.Error("BYE is not for the cancelled leg")
	}

	rec := e.rec.next(t)
	if rec.ReleaseSide != billing.ReleaseCaller ||
		rec.UnconnectedReason != billing.ReasonNoAnswer ||
		!rec.AnswerAt.IsZero() || rec.BillSec != 0 {
		t.Errorf("record side %q reason %q answer %v billsec %d, want an unanswered call",
			rec.ReleaseSide, rec.UnconnectedReason, rec.AnswerAt, rec.BillSec)
	}
	select {
	case req := <-e.phone.byes:
		t.Errorf("caller got %s for a call it cancelled", req.StartLine())
	default:
	}
}

func TestRingTimeout(t *testing.T) {
	e := newEnv(t, "udp", func(c *mlsip.Config) { c.RingTimeout = 300 * time.Millisecond })
	e.trunk.setBehaviour(ringForever)

	_, codes, code := e.dial(t, dialOpts{from: numA, to: xAXB})
	if code != 480 || !contains(codes, 180) {
		t.Fatalf("caller saw %v and %d, want 180 then 480", codes, code)
	}
	recv(t, e.trunk.cancels, "CANCEL at the trunk")

	rec := e.rec.next(t)
	if rec.ReleaseSide != billing.ReleaseBroker || rec.ReleaseCode != 480 ||
		rec.ReleaseQ850 != 19 || rec.UnconnectedReason != billing.ReasonNoAnswer {
		t.Errorf("record side %q release %d/%d reason %q, want broker 480/19 no_answer",
			rec.ReleaseSide, rec.ReleaseCode, rec.ReleaseQ850, rec.UnconnectedReason)
	}
}
