package sip

import (
	"context"
	"net/netip"
	"time"

	sipgo "github.com/emiago/sipgo"
	sipmsg "github.com/emiago/sipgo/sip"
)

// handle registers the request handlers. sipgo runs each request in its
// own goroutine with its server transaction; handlers may block.
func (s *Server) handle() {
	s.sip.OnInvite(s.guard(s.onInvite))
	s.sip.OnAck(s.onAck)
	s.sip.OnBye(s.guard(s.onBye))
	s.sip.OnCancel(s.guard(s.onCancel))
	s.sip.OnOptions(s.guard(s.onOptions))
	s.sip.OnUpdate(s.guard(s.onRelay))
	s.sip.OnInfo(s.guard(s.onRelay))
	s.sip.OnNoRoute(s.guard(s.onUnsupported))
}

// guard answers 403 to any request from outside cfg.Trusted.
func (s *Server) guard(h sipgo.RequestHandler) sipgo.RequestHandler {
	return func(req *sipmsg.Request, tx sipmsg.ServerTransaction) {
		if !s.trusted(req.Source()) {
			// No wait for the ACK here, unlike reply: a stranger's flood
			// must not hold a goroutine per request.
			rejectedUntrusted.Inc()
			s.respond(tx, sipmsg.NewResponseFromRequest(req, 403, phrase(403), nil))
			return
		}
		h(req, tx)
	}
}

func (s *Server) trusted(source string) bool {
	ap, err := netip.ParseAddrPort(source)
	if err != nil {
		return false
	}
	ip := ap.Addr().Unmap()
	for _, p := range s.cfg.Trusted {
		if p.Contains(ip) {
			return true
		}
	}
	return false
}

// reply answers req with a bodiless response of the given code.
func (s *Server) reply(tx sipmsg.ServerTransaction, req *sipmsg.Request, code int) {
	res := sipmsg.NewResponseFromRequest(req, code, phrase(code), nil)
	if code == 405 || code == 200 {
		res.AppendHeader(s.allow)
	}
	if code == 420 {
		if h := req.GetHeader("Require"); h != nil {
			res.AppendHeader(sipmsg.NewHeader("Unsupported", h.Value()))
		}
	}
	s.respond(tx, res)
	if req.IsInvite() && code >= 300 {
		awaitAck(tx)
	}
}

// awaitAck waits for the ACK of a failure answer to an INVITE, at most
// until the transaction gives up (Timer H). sipgo hands that ACK to
// tx.Acks() and, when nobody reads it, parks a goroutine on it until the
// transaction ends: taking it here ends that goroutine with the call.
func awaitAck(tx sipmsg.ServerTransaction) {
	t := time.NewTimer(64 * sipmsg.T1)
	defer t.Stop()
	select {
	case <-tx.Acks():
	case <-tx.Done():
	case <-t.C:
	}
}

// respond sends res on tx and traces it.
func (s *Server) respond(tx sipmsg.ServerTransaction, res *sipmsg.Response) error {
	s.trace("send", res)
	if err := tx.Respond(res); err != nil {
		s.log.Debug("respond", "code", res.StatusCode, errAttr(err))
		return err
	}
	return nil
}

// send starts a client transaction for req.
func (s *Server) send(ctx context.Context, req *sipmsg.Request) (sipmsg.ClientTransaction, error) {
	s.trace("send", req)
	return s.ua.TransactionLayer().Request(ctx, req)
}

// write sends req outside any transaction: an ACK for a 2xx.
func (s *Server) write(req *sipmsg.Request) error {
	s.trace("send", req)
	return s.ua.TransportLayer().WriteMsg(req)
}

func (s *Server) onOptions(req *sipmsg.Request, tx sipmsg.ServerTransaction) {
	s.reply(tx, req, 200)
}

func (s *Server) onUnsupported(req *sipmsg.Request, tx sipmsg.ServerTransaction) {
	s.reply(tx, req, 405)
}

// onCancel sees only a CANCEL that matched no INVITE transaction: sipgo
// answers the others itself (200, then 487 to the INVITE) and tells the
// call through the transaction's OnCancel.
func (s *Server) onCancel(req *sipmsg.Request, tx sipmsg.ServerTransaction) {
	s.reply(tx, req, 481)
}

// onAck delivers an ACK to its call. ACKs get no answer, so an untrusted
// one is dropped silently.
func (s *Server) onAck(req *sipmsg.Request, tx sipmsg.ServerTransaction) {
	if !s.trusted(req.Source()) {
		return
	}
	if c, _ := s.findCall(req); c != nil {
		c.deliverAck(req)
	}
}

func (s *Server) onBye(req *sipmsg.Request, tx sipmsg.ServerTransaction) {
	c, fromA := s.findCall(req)
	if c == nil || (!fromA && !c.answered()) {
		s.reply(tx, req, 481)
		return
	}
	s.reply(tx, req, 200)
	c.byeFrom(fromA)
}

// findCall returns the call an in-dialog request belongs to, and whether
// it came on leg A.
func (s *Server) findCall(req *sipmsg.Request) (*call, bool) {
	callID, from := req.CallID(), req.From()
	if callID == nil || from == nil {
		return nil, false
	}
	if c := s.calls.fromB(callID.Value()); c != nil {
		if toTag(req) == c.b.localTag {
			return c, false
		}
		return nil, false
	}

	fromTag, _ := from.Params.Get("tag")
	c := s.calls.fromA(callID.Value(), fromTag)
	if c == nil {
		return nil, false
	}
	if tag := toTag(req); tag != "" && tag != c.a.localTag {
		return nil, false
	}
	return c, true
}

func toTag(req *sipmsg.Request) string {
	if to := req.To(); to != nil {
		tag, _ := to.Params.Get("tag")
		return tag
	}
	return ""
}

// onStrayResponse sees responses no transaction wanted: mostly 2xx
// retransmissions from leg B after its INVITE transaction ended, which
// still need an ACK.
func (s *Server) onStrayResponse(res *sipmsg.Response) {
	cseq, callID := res.CSeq(), res.CallID()
	if !res.IsSuccess() || cseq == nil || callID == nil || cseq.MethodName != sipmsg.INVITE {
		return
	}
	if c := s.calls.fromB(callID.Value()); c != nil {
		c.reAckB(res)
	}
}
