package sip

import (
	sipmsg "github.com/emiago/sipgo/sip"
)

// leg is one dialog of a call as the broker sees it. The broker is the UAS
// of leg A (the caller's) and the UAC of leg B (towards the trunk). Fields
// set when the dialog is formed never change afterwards; target, cseq and
// sdp are guarded by the call's mutex.
type leg struct {
	callID    string
	localTag  string
	remoteTag string
	local     sipmsg.Uri // the broker's URI on this leg: From of its requests
	remote    sipmsg.Uri // the peer's URI: To of the broker's requests
	routes    []sipmsg.Uri
	transport string // "UDP", "TCP" or "TLS"
	laddr     sipmsg.Addr

	target sipmsg.Uri // the peer's Contact: Request-URI of in-dialog requests
	cseq   uint32     // the broker's last CSeq on this leg
	sdp    sdpSession
}

// request builds an in-dialog request to the peer of l with the given
// CSeq. The Via, Contact and tags are the broker's own; nothing from the
// other leg is in it.
func (s *Server) request(l *leg, method sipmsg.RequestMethod, cseq uint32,
	target sipmsg.Uri) *sipmsg.Request {
	req := sipmsg.NewRequest(method, target)
	req.AppendHeader(s.via(l.transport))
	for i := range l.routes {
		req.AppendHeader(&sipmsg.RouteHeader{Address: l.routes[i]})
	}

	maxFwd := sipmsg.MaxForwardsHeader(70)
	req.AppendHeader(&maxFwd)
	req.AppendHeader(&sipmsg.FromHeader{Address: l.local, Params: tagParam(l.localTag)})
	req.AppendHeader(&sipmsg.ToHeader{Address: l.remote, Params: tagParam(l.remoteTag)})

	callID := sipmsg.CallIDHeader(l.callID)
	req.AppendHeader(&callID)
	req.AppendHeader(&sipmsg.CSeqHeader{SeqNo: cseq, MethodName: method})
	if method != sipmsg.ACK && method != sipmsg.CANCEL {
		req.AppendHeader(s.contact(l.transport))
	}

	req.SetTransport(l.transport)
	req.Laddr = l.laddr
	return req
}

// via returns a fresh Via for a request the broker sends.
func (s *Server) via(transport string) *sipmsg.ViaHeader {
	params := sipmsg.HeaderParams{{K: "branch", V: newBranch()}}
	if transport == "UDP" {
		params = append(params, sipmsg.HeaderKV{K: "rport"})
	}
	return &sipmsg.ViaHeader{
		ProtocolName:    "SIP",
		ProtocolVersion: "2.0",
		Transport:       transport,
		Host:            s.host,
		Port:            s.port(transport),
		Params:          params,
	}
}

func tagParam(tag string) sipmsg.HeaderParams {
	if tag == "" {
		return nil
	}
	return sipmsg.HeaderParams{{K: "tag", V: tag}}
}

// routeSet returns the route set of a dialog from Record-Route headers:
// as received for the UAS (leg A), reversed for the UAC (leg B), as RFC
// 3261 section 12.1 says.
func routeSet(msg sipmsg.Message, reverse bool) []sipmsg.Uri {
	hdrs := msg.GetHeaders("Record-Route")
	if len(hdrs) == 0 {
		return nil
	}
	out := make([]sipmsg.Uri, 0, len(hdrs))
	for _, h := range hdrs {
		rr, ok := h.(*sipmsg.RecordRouteHeader)
		if !ok {
			continue
		}
		out = append(out, *rr.Address.Clone())
	}
	if reverse {
		for i, j := 0, len(out)-1; i < j; i, j = i+1, j-1 {
			out[i], out[j] = out[j], out[i]
		}
	}
	return out
}
