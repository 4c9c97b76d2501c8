package sip

import (
	"bytes"
	"strings"
	"testing"
)

// sdpLines joins SDP lines with CRLF and ends the last one.
func sdpLines(lines ...string) []byte {
	return []byte(strings.Join(lines, "\r\n") + "\r\n")
}

func TestSDPRewrite(t *testing.T) {
	good := sdpLines(
		"v=0",
		"o=8613812345678 99 7 IN IP4 10.1.2.3", // the caller's number as username
		"s=8613812345678",
		"i=call from 13812345678",
		"u=http://example.com/13812345678",
		"e=13812345678@example.com",
		"p=+86 138 1234 5678",
		"c=IN IP4 10.1.2.3",
		"t=0 0",
		"m=audio 4000 RTP/AVP 0 101",
		"i=voice of 13812345678",
		"a=rtpmap:101 telephone-event/8000",
	)
	s := sdpSession{id: 42, version: 1}
	out, err := s.rewrite(good, "192.0.2.1")
	if err != nil {
		t.Fatal(err)
	}
	want := sdpLines(
		"v=0",
		"o=- 42 1 IN IP4 192.0.2.1",
		"s=-",
		"c=IN IP4 10.1.2.3",
		"t=0 0",
		"m=audio 4000 RTP/AVP 0 101",
		"a=rtpmap:101 telephone-event/8000",
	)
	if !bytes.Equal(out, want) {
		t.Fatalf("rewrite:\n%s\nwant:\n%s", out, want)
	}

	// The same description again keeps the version; a change bumps it.
	if again, _ := s.rewrite(good, "192.0.2.1"); !bytes.Equal(again, want) {
		t.Errorf("unchanged SDP got a new origin:\n%s", again)
	}
	changed := bytes.Replace(good, []byte("4000"), []byte("4002"), 1)
	out, _ = s.rewrite(changed, "192.0.2.1")
	if !bytes.Contains(out, []byte("o=- 42 2 IN IP4 ")) {
		t.Errorf("changed SDP kept its version:\n%s", out)
	}

	// Bare LF line ends and an IPv6 media address are accepted.
	lf := bytes.ReplaceAll(good, []byte("\r\n"), []byte("\n"))
	if out, err := (&sdpSession{id: 1, version: 1}).rewrite(lf, "2001:db8::1"); err != nil ||
		!bytes.Contains(out, []byte("o=- 1 1 IN IP6 2001:db8::1\r\n")) {
		t.Errorf("LF SDP: %v\n%s", err, out)
	}
}

func TestSDPRewriteRefusesMalformed(t *testing.T) {
	const (
		o = "o=- 1 1 IN IP4 1.2.3.4"
		c = "c=IN IP4 1.2.3.4"
		m = "m=audio 1 RTP/AVP 0"
	)
	cases := map[string][]byte{
		"empty":             nil,
		"no version first":  sdpLines(o, "v=0", c, m),
		"two versions":      sdpLines("v=0", "v=0", o, c, m),
		"no origin":         sdpLines("v=0", "s=-", c, m),
		"short origin":      sdpLines("v=0", "o=- 1 IN IP4 1.2.3.4", c, m),
		"origin in media":   sdpLines("v=0", c, m, o),
		"no media":          sdpLines("v=0", o, c, "t=0 0"),
		"no connection":     sdpLines("v=0", o, "t=0 0", m),
		"not a field":       sdpLines("v=0", o, "hello", c, m),
		"upper-case type":   sdpLines("v=0", o, "C=IN IP4 1.2.3.4", m),
		"control character": sdpLines("v=0", o, c+"\x00", m),
		"blank line inside": sdpLines("v=0", o, "", c, m),
		"too large":         append(sdpLines("v=0"), bytes.Repeat([]byte("a=x\r\n"), maxSDP)...),
	}
	for name, body := range cases {
		t.Run(name, func(t *testing.T) {
			s := newSDPSession()
			if out, err := s.rewrite(body, "192.0.2.1"); err == nil {
				t.Errorf("accepted:\n%s", out)
			}
		})
	}
}

func FuzzSDPRewrite(f *testing.F) {
	f.Add(sdpLines("v=0", "o=- 1 1 IN IP4 1.2.3.4", "s=-", "c=IN IP4 1.2.3.4",
		"t=0 0", "m=audio 1 RTP/AVP 0"))
	f.Add([]byte("v=0\no=a b c d e f\nc=x\nm=y\n"))
	f.Fuzz(func(t *testing.T, body []byte) {
		s := newSDPSession()
		out, err := s.rewrite(body, "192.0.2.1")
		if err != nil {
			return
		}
		// Whatever passed must parse again, and keep no personal line.
		if _, err := sdpRest(out); err != nil {
			t.Fatalf("rewritten SDP does not parse: %v\n%q", err, out)
		}
		for _, line := range bytes.Split(out, []byte("\r\n")) {
			if len(line) > 1 && bytes.IndexByte([]byte("iuep"), line[0]) >= 0 && line[1] == '=' {
				t.Fatalf("personal line kept: %q", line)
			}
		}
	})
}

func TestMaskText(t *testing.T) {
	cases := []struct{ in, want string }{
		{"", ""},
		{"no digits", "no digits"},
		{"port 5060 cseq 123456", "port 5060 cseq 123456"},
		{"From: <sip:+8613812345678@h>", "From: <sip:+86138****5678@h>"},
		{"national 13812345678;", "national 138****5678;"},
		{"two 13812345678 and 13912345678", "two 138****5678 and 139****5678"},
		{"1234567", "*****67"},
	}
	for _, tc := range cases {
		if got := maskText(tc.in); got != tc.want {
			t.Errorf("maskText(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}
