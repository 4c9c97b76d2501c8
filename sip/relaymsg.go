package sip

import (
	"context"
	"errors"

	sipmsg "github.com/emiago/sipgo/sip"
)

// forward sends a copy of an in-dialog request on leg to: the broker's own
// dialog headers, the whitelisted ones of req, and its body (SDP rewritten
// for that leg). It returns nil when the request could not be sent.
func (c *call) forward(ctx context.Context, to *leg, req *sipmsg.Request, body []byte,
	ctype string) (*sipmsg.Request, sipmsg.ClientTransaction) {
	c.mu.Lock()
	to.cseq++
	cseq, target := to.cseq, to.target
	var err error
	if body != nil && ctype == typeSDP {
		body, err = to.sdp.rewrite(body, c.srv.cfg.MediaIP)
	}
	c.mu.Unlock()
	if err != nil {
		return nil, nil
	}

	out := c.srv.request(to, req.Method, cseq, target)
	copyWhitelist(out, req)
	if body != nil {
		out.AppendHeader(sipmsg.NewHeader("Content-Type", ctype))
	}
	out.SetBody(body)

	tx, err := c.srv.send(ctx, out)
	if err != nil {
		c.logger().Warn("relay", "method", req.Method, errAttr(err))
		return nil, nil
	}
	return out, tx
}

// relayResponse builds the response to a relayed request, with the other
// leg's answer (SDP rewritten for leg from).
func (c *call) relayResponse(from *leg, req *sipmsg.Request, code int, body []byte,
	ctype string) *sipmsg.Response {
	res := sipmsg.NewResponseFromRequest(req, code, phrase(code), nil)
	if req.Method != sipmsg.INFO {
		res.AppendHeader(c.srv.contact(from.transport))
	}
	if body != nil && ctype == typeSDP {
		c.mu.Lock()
		out, err := from.sdp.rewrite(body, c.srv.cfg.MediaIP)
		c.mu.Unlock()
		body = out
		if err != nil {
			body = nil
		}
	}
	if body != nil {
		res.AppendHeader(sipmsg.NewHeader("Content-Type", ctype))
	}
	res.SetBody(body)
	return res
}

// refreshTarget takes a new remote target from the Contact of a target
// refresh request or its 2xx (RFC 3261 section 12.2).
func (c *call) refreshTarget(l *leg, msg sipmsg.Message) {
	var contact *sipmsg.ContactHeader
	switch m := msg.(type) {
	case *sipmsg.Request:
		contact = m.Contact()
	case *sipmsg.Response:
		contact = m.Contact()
	}
	if contact == nil {
		return
	}
	c.mu.Lock()
	l.target = *contact.Address.Clone()
	c.mu.Unlock()
}

// relayedSDP checks the body of a re-INVITE: its SDP, or nil for an offer
// requested (the offer then comes in the other leg's 2xx).
func relayedSDP(req *sipmsg.Request) ([]byte, int) {
	sdp, err := sessionBody(req)
	if err != nil {
		return nil, bodyStatus(err)
	}
	if sdp != nil {
		if _, err := sdpRest(sdp); err != nil {
			return nil, 400
		}
	}
	return sdp, 0
}

func bodyStatus(err error) int {
	if errors.Is(err, errUnsupportedBody) {
		return 415
	}
	return 400
}

// relayedCode is the status returned to the requester when the other leg
// refused a relayed request or did not answer.
func relayedCode(res *sipmsg.Response, err error) int {
	switch {
	case res != nil:
		return res.StatusCode
	case errors.Is(err, context.DeadlineExceeded), errors.Is(err, sipmsg.ErrTransactionTimeout):
		return 408
	}
	return 500
}

// finalOf waits for the final response of a client transaction and leaves
// the transaction up (for an INVITE, a 2xx may still be retransmitted).
func finalOf(ctx context.Context, tx sipmsg.ClientTransaction) (*sipmsg.Response, error) {
	for {
		select {
		case res := <-tx.Responses():
			if !res.IsProvisional() {
				return res, nil
			}
		case <-tx.Done():
			if err := tx.Err(); err != nil {
				return nil, err
			}
			return nil, sipmsg.ErrTransactionTerminated
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
}
