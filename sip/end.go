package sip

import (
	"context"

	sipmsg "github.com/emiago/sipgo/sip"

	"maskline/billing"
)

// byeFrom ends the call on a BYE from the caller (fromA) or the callee,
// already answered 200.
func (c *call) byeFrom(fromA bool) {
	kind := evByeB
	if fromA {
		kind = evByeA
	}
	if !c.post(event{kind: kind}) {
		c.onConfirmedEvent(event{kind: kind})
	}
}

// hangup ends the call for shutdown.
func (c *call) hangup() {
	c.hungUp.Store(true)
	if !c.post(event{kind: evHangup}) {
		c.onConfirmedEvent(event{kind: evHangup})
	}
}

func (c *call) onMaxDuration() {
	if !c.post(event{kind: evMaxDuration}) {
		c.onConfirmedEvent(event{kind: evMaxDuration})
	}
}

// deliverAck passes an ACK to whoever waits for it: the INVITE handler of
// a call being answered, or a relayed re-INVITE.
func (c *call) deliverAck(ack *sipmsg.Request) {
	c.mu.Lock()
	wait := c.relayAck
	c.mu.Unlock()
	if wait != nil {
		select {
		case wait <- ack:
		default:
		}
		return
	}
	c.post(event{kind: evAck, req: ack})
}

// onConfirmedEvent ends an answered call on a BYE, the maximum duration or
// shutdown.
func (c *call) onConfirmedEvent(ev event) {
	switch ev.kind {
	case evByeA:
		c.end(release{billing.ReleaseCaller, 200, q850Normal, billing.ReasonNone}, false, true)
	case evByeB:
		c.end(release{billing.ReleaseCallee, 200, q850Normal, billing.ReasonNone}, true, false)
	case evHangup, evMaxDuration:
		c.end(release{billing.ReleaseBroker, 200, q850Normal, billing.ReasonNone}, true, true)
	}
}

// end finishes an answered call once: it sends BYE to the legs asked for,
// waits a bounded time for their answers and writes the record.
func (c *call) end(rel release, byeA, byeB bool) {
	c.mu.Lock()
	if c.state == stEnded {
		c.mu.Unlock()
		return
	}
	c.state = stEnded
	if c.maxTimer != nil {
		c.maxTimer.Stop()
	}
	c.mu.Unlock()

	ctx, cancel := context.WithTimeout(context.Background(), byeTimeout)
	defer cancel()
	var txs [2]sipmsg.ClientTransaction
	if byeA {
		txs[0] = c.sendBye(ctx, &c.a)
	}
	if byeB {
		c.sendAckB(nil)
		txs[1] = c.sendBye(ctx, &c.b)
	}
	for _, tx := range txs {
		if tx != nil {
			waitFinal(ctx, tx)
		}
	}
	c.finish(rel)
}

// sendBye starts a BYE on leg l; nil when it could not be sent.
func (c *call) sendBye(ctx context.Context, l *leg) sipmsg.ClientTransaction {
	c.mu.Lock()
	l.cseq++
	req := c.srv.request(l, sipmsg.BYE, l.cseq, l.target)
	c.mu.Unlock()
	req.SetBody(nil)

	tx, err := c.srv.send(ctx, req)
	if err != nil {
		c.logger().Warn("send bye", errAttr(err))
		return nil
	}
	return tx
}

// waitFinal waits for the final response of a client transaction, then
// ends the transaction (a non-INVITE one has nothing left to do, and an
// unread transaction would hold sipgo's goroutine that delivers to it).
func waitFinal(ctx context.Context, tx sipmsg.ClientTransaction) (*sipmsg.Response, error) {
	defer tx.Terminate()
	return finalOf(ctx, tx)
}
