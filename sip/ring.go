package sip

import (
	"context"
	"errors"
	"time"

	sipmsg "github.com/emiago/sipgo/sip"

	"maskline/billing"
)

// setupState is the INVITE handler's view of a call being set up.
type setupState struct {
	provisional  bool // leg B sent a provisional response: CANCEL may go
	ringing      bool // leg B sent 180 or 183
	cancelWanted bool // leg B must be cancelled once it sent a provisional
	cancelTx     sipmsg.ClientTransaction
	cleared      bool    // the caller has its final answer; leg B is ending
	outcome      release // how the call ended, once cleared
	guard        *time.Timer
}

// ring waits for leg B's answer and relays what it sends. It returns true
// when the caller got a 200; otherwise the call is over when it returns.
func (c *call) ring() bool {
	timer := time.NewTimer(c.srv.cfg.RingTimeout)
	defer timer.Stop()
	defer c.stopSetup()

	for {
		select {
		case res := <-c.txB.Responses():
			if done, answered := c.onResponse(res); done {
				return answered
			}
		case <-c.txB.Done():
			c.onLegBGone()
			return false
		case res := <-c.cancelResponses():
			if !res.IsProvisional() {
				c.setup.cancelTx.Terminate()
				c.setup.cancelTx = nil
			}
		case ev := <-c.events:
			c.onSetupEvent(ev)
		case <-timer.C:
			cause := q850NoResponse
			if c.setup.ringing {
				cause = q850NoAnswer
			}
			c.clear(release{billing.ReleaseBroker, 480, cause, billing.ReasonNoAnswer}, true)
		case <-c.guardC():
			c.logger().Warn("leg b gave no final answer to cancel")
			c.txB.Terminate()
			c.finish(c.setup.outcome)
			return false
		}
	}
}

// cancelGuard bounds the wait for leg B's final answer once the caller has
// its own: as long as an INVITE client transaction may wait (64*T1).
func cancelGuard() time.Duration { return 64 * sipmsg.T1 }

func (c *call) cancelResponses() <-chan *sipmsg.Response {
	if c.setup.cancelTx == nil {
		return nil
	}
	return c.setup.cancelTx.Responses()
}

func (c *call) guardC() <-chan time.Time {
	if c.setup.guard == nil {
		return nil
	}
	return c.setup.guard.C
}

func (c *call) stopSetup() {
	if c.setup.guard != nil {
		c.setup.guard.Stop()
	}
	if c.setup.cancelTx != nil {
		c.setup.cancelTx.Terminate()
		c.setup.cancelTx = nil
	}
}

func (c *call) onResponse(res *sipmsg.Response) (done, answered bool) {
	switch {
	case res.IsProvisional():
		c.onProvisional(res)
		return false, false
	case res.IsSuccess() && c.setup.cleared:
		c.dropAnswer(res)
		c.finish(c.setup.outcome)
		return true, false
	case res.IsSuccess():
		return true, c.answer(res)
	case c.setup.cleared:
		c.finish(c.setup.outcome)
		return true, false
	default:
		ref := calleeFinal(res.StatusCode)
		c.respondA(ref.code, nil)
		c.finish(release{billing.ReleaseCallee, res.StatusCode, q850(res.StatusCode), ref.reason})
		return true, false
	}
}

// onProvisional relays 180 and 183 (any other 18x as 180, so the caller
// does not learn of forwarding or queueing), with SDP when leg B sent one.
func (c *call) onProvisional(res *sipmsg.Response) {
	c.setup.provisional = true
	if c.setup.cancelWanted {
		c.sendCancel()
	}
	if res.StatusCode == 100 || c.setup.cleared {
		return
	}

	if !c.setup.ringing {
		c.setup.ringing = true
		c.rec.RingAt = time.Now()
		setupProvisional.Observe(c.rec.RingAt.Sub(c.rec.InviteAt).Seconds())
	}
	code := 180
	if res.StatusCode == 183 {
		code = 183
	}
	c.respondA(code, c.sdpForA(res))
}

// sdpForA returns leg B's SDP in res rewritten for leg A, or nil.
func (c *call) sdpForA(res *sipmsg.Response) []byte {
	sdp, err := sessionBody(res)
	if err != nil || sdp == nil {
		return nil
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	out, err := c.a.sdp.rewrite(sdp, c.srv.cfg.MediaIP)
	if err != nil {
		c.logger().Warn("leg b sent sdp that does not parse")
		return nil
	}
	return out
}

// onSetupEvent handles what happens to a call while it rings.
func (c *call) onSetupEvent(ev event) {
	switch ev.kind {
	case evCancel:
		c.clear(release{billing.ReleaseCaller, 487, q850Normal, billing.ReasonNoAnswer}, false)
	case evByeA:
		c.clear(release{billing.ReleaseCaller, 487, q850Normal, billing.ReasonNoAnswer}, true)
	case evHangup:
		c.clear(release{billing.ReleaseBroker, 503, q850(503), billing.ReasonFailed}, true)
	}
}

// clear gives the caller its final answer (unless sipgo already did, for a
// CANCEL) and starts cancelling leg B; the call ends when leg B answers
// the CANCEL or the guard runs out.
func (c *call) clear(rel release, respond bool) {
	if c.setup.cleared {
		return
	}
	c.setup.cleared, c.setup.outcome = true, rel
	if respond {
		c.respondA(rel.code, nil)
	}
	c.setup.cancelWanted = true
	if c.setup.provisional {
		c.sendCancel()
	}
	c.setup.guard = time.NewTimer(cancelGuard())
}

// sendCancel cancels leg B's INVITE (RFC 3261 section 9.1: only after a
// provisional response).
func (c *call) sendCancel() {
	if !c.setup.cancelWanted || c.setup.cancelTx != nil {
		return
	}
	c.setup.cancelWanted = false

	inv := c.inviteB
	req := sipmsg.NewRequest(sipmsg.CANCEL, inv.Recipient)
	req.AppendHeader(inv.Via().Clone())
	maxFwd := sipmsg.MaxForwardsHeader(70)
	req.AppendHeader(&maxFwd)
	req.AppendHeader(sipmsg.HeaderClone(inv.From()))
	req.AppendHeader(sipmsg.HeaderClone(inv.To()))
	req.AppendHeader(sipmsg.HeaderClone(inv.CallID()))
	req.AppendHeader(&sipmsg.CSeqHeader{SeqNo: inv.CSeq().SeqNo, MethodName: sipmsg.CANCEL})
	req.SetBody(nil)
	req.SetTransport(inv.Transport())
	req.Laddr = inv.Laddr

	ctx, cancel := context.WithTimeout(context.Background(), dialTimeout)
	defer cancel()
	tx, err := c.srv.send(ctx, req)
	if err != nil {
		c.logger().Warn("cancel leg b", errAttr(err))
		return
	}
	c.setup.cancelTx = tx
}

// onLegBGone ends a call whose leg B transaction died without a final
// answer: no answer at all from the trunk, or a transport failure.
func (c *call) onLegBGone() {
	if c.setup.cleared {
		c.finish(c.setup.outcome)
		return
	}
	rel := release{billing.ReleaseBroker, 408, q850TimerExpired, billing.ReasonFailed}
	if errors.Is(c.txB.Err(), sipmsg.ErrTransactionTransport) {
		rel = release{billing.ReleaseBroker, 503, q850OutOfOrder, billing.ReasonFailed}
	}
	c.respondA(rel.code, nil)
	c.finish(rel)
}
