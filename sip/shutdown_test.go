package sip_test

import (
	"context"
	"errors"
	"testing"

	"maskline/billing"
)

func TestDrainRefusesNewCallsAndWaitsForCallsUp(t *testing.T) {
	e := newEnv(t, "udp", nil)
	sess, _ := e.connect(t, dialOpts{from: numA, to: xAXB})

	expired, cancel := context.WithCancel(context.Background())
	cancel()
	if err := e.srv.Drain(expired); !errors.Is(err, context.Canceled) {
		t.Fatalf("drain with a call up and no time: %v, want context.Canceled", err)
	}

	if _, _, code := e.dial(t, dialOpts{from: numB, to: xAXB}); code != 503 {
		t.Fatalf("new call while draining got %d, want 503", code)
	}

	drained := make(chan error, 1)
	go func() { drained <- e.srv.Drain(context.Background()) }()
	select {
	case err := <-drained:
		t.Fatalf("drain returned %v with a call up", err)
	default:
	}

	hangUp(t, sess)
	if err := recv(t, drained, "end of drain"); err != nil {
		t.Fatalf("drain: %v", err)
	}
	checkAnswered(t, e.rec.next(t), billing.ReleaseCaller)
	e.rec.none(t) // the refused call never reached routing
}

func TestHangupAllEndsRingingAndAnsweredCalls(t *testing.T) {
	e := newEnv(t, "udp", nil)
	answered, _ := e.connect(t, dialOpts{from: numA, to: xAXB})
	recv(t, e.trunk.invites, "INVITE of the answered call")

	e.trunk.setBehaviour(ringForever)
	ringing := make(chan int, 1)
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), waitFor)
		defer cancel()
		_, _, code, err := e.place(ctx, dialOpts{from: numB, to: xAXB})
		if err != nil {
			code = -1
		}
		ringing <- code
	}()
	recv(t, e.trunk.invites, "INVITE of the ringing call")

	e.srv.HangupAll()
	if n := e.srv.Calls(); n != 0 {
		t.Errorf("%d calls left after HangupAll", n)
	}
	if code := recv(t, ringing, "answer to the ringing call"); code != 503 {
		t.Errorf("ringing caller got %d, want 503", code)
	}
	recv(t, e.trunk.cancels, "CANCEL of the ringing call")
	bye := recv(t, e.phone.byes, "BYE at the answered caller")
	if bye.CallID().Value() != answered.InviteRequest.CallID().Value() {
		t.Error("BYE for the wrong call")
	}
	recv(t, e.trunk.byes, "BYE at the answered callee")

	for range 2 {
		rec := e.rec.next(t)
		if rec.ReleaseSide != billing.ReleaseBroker {
			t.Errorf("record released by %q, want broker", rec.ReleaseSide)
		}
	}
}
