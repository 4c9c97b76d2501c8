package sip

import (
	sipmsg "github.com/emiago/sipgo/sip"
)

// trace logs a message the server sends when cfg.Trace is on, with every
// number masked.
func (s *Server) trace(dir string, msg sipmsg.Message) {
	if !s.cfg.Trace {
		return
	}
	s.log.Info("sip trace", "dir", dir, "transport", msg.Transport(),
		"msg", maskText(msg.String()))
}

// traceRead is a sipgo read filter: it logs every datagram or stream chunk
// as received, masked, and passes it on unchanged.
func (s *Server) traceRead(p sipmsg.TransportReadProps, data []byte) ([]byte, error) {
	s.log.Info("sip trace", "dir", "recv", "transport", p.Transport,
		"remote", p.RemoteAddr.String(), "msg", maskText(string(data)))
	return data, nil
}
