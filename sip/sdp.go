package sip

import (
	"bytes"
	"errors"
	"strconv"
)

// maxSDP bounds a session description; a real offer is well under 2 KiB.
const maxSDP = 16 << 10

var errBadSDP = errors.New("malformed sdp")

// sdpSession is the broker's side of the SDP session on one leg: the o=
// line the peer on that leg sees. Each leg has its own id, and the version
// goes up only when the description sent on that leg changes (RFC 3264
// section 8).
type sdpSession struct {
	id      uint64
	version uint64
	last    []byte // the last body sent, from its s= line on
}

func newSDPSession() sdpSession {
	return sdpSession{id: newSessionID(), version: 1}
}

// rewrite returns body with its origin replaced by the broker's
// ("o=- <id> <version> IN IP4 <ip>") and its session name by "s=-". The
// lines that describe a person rather than the media — i= (title), u=
// (URI), e= (email), p= (phone) — are dropped at every level. Everything
// else passes through untouched. A body that does not parse as SDP is an
// error.
//
// TODO: write the broker's c= address and m= ports once the media relay
// allocates them; until then each side sees the other's media address.
func (s *sdpSession) rewrite(body []byte, ip string) ([]byte, error) {
	rest, err := sdpRest(body)
	if err != nil {
		return nil, err
	}

	if !bytes.Equal(rest, s.last) {
		if s.last != nil {
			s.version++
		}
		s.last = rest
	}

	out := make([]byte, 0, len(rest)+64)
	out = append(out, "v=0\r\no=- "...)
	out = strconv.AppendUint(out, s.id, 10)
	out = append(out, ' ')
	out = strconv.AppendUint(out, s.version, 10)
	out = append(out, " IN "...)
	out = append(out, addrType(ip)...)
	out = append(out, ' ')
	out = append(out, ip...)
	out = append(out, "\r\n"...)
	return append(out, rest...), nil
}

func addrType(ip string) string {
	if bytes.IndexByte([]byte(ip), ':') >= 0 {
		return "IP6"
	}
	return "IP4"
}

// sdpRest checks body and returns its lines after v= and o=, CRLF ended,
// starting with "s=-" and without the personal lines.
func sdpRest(body []byte) ([]byte, error) {
	if len(body) == 0 || len(body) > maxSDP {
		return nil, errBadSDP
	}

	out := make([]byte, 0, len(body)+8)
	out = append(out, "s=-\r\n"...)
	var n sdpCount
	for len(body) > 0 {
		var line []byte
		line, body = nextSDPLine(body)
		if len(line) == 0 && len(bytes.TrimSpace(body)) == 0 {
			break
		}
		keep, err := n.check(line)
		if err != nil {
			return nil, err
		}
		if keep {
			out = append(out, line...)
			out = append(out, "\r\n"...)
		}
	}

	if n.origins != 1 || n.media == 0 || n.conns == 0 {
		return nil, errBadSDP
	}
	return out, nil
}

// sdpCount follows the lines of one session description.
type sdpCount struct {
	lines, origins, media, conns int
}

// check validates the next line and reports whether it passes through:
// v=, o= and s= are the broker's, and i=, u=, e=, p= are dropped.
func (n *sdpCount) check(line []byte) (bool, error) {
	first := n.lines == 0
	n.lines++
	if !validSDPLine(line) || first != bytes.Equal(line, []byte("v=0")) {
		return false, errBadSDP
	}

	switch line[0] {
	case 'v', 's', 'i', 'u', 'e', 'p':
		return false, nil
	case 'o':
		if n.media > 0 || len(bytes.Fields(line[2:])) != 6 {
			return false, errBadSDP
		}
		n.origins++
		return false, nil
	case 'm':
		n.media++
	case 'c':
		n.conns++
	}
	return true, nil
}

// nextSDPLine cuts the first line off b; SDP lines end in CRLF, but a bare
// LF is accepted as RFC 4566 asks.
func nextSDPLine(b []byte) (line, rest []byte) {
	i := bytes.IndexByte(b, '\n')
	if i < 0 {
		return b, nil
	}
	line, rest = b[:i], b[i+1:]
	if n := len(line); n > 0 && line[n-1] == '\r' {
		line = line[:n-1]
	}
	return line, rest
}

// validSDPLine checks the "<letter>=<value>" shape, with no control bytes.
func validSDPLine(line []byte) bool {
	if len(line) < 2 || line[1] != '=' || line[0] < 'a' || line[0] > 'z' {
		return false
	}
	for _, c := range line[2:] {
		if c < 0x20 && c != '\t' || c == 0x7f {
			return false
		}
	}
	return true
}
