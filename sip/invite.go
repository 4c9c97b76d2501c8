package sip

import (
	"context"
	"errors"
	"strings"
	"time"

	sipmsg "github.com/emiago/sipgo/sip"

	"maskline/billing"
	"maskline/binding"
	"maskline/phone"
)

// onInvite handles an INVITE: a re-INVITE within a call, or a new call.
// For a new call this goroutine runs the call until it is answered and
// acknowledged, or over.
func (s *Server) onInvite(req *sipmsg.Request, tx sipmsg.ServerTransaction) {
	if toTag(req) != "" {
		s.onReinvite(req, tx)
		return
	}
	metricInvites.Inc()
	s.respond(tx, sipmsg.NewResponseFromRequest(req, 100, phrase(100), nil))

	in, code := parseInvite(req)
	if code != 0 {
		rejectedMalformed.Inc()
		s.reply(tx, req, code)
		return
	}

	c := s.newCall(req, tx, in)
	switch err := s.calls.add(c); {
	case errors.Is(err, errDraining):
		rejectedDraining.Inc()
		s.reply(tx, req, 503)
		return
	case err != nil:
		s.reply(tx, req, 482)
		return
	}
	if !c.run(in) {
		awaitAck(tx)
	}
}

func (s *Server) newCall(req *sipmsg.Request, tx sipmsg.ServerTransaction, in inbound) *call {
	fromTag, _ := req.From().Params.Get("tag")
	c := &call{
		srv:    s,
		id:     newRecordID(),
		invite: req,
		txA:    tx,
		aKey:   dialogKey{callID: req.CallID().Value(), tag: fromTag},
		early:  in.sdp != nil,
		events: make(chan event, 8),
		up:     make(chan struct{}),
	}
	c.rec = billing.CallRecord{ID: c.id, InviteAt: time.Now(), Node: s.cfg.Node}

	c.a = leg{
		callID:    c.aKey.callID,
		localTag:  newTag(),
		remoteTag: fromTag,
		local:     *req.To().Address.Clone(),
		remote:    *req.From().Address.Clone(),
		routes:    routeSet(req, false),
		transport: req.Transport(),
		target:    *req.Contact().Address.Clone(),
		sdp:       newSDPSession(),
	}
	c.b = leg{callID: newCallID(), localTag: newTag(), transport: s.trunk.transport,
		sdp: newSDPSession()}
	if c.a.transport == "UDP" {
		c.a.laddr = s.udpLaddr
	}
	if c.b.transport == "UDP" {
		c.b.laddr = s.udpLaddr
	}
	return c
}

// run takes a registered call from routing to the end of its setup; it
// reports whether the caller got a 200.
func (c *call) run(in inbound) bool {
	c.txA.OnCancel(func(*sipmsg.Request) {
		c.cancelled.Store(true)
		c.post(event{kind: evCancel})
	})
	if c.txA.Err() == sipmsg.ErrTransactionCanceled {
		c.cancelled.Store(true)
	}

	if !c.route(in) || !c.dial(in) || !c.ring() {
		return false
	}
	c.confirm()
	c.settle()
	return true
}

// settle drops what only the setup needed — the INVITEs, the 200, the
// transactions — so that a long call does not keep them; sipgo lets go of
// its own references when its transactions end.
func (c *call) settle() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.invite, c.inviteB, c.ok200 = nil, nil, nil
	c.txA, c.txB = nil, nil
}

// route asks the Router where the call goes; a refusal ends the call.
func (c *call) route(in inbound) bool {
	ctx, cancel := context.WithTimeout(context.Background(), routeTimeout)
	dec, err := c.srv.router.Route(ctx, binding.RouteRequest{
		Caller: in.caller, Dialled: in.dialled, Extension: in.extension,
	})
	cancel()
	if err != nil {
		c.refuse(err, in)
		return false
	}

	c.dec = dec
	r := &c.rec
	r.BindingID, r.TenantID, r.Mode = dec.BindingID, dec.TenantID, string(dec.Mode)
	r.X, r.Extension, r.Caller, r.Callee = dec.X, dec.Extension, dec.Caller, dec.Callee
	r.Direction, r.OutID = string(dec.Direction), dec.OutID
	c.debug("routed", "binding", dec.BindingID, "mode", dec.Mode,
		"x", dec.X, "callee", dec.Callee)

	switch {
	case c.cancelled.Load():
		c.finish(release{billing.ReleaseCaller, 487, q850Normal, billing.ReasonNoAnswer})
		return false
	case c.hungUp.Load():
		c.respondA(503, nil)
		c.finish(release{billing.ReleaseBroker, 503, q850(503), billing.ReasonFailed})
		return false
	}
	return true
}

// refuse answers a call routing would not connect and records it.
func (c *call) refuse(err error, in inbound) {
	ref := refusalFor(err)
	var r *binding.Refused
	if errors.As(err, &r) {
		c.rec.BindingID, c.rec.TenantID, c.rec.Mode = r.BindingID, r.TenantID, string(r.Mode)
	} else {
		c.logger().Warn("route", errAttr(err))
	}

	region := c.srv.cfg.Region
	x, ext := splitDialled(in.dialled)
	c.rec.X, _ = phone.Parse(x, region)
	c.rec.Extension = ext
	if in.extension != "" {
		c.rec.Extension = in.extension
	}
	c.rec.Caller, _ = phone.Parse(in.caller, region)

	if !c.cancelled.Load() {
		c.respondA(ref.code, nil)
	}
	c.finish(release{billing.ReleaseBroker, ref.code, q850(ref.code), ref.reason})
}

// splitDialled splits "X-E" or "X*E" for the call record of a refused
// call; the binding service does the same for routing.
func splitDialled(d string) (x, ext string) {
	if i := strings.IndexAny(d, "-*"); i > 0 {
		return d[:i], strings.TrimLeft(d[i+1:], "-*")
	}
	return d, ""
}

// dial sends the INVITE of leg B.
func (c *call) dial(in inbound) bool {
	req, err := c.newInviteB(in)
	if err == nil {
		// The context bounds only the connection to the trunk (TCP, TLS).
		ctx, cancel := context.WithTimeout(context.Background(), dialTimeout)
		c.inviteB = req
		c.txB, err = c.srv.send(ctx, req)
		cancel()
	}
	if err != nil {
		c.logger().Warn("dial trunk", errAttr(err))
		c.respondA(503, nil)
		c.finish(release{billing.ReleaseBroker, 503, q850OutOfOrder, billing.ReasonFailed})
		return false
	}
	c.txB.OnRetransmission(c.reAckB)
	return true
}

// newInviteB builds leg B's INVITE: Request-URI user from the decision's
// callee only, From and P-Asserted-Identity X, the broker's own Call-ID,
// tags, branch and Contact, whitelisted headers from leg A and the offer
// with the broker's origin.
func (c *call) newInviteB(in inbound) (*sipmsg.Request, error) {
	s := c.srv
	callee, x := s.formatNumber(c.dec.Callee), s.formatNumber(c.dec.X)
	ruri := sipmsg.Uri{Scheme: "sip", User: callee, Host: s.trunk.host, Port: s.trunk.port}
	if s.trunk.transport != "UDP" {
		ruri.UriParams = sipmsg.HeaderParams{
			{K: "transport", V: strings.ToLower(s.trunk.transport)},
		}
	}
	c.b.local = sipmsg.Uri{Scheme: "sip", User: x, Host: s.host}
	c.b.remote = sipmsg.Uri{Scheme: "sip", User: callee, Host: s.trunk.host}
	c.b.target, c.b.cseq = ruri, 1

	req := s.request(&c.b, sipmsg.INVITE, 1, ruri)
	if mf, in := req.MaxForwards(), c.invite.MaxForwards(); mf != nil && in != nil {
		*mf = sipmsg.MaxForwardsHeader(min(in.Val()-1, 70))
	}
	req.AppendHeader(sipmsg.NewHeader("P-Asserted-Identity", "<"+c.b.local.String()+">"))
	copyWhitelist(req, c.invite)

	if in.sdp == nil {
		req.SetBody(nil)
		return req, nil
	}
	body, err := c.b.sdp.rewrite(in.sdp, s.cfg.MediaIP)
	if err != nil {
		return nil, err
	}
	req.AppendHeader(sipmsg.NewHeader("Content-Type", typeSDP))
	req.SetBody(body)
	return req, nil
}

// respondA answers the caller's INVITE with the broker's tag and Contact.
func (c *call) respondA(code int, sdp []byte) error {
	res := sipmsg.NewResponseFromRequest(c.invite, code, phrase(code), nil)
	res.To().Params.Add("tag", c.a.localTag)
	if code < 300 {
		res.AppendHeader(c.srv.contact(c.a.transport))
		res.AppendHeader(c.srv.allow)
	}
	if sdp != nil {
		res.AppendHeader(sipmsg.NewHeader("Content-Type", typeSDP))
	}
	res.SetBody(sdp)
	if code == 200 {
		c.ok200 = res
	}
	return c.srv.respond(c.txA, res)
}
