package sip_test

import (
	"net"
	"net/netip"
	"strings"
	"testing"
	"time"

	mlsip "maskline/sip"
)

// rawPeer talks SIP as bytes over UDP, for requests sipgo would not send.
type rawPeer struct {
	conn *net.UDPConn
	to   *net.UDPAddr
}

func newRawPeer(t *testing.T, to netip.AddrPort) *rawPeer {
	t.Helper()
	conn, err := net.ListenUDP("udp", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	return &rawPeer{conn: conn, to: net.UDPAddrFromAddrPort(to)}
}

func (p *rawPeer) send(t *testing.T, msg string) {
	t.Helper()
	if _, err := p.conn.WriteToUDP([]byte(msg), p.to); err != nil {
		t.Fatal(err)
	}
}

// final sends msg and returns the first non-100 response's status line.
func (p *rawPeer) final(t *testing.T, msg string) string {
	t.Helper()
	p.send(t, msg)
	buf := make([]byte, 65535)
	p.conn.SetReadDeadline(time.Now().Add(waitFor))
	for {
		n, _, err := p.conn.ReadFromUDP(buf)
		if err != nil {
			t.Fatalf("no answer: %v", err)
		}
		res := string(buf[:n])
		if !strings.HasPrefix(res, "SIP/2.0 100 ") {
			return res
		}
	}
}

// rawInvite returns an INVITE written line by line; edit replaces whole
// header lines by their name ("Contact:" → "" drops the header).
func rawInvite(id string, edit map[string]string, body string) string {
	lines := []string{
		"INVITE sip:" + xAXB + "@127.0.0.1 SIP/2.0",
		"Via: SIP/2.0/UDP 127.0.0.1:5999;branch=z9hG4bK-" + id + ";rport",
		"Max-Forwards: 70",
		"From: <sip:" + numA + "@127.0.0.1>;tag=raw-" + id,
		"To: <sip:" + xAXB + "@127.0.0.1>",
		"Call-ID: raw-" + id,
		"CSeq: 1 INVITE",
		"Contact: <sip:caller@127.0.0.1:5999>",
		"Content-Type: application/sdp",
	}
	for name, line := range edit {
		found := false
		for i, l := range lines {
			if strings.HasPrefix(l, name) {
				lines[i], found = line, true
			}
		}
		if !found {
			lines = append(lines, line)
		}
	}
	kept := lines[:0]
	for _, l := range lines {
		if l != "" {
			kept = append(kept, l)
		}
	}
	kept = append(kept, "Content-Length: "+itoa(len(body)), "", body)
	return strings.Join(kept, "\r\n")
}

func TestMalformedRequests(t *testing.T) {
	e := newEnv(t, "udp", nil)
	raw := newRawPeer(t, e.srv.UDPAddr())
	sdp := string(offer(numA, 40000))

	cases := []struct {
		name string
		edit map[string]string
		body string
		want int
	}{
		{"sdp that does not parse", nil, "v=0\r\nthis is not sdp\r\n", 400},
		{"sdp without media", nil, "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\n", 400},
		{"From without a number", map[string]string{
			"From:": "From: <sip:anonymous@anonymous.invalid>;tag=x"}, sdp, 400},
		{"From without a tag", map[string]string{"From:": "From: <sip:" + numA + "@h>"}, sdp, 400},
		{"Request-URI without user", map[string]string{
			"INVITE ": "INVITE sip:127.0.0.1 SIP/2.0"}, sdp, 400},
		{"Request-URI of another scheme", map[string]string{
			"INVITE ": "INVITE mailto:someone@example.com SIP/2.0"}, sdp, 400},
		{"no Contact", map[string]string{"Contact:": ""}, sdp, 400},
		{"no CSeq", map[string]string{"CSeq:": ""}, sdp, 400},
		{"body that is not sdp", map[string]string{
			"Content-Type:": "Content-Type: application/isup"}, "\x01\x02", 415},
		{"extension required", map[string]string{"Require:": "Require: 100rel"}, sdp, 420},
		{"no hops left", map[string]string{"Max-Forwards:": "Max-Forwards: 0"}, sdp, 483},
	}
	for i, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			res := raw.final(t, rawInvite(itoa(i), tc.edit, tc.body))
			if !strings.HasPrefix(res, "SIP/2.0 "+itoa(tc.want)+" ") {
				t.Fatalf("got %q, want %d", firstLine(res), tc.want)
			}
		})
	}

	// Garbage that does not even parse gets no answer (there is no Via to
	// answer to), and the server keeps serving.
	raw.send(t, "\x00\x01 not sip at all\r\n\r\n")
	raw.send(t, "INVITE sip:x@y SIP/2.0\r\nVia: broken\r\n\r\n")
	e.rec.none(t)
	sess, _ := e.connect(t, dialOpts{from: numA, to: xAXB})
	hangUp(t, sess)
	checkAnswered(t, e.rec.next(t), "caller")
}

func firstLine(s string) string {
	line, _, _ := strings.Cut(s, "\r\n")
	return line
}

func TestUntrustedSourcesGet403(t *testing.T) {
	e := newEnv(t, "udp", func(c *mlsip.Config) {
		c.Trusted = []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8")}
	})
	raw := newRawPeer(t, e.srv.UDPAddr())

	cases := []struct{ name, msg string }{
		{"INVITE", rawInvite("u1", nil, string(offer(numA, 40000)))},
		{"OPTIONS", strings.Replace(strings.Replace(rawInvite("u2", nil, ""),
			"INVITE sip:", "OPTIONS sip:", 1), "1 INVITE", "1 OPTIONS", 1)},
		{"BYE", strings.Replace(strings.Replace(rawInvite("u3", nil, ""),
			"INVITE sip:", "BYE sip:", 1), "1 INVITE", "2 BYE", 1)},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if res := raw.final(t, tc.msg); !strings.HasPrefix(res, "SIP/2.0 403 ") {
				t.Fatalf("got %q, want 403", firstLine(res))
			}
		})
	}
	e.rec.none(t)
	select {
	case inv := <-e.trunk.invites:
		t.Errorf("untrusted call reached the trunk: %s", inv.StartLine())
	default:
	}
}

func TestOptionsAnswers200WithAllow(t *testing.T) {
	e := newEnv(t, "udp", nil)
	raw := newRawPeer(t, e.srv.UDPAddr())
	msg := strings.Replace(strings.Replace(rawInvite("o1", nil, ""),
		"INVITE sip:", "OPTIONS sip:", 1), "1 INVITE", "1 OPTIONS", 1)

	res := raw.final(t, msg)
	if !strings.HasPrefix(res, "SIP/2.0 200 ") {
		t.Fatalf("got %q, want 200", firstLine(res))
	}
	for _, m := range []string{"INVITE", "ACK", "CANCEL", "BYE", "OPTIONS", "UPDATE", "INFO"} {
		if !strings.Contains(res, "Allow: ") || !strings.Contains(res, m) {
			t.Errorf("Allow lacks %s:\n%s", m, res)
		}
	}
}
