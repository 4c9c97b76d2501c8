package sip

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	sipmsg "github.com/emiago/sipgo/sip"

	"maskline/binding"
)

// invite parses an INVITE written line by line, with the given extra
// header lines and Request-URI.
func invite(t *testing.T, ruri string, extra ...string) *sipmsg.Request {
	t.Helper()
	lines := append([]string{
		"INVITE " + ruri + " SIP/2.0",
		"Via: SIP/2.0/UDP 10.0.0.1:5060;branch=z9hG4bK-1",
		"From: <sip:+8613812345678@10.0.0.1>;tag=a",
		"To: <sip:+8617012345678@10.0.0.2>",
		"Call-ID: c1",
		"CSeq: 1 INVITE",
		"Contact: <sip:a@10.0.0.1>",
		"Max-Forwards: 70",
	}, extra...)
	lines = append(lines, "Content-Length: 0", "", "")
	msg, err := sipmsg.ParseMessage([]byte(strings.Join(lines, "\r\n")))
	if err != nil {
		t.Fatalf("parse: %v", err)
	}
	return msg.(*sipmsg.Request)
}

func TestParseInviteRouting(t *testing.T) {
	cases := []struct {
		name    string
		ruri    string
		extra   []string
		caller  string
		dialled string
		ext     string
	}{
		{"plain", "sip:+8617012345678@b", nil, "+8613812345678", "+8617012345678", ""},
		{"dash extension", "sip:17012345678-0123@b", nil, "+8613812345678", "17012345678-0123", ""},
		{"star extension", "sip:17012345678*0123@b", nil, "+8613812345678", "17012345678*0123", ""},
		{"uri parameter", "sip:17012345678@b;ext=12", nil, "+8613812345678", "17012345678", "12"},
		{"user parameter", "sip:17012345678;ext=12@b;user=phone", nil,
			"+8613812345678", "17012345678", "12"},
		{"tel uri", "tel:+8617012345678;ext=0123", nil, "+8613812345678", "+8617012345678", "0123"},
		{"asserted identity", "sip:17012345678@b",
			[]string{`P-Asserted-Identity: "x" <sip:13912345678@p>, <tel:+8613912345678>`},
			"13912345678", "17012345678", ""},
		{"asserted tel", "sip:17012345678@b",
			[]string{"P-Asserted-Identity: <tel:+8613912345678;cpc=ordinary>"},
			"+8613912345678", "17012345678", ""},
		{"unusable asserted identity", "sip:17012345678@b",
			[]string{"P-Asserted-Identity: <sip:anonymous@p>"},
			"+8613812345678", "17012345678", ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			in, code := parseInvite(invite(t, tc.ruri, tc.extra...))
			if code != 0 {
				t.Fatalf("refused with %d", code)
			}
			if in.caller != tc.caller || in.dialled != tc.dialled || in.extension != tc.ext {
				t.Errorf("got caller %q dialled %q ext %q, want %q %q %q",
					in.caller, in.dialled, in.extension, tc.caller, tc.dialled, tc.ext)
			}
		})
	}
}

func TestParseInviteRefusals(t *testing.T) {
	cases := []struct {
		name  string
		ruri  string
		extra []string
		want  int
	}{
		{"no user", "sip:b", nil, 400},
		{"letters dialled", "sip:pizza@b", nil, 400},
		{"extension with letters", "sip:17012345678@b;ext=1a", nil, 400},
		{"mailto", "mailto:x@b", nil, 400},
		{"require", "sip:1@b", []string{"Require: timer"}, 420},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if _, code := parseInvite(invite(t, tc.ruri, tc.extra...)); code != tc.want {
				t.Errorf("got %d, want %d", code, tc.want)
			}
		})
	}
}

func TestRefusalFor(t *testing.T) {
	refused := func(r binding.Reason) error {
		return fmt.Errorf("route: %w", &binding.Refused{Reason: r})
	}
	cases := []struct {
		name string
		err  error
		code int
	}{
		{"no binding", refused(binding.NoBinding), 404},
		{"expired", refused(binding.Expired), 410},
		{"not allowed", refused(binding.NotAllowed), 403},
		{"bad extension", refused(binding.BadExtension), 404},
		{"extension required", refused(binding.NeedExt), 484},
		{"blacklisted", refused(binding.Blacklisted), 603},
		{"rate limited", refused(binding.RateLimited), 486},
		{"store down", fmt.Errorf("x: %w", binding.ErrUnavailable), 503},
		{"router too slow", context.DeadlineExceeded, 503},
		{"anything else", errors.New("boom"), 500},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := refusalFor(tc.err); got.code != tc.code {
				t.Errorf("code %d, want %d", got.code, tc.code)
			}
		})
	}
}

func TestQ850FollowsRFC3398(t *testing.T) {
	cases := map[int]int{404: 1, 486: 17, 480: 18, 403: 21, 603: 21, 484: 28, 502: 38,
		503: 41, 408: 102, 499: 41, 599: 41, 699: 17}
	for code, want := range cases {
		if got := q850(code); got != want {
			t.Errorf("q850(%d) = %d, want %d", code, got, want)
		}
	}
}

func TestFilterSupported(t *testing.T) {
	cases := map[string]string{
		"timer, replaces":         "timer, replaces",
		"100rel":                  "",
		"100rel,timer":            "timer",
		"timer, 100REL, replaces": "timer, replaces",
	}
	for in, want := range cases {
		h := filterSupported(sipmsg.NewHeader("Supported", in))
		got := ""
		if h != nil {
			got = h.Value()
		}
		if got != want {
			t.Errorf("Supported %q filtered to %q, want %q", in, got, want)
		}
	}
}

func TestSessionBodyFromMultipart(t *testing.T) {
	sdp := "v=0\r\no=- 1 1 IN IP4 1.2.3.4\r\nc=IN IP4 1.2.3.4\r\nm=audio 1 RTP/AVP 0\r\n"
	body := "--b\r\nContent-Type: application/sdp\r\n\r\n" + sdp +
		"--b\r\nContent-Type: application/isup;version=itu-t92+\r\n\r\n\x01\x02\x03\r\n--b--\r\n"
	req := invite(t, "sip:1@b")
	req.AppendHeader(sipmsg.NewHeader("Content-Type", `multipart/mixed;boundary="b"`))
	req.SetBody([]byte(body))

	// The CRLF before a boundary belongs to the boundary (RFC 2046).
	got, err := sessionBody(req)
	if err != nil || string(got) != strings.TrimSuffix(sdp, "\r\n") {
		t.Fatalf("got %q, %v; want the SDP part only", got, err)
	}
}
