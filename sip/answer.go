package sip

import (
	"context"
	"time"

	sipmsg "github.com/emiago/sipgo/sip"

	"maskline/billing"
)

// answer bridges the legs on leg B's 2xx: it forms leg B's dialog, ACKs it
// (unless the caller's ACK must bring the answer) and sends 200 to the
// caller. It returns false when the caller was gone by then.
func (c *call) answer(res *sipmsg.Response) bool {
	now := time.Now()
	c.formLegB(res)
	sdp := c.sdpForA(res)
	if c.early {
		c.sendAckB(nil)
	}

	cancelled := c.cancelled.Load()
	if !cancelled && c.respondA(200, sdp) != nil {
		// The CANCEL won the race inside sipgo: it answered 487, and the
		// 200 handed to its transaction afterwards took the place of the
		// 487 it retransmits, so a 487 goes back in.
		c.respondA(487, nil)
		cancelled = true
	}
	if cancelled {
		c.dropAnswer(res)
		c.finish(release{billing.ReleaseCaller, 487, q850Normal, billing.ReasonNoAnswer})
		return false
	}

	c.rec.AnswerAt = now
	setupAnswer.Observe(now.Sub(c.rec.InviteAt).Seconds())
	c.mu.Lock()
	c.maxTimer = time.AfterFunc(c.srv.cfg.MaxDuration, c.onMaxDuration)
	c.mu.Unlock()
	return true
}

// formLegB records leg B's dialog from its 2xx: the callee's tag, its
// Contact as the remote target, and the route set.
func (c *call) formLegB(res *sipmsg.Response) {
	c.mu.Lock()
	defer c.mu.Unlock()

	c.b.remoteTag, _ = res.To().Params.Get("tag")
	c.b.routes = routeSet(res, true)
	if ct := res.Contact(); ct != nil {
		c.b.target = *ct.Address.Clone()
	}
	c.state = stAnswered
}

// dropAnswer ends a leg B that answered after the call was given up:
// ACK, then BYE.
func (c *call) dropAnswer(res *sipmsg.Response) {
	c.formLegB(res)
	c.sendAckB(nil)
	ctx, cancel := context.WithTimeout(context.Background(), byeTimeout)
	defer cancel()
	if tx := c.sendBye(ctx, &c.b); tx != nil {
		waitFinal(ctx, tx)
	}
}

// sendAckB acknowledges leg B's 2xx, with the answer when the offer came
// from leg B (late offer).
func (c *call) sendAckB(sdp []byte) {
	c.mu.Lock()
	if c.ackB != nil {
		c.mu.Unlock()
		return
	}
	ack := c.srv.request(&c.b, sipmsg.ACK, c.inviteB.CSeq().SeqNo, c.b.target)
	if sdp != nil {
		if body, err := c.b.sdp.rewrite(sdp, c.srv.cfg.MediaIP); err == nil {
			ack.AppendHeader(sipmsg.NewHeader("Content-Type", typeSDP))
			ack.SetBody(body)
		}
	}
	if ack.Body() == nil {
		ack.SetBody(nil)
	}
	c.ackB = ack
	c.mu.Unlock()

	if err := c.srv.write(ack.Clone()); err != nil {
		c.logger().Warn("ack leg b", errAttr(err))
	}
}

// reAckB answers a retransmitted 2xx of leg B's INVITE with the same ACK.
func (c *call) reAckB(res *sipmsg.Response) {
	if !res.IsSuccess() {
		return
	}
	c.mu.Lock()
	ack := c.ackB
	c.mu.Unlock()
	if ack != nil {
		c.srv.write(ack.Clone())
	}
}

// confirm waits for the caller's ACK of the 200, retransmitting the 200
// over UDP (RFC 6026 leaves that to the transaction user), then hands the
// call over to requests and timers.
func (c *call) confirm() {
	interval := sipmsg.T1
	resend := time.NewTimer(interval)
	defer resend.Stop()
	if c.a.transport != "UDP" {
		resend.Stop()
	}
	giveUp := time.NewTimer(64 * sipmsg.T1)
	defer giveUp.Stop()

	calleeGone := false
	for {
		select {
		case ack := <-c.txA.Acks():
			if c.acked(ack, calleeGone) {
				return
			}
		case ev := <-c.events:
			if ev.kind == evByeB {
				// RFC 3261 section 15: no BYE to the caller before its ACK.
				calleeGone = true
			} else if c.onAnsweredEvent(ev, calleeGone) {
				return
			}
		case <-resend.C:
			c.srv.respond(c.txA, c.ok200)
			interval = min(2*interval, sipmsg.T2)
			resend.Reset(interval)
		case <-giveUp.C:
			c.logger().Warn("caller never acknowledged the answer")
			c.end(release{billing.ReleaseBroker, 408, q850TimerExpired, billing.ReasonNone},
				true, !calleeGone)
			return
		}
	}
}

// onAnsweredEvent handles an event between the 200 and its ACK; it
// reports whether the call is over or confirmed.
func (c *call) onAnsweredEvent(ev event, calleeGone bool) bool {
	switch ev.kind {
	case evAck:
		return c.acked(ev.req, calleeGone)
	case evByeA:
		c.end(release{billing.ReleaseCaller, 200, q850Normal, billing.ReasonNone},
			false, !calleeGone)
		return true
	case evHangup, evMaxDuration:
		c.end(release{billing.ReleaseBroker, 200, q850Normal, billing.ReasonNone},
			true, !calleeGone)
		return true
	}
	return false
}

// acked takes the caller's ACK of the 200. With a late offer the ACK
// carries the answer for leg B. It returns false for an ACK of something
// else.
func (c *call) acked(ack *sipmsg.Request, calleeGone bool) bool {
	if cseq := ack.CSeq(); cseq == nil || cseq.SeqNo != c.invite.CSeq().SeqNo {
		return false
	}
	if !c.early {
		sdp, _ := sessionBody(ack)
		c.sendAckB(sdp)
	}

	pending := c.confirmed()
	if calleeGone {
		c.end(release{billing.ReleaseCallee, 200, q850Normal, billing.ReasonNone}, true, false)
		return true
	}
	for _, ev := range pending {
		c.onConfirmedEvent(ev)
	}
	c.reached()
	return true
}

// reached tells the Router the call was answered.
func (c *call) reached() {
	ctx, cancel := context.WithTimeout(context.Background(), routeTimeout)
	defer cancel()
	if err := c.srv.router.Reached(ctx, c.dec); err != nil {
		c.logger().Warn("reached", errAttr(err))
	}
}
