package sip

import (
	"context"
	"sync/atomic"
	"time"

	sipmsg "github.com/emiago/sipgo/sip"
)

// relayTimeout bounds a relayed request: as long as a transaction may
// wait for its final answer (64*T1).
func relayTimeout() time.Duration { return 64 * sipmsg.T1 }

// legs returns the leg a request came on and the other one.
func (c *call) legs(fromA bool) (from, to *leg) {
	if fromA {
		return &c.a, &c.b
	}
	return &c.b, &c.a
}

// startRelay claims the call for one offer/answer exchange; a second one
// at the same time gets 491, as RFC 3261 section 14.1 asks.
func (c *call) startRelay() bool {
	if !c.waitUp() {
		return false
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.state != stConfirmed || c.relaying {
		return false
	}
	c.relaying = true
	c.relayAck = make(chan *sipmsg.Request, 4)
	return true
}

// waitUp waits, for at most T1, for a call answered but not yet
// acknowledged to be confirmed: sipgo handles each message in its own
// goroutine, so a request sent right after the ACK may overtake it.
func (c *call) waitUp() bool {
	if !c.answered() {
		return false
	}
	t := time.NewTimer(sipmsg.T1)
	defer t.Stop()
	select {
	case <-c.up:
		return true
	case <-t.C:
		return false
	}
}

func (c *call) stopRelay() {
	c.mu.Lock()
	c.relaying, c.relayAck = false, nil
	c.mu.Unlock()
}

// onReinvite relays a re-INVITE to the other leg and its answer back.
func (s *Server) onReinvite(req *sipmsg.Request, tx sipmsg.ServerTransaction) {
	c, fromA := s.findCall(req)
	if c == nil {
		s.reply(tx, req, 481)
		return
	}
	if !c.startRelay() {
		s.reply(tx, req, 491)
		return
	}
	defer c.stopRelay()

	from, to := c.legs(fromA)
	c.relayInvite(from, to, req, tx)
}

func (c *call) relayInvite(from, to *leg, req *sipmsg.Request, tx sipmsg.ServerTransaction) {
	sdp, code := relayedSDP(req)
	if code != 0 {
		c.srv.reply(tx, req, code)
		return
	}
	c.refreshTarget(from, req)

	ctx, cancel := context.WithTimeout(context.Background(), relayTimeout())
	defer cancel()
	out, otx := c.forward(ctx, to, req, sdp, typeSDP)
	if otx == nil {
		c.srv.reply(tx, req, 500)
		return
	}
	var ack atomic.Pointer[sipmsg.Request]
	otx.OnRetransmission(func(r *sipmsg.Response) {
		if a := ack.Load(); a != nil && r.IsSuccess() {
			c.srv.write(a.Clone())
		}
	})

	res, err := finalOf(ctx, otx)
	if err != nil || !res.IsSuccess() {
		otx.Terminate()
		c.srv.reply(tx, req, relayedCode(res, err))
		return
	}
	c.refreshTarget(to, res)
	c.answerRelay(from, to, req, tx, out, res, sdp == nil, &ack)
}

// answerRelay completes a relayed re-INVITE the other leg accepted: 200
// to the requester, ACK to the other leg (carrying the requester's answer
// when the re-INVITE had no offer).
func (c *call) answerRelay(from, to *leg, req *sipmsg.Request, tx sipmsg.ServerTransaction,
	out *sipmsg.Request, res *sipmsg.Response, late bool, ack *atomic.Pointer[sipmsg.Request]) {
	ackReq := c.ackFor(to, out)
	if !late {
		c.sendRelayAck(ackReq, ack)
	}

	answer, _ := sessionBody(res)
	ok := c.relayResponse(from, req, 200, answer, typeSDP)
	if err := c.srv.respond(tx, ok); err != nil {
		return
	}
	reqAck := c.waitRelayAck(tx, ok, req.CSeq().SeqNo)
	if !late {
		return
	}

	if reqAck != nil {
		if sdp, _ := sessionBody(reqAck); sdp != nil {
			c.mu.Lock()
			body, err := to.sdp.rewrite(sdp, c.srv.cfg.MediaIP)
			c.mu.Unlock()
			if err == nil {
				ackReq.AppendHeader(sipmsg.NewHeader("Content-Type", typeSDP))
				ackReq.SetBody(body)
			}
		}
	}
	c.sendRelayAck(ackReq, ack)
}

func (c *call) ackFor(to *leg, out *sipmsg.Request) *sipmsg.Request {
	c.mu.Lock()
	target := to.target
	c.mu.Unlock()
	ack := c.srv.request(to, sipmsg.ACK, out.CSeq().SeqNo, target)
	ack.SetBody(nil)
	return ack
}

func (c *call) sendRelayAck(ack *sipmsg.Request, keep *atomic.Pointer[sipmsg.Request]) {
	keep.Store(ack)
	if err := c.srv.write(ack.Clone()); err != nil {
		c.logger().Warn("ack relayed re-invite", errAttr(err))
	}
}

// waitRelayAck waits for the requester's ACK of the 200 to a relayed
// re-INVITE, retransmitting the 200 over UDP.
func (c *call) waitRelayAck(tx sipmsg.ServerTransaction, ok *sipmsg.Response,
	cseq uint32) *sipmsg.Request {
	c.mu.Lock()
	acks := c.relayAck
	c.mu.Unlock()

	interval := sipmsg.T1
	resend := time.NewTimer(interval)
	defer resend.Stop()
	if tx.Acks() == nil || ok.Transport() != "UDP" {
		resend.Stop()
	}
	giveUp := time.NewTimer(64 * sipmsg.T1)
	defer giveUp.Stop()

	for {
		var ack *sipmsg.Request
		select {
		case ack = <-tx.Acks():
		case ack = <-acks:
		case <-resend.C:
			c.srv.respond(tx, ok)
			interval = min(2*interval, sipmsg.T2)
			resend.Reset(interval)
			continue
		case <-giveUp.C:
			return nil
		}
		if h := ack.CSeq(); h != nil && h.SeqNo == cseq {
			return ack
		}
	}
}

// onRelay relays UPDATE and INFO within a call.
func (s *Server) onRelay(req *sipmsg.Request, tx sipmsg.ServerTransaction) {
	c, fromA := s.findCall(req)
	if c == nil {
		s.reply(tx, req, 481)
		return
	}
	body, ctype, err := infoBody(req)
	if err != nil {
		s.reply(tx, req, bodyStatus(err))
		return
	}

	// An UPDATE carrying an offer takes part in offer/answer and must not
	// cross a re-INVITE; INFO (DTMF) may.
	if req.Method == sipmsg.UPDATE {
		if !c.startRelay() {
			s.reply(tx, req, 491)
			return
		}
		defer c.stopRelay()
	} else if !c.waitUp() || !c.isConfirmed() {
		s.reply(tx, req, 491)
		return
	}

	from, to := c.legs(fromA)
	c.relayRequest(from, to, req, tx, body, ctype)
}

func (c *call) relayRequest(from, to *leg, req *sipmsg.Request, tx sipmsg.ServerTransaction,
	body []byte, ctype string) {
	if req.Method == sipmsg.UPDATE {
		c.refreshTarget(from, req)
	}
	ctx, cancel := context.WithTimeout(context.Background(), relayTimeout())
	defer cancel()
	_, otx := c.forward(ctx, to, req, body, ctype)
	if otx == nil {
		c.srv.reply(tx, req, 500)
		return
	}

	res, err := waitFinal(ctx, otx)
	if err != nil || !res.IsSuccess() {
		c.srv.reply(tx, req, relayedCode(res, err))
		return
	}
	if req.Method == sipmsg.UPDATE {
		c.refreshTarget(to, res)
	}
	answer, rtype, _ := infoBody(res)
	c.srv.respond(tx, c.relayResponse(from, req, 200, answer, rtype))
}

func (c *call) isConfirmed() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.state == stConfirmed
}
