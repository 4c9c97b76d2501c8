package sip_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"

	"github.com/emiago/sipgo"
	"github.com/emiago/sipgo/sip"
	"go.uber.org/goleak"
)

// TestCallsLeaveNoGoroutines runs a few hundred calls — most answered,
// some refused, busy or cancelled while ringing — and checks that once
// they are over the goroutines are back to what they were before.
func TestCallsLeaveNoGoroutines(t *testing.T) {
	e := newEnv(t, "udp", nil)
	e.trunk.setBehaviour(byCallee)
	sess, _ := e.connect(t, dialOpts{from: numA, to: xAXB}) // warm up sipgo's pools
	hangUp(t, sess)
	e.rec.next(t)
	before := goleak.IgnoreCurrent()

	const workers, perWorker = 10, 30
	errs := make(chan error, workers)
	var wg sync.WaitGroup
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range perWorker {
				if err := e.oneCall(w, i); err != nil {
					errs <- err
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}

	for range workers * perWorker {
		e.rec.next(t)
	}
	noCallsLeft(t, e.srv)
	goleak.VerifyNone(t, before)
}

// byCallee answers B, rejects N as busy and lets A ring until cancelled.
func byCallee(tp *trunkPeer, sess *sipgo.DialogServerSession, tx sip.ServerTransaction) {
	switch sess.InviteRequest.Recipient.User {
	case numN:
		reject(486)(tp, sess, tx)
	case numA:
		ringForever(tp, sess, tx)
	default:
		answer(tp, sess, tx)
	}
}

// oneCall places call i of worker w: refused (stranger, unknown X), busy,
// cancelled while ringing, or answered and hung up.
func (e *env) oneCall(w, i int) error {
	ctx, cancel := context.WithTimeout(context.Background(), waitFor)
	defer cancel()

	o := dialOpts{from: numA, to: xAXB}
	switch i % 10 {
	case 3:
		o.from = numStranger
	case 5:
		o.to = xAXN // A calls N, who is busy
	case 7:
		o.to = xUnknown
	case 9:
		return e.cancelled(ctx, dialOpts{from: numB, to: xAXB})
	}
	sess, _, failed, err := e.place(ctx, o)
	if err != nil {
		return fmt.Errorf("worker %d call %d: %w", w, i, err)
	}
	if failed != 0 {
		return nil
	}
	if err := sess.Bye(ctx); err != nil {
		return fmt.Errorf("worker %d call %d: bye: %w", w, i, err)
	}
	return nil
}

// cancelled places a call and cancels it on its first 180.
func (e *env) cancelled(ctx context.Context, o dialOpts) error {
	sess, err := e.invite(ctx, o)
	if err != nil {
		return err
	}
	ringCtx, stop := context.WithCancel(ctx)
	defer stop()
	err = sess.WaitAnswer(ringCtx, sipgo.AnswerOptions{OnResponse: func(r *sip.Response) error {
		if r.StatusCode == 180 {
			stop()
		}
		return nil
	}})
	if !errors.Is(err, context.Canceled) || sess.InviteResponse.StatusCode != 487 {
		return fmt.Errorf("cancelled call: %v, status %d", err, sess.InviteResponse.StatusCode)
	}
	return nil
}
