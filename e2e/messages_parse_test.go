package e2e_test

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// sampleLog is a SIPp message log as SIPp 3.6 writes it: an entry sent
// over UDP, one received over TCP, and CRLF line ends inside messages.
var sampleLog = strings.Join([]string{
	"----------------------------------------------- 2026-01-02 10:00:00.000001",
	"UDP message sent (300 bytes):",
	"",
	"INVITE sip:+8613912345678@127.0.0.1:5080 SIP/2.0\r",
	"Via: SIP/2.0/UDP 127.0.0.2:5060;branch=z9hG4bK1\r",
	"f: \"X\" <sip:+8617001000000@127.0.0.2>;tag=abc\r",
	"P-Asserted-Identity: <sip:+8617001000000@127.0.0.2>\r",
	"CSeq: 1 INVITE\r",
	"Content-Type: application/sdp\r",
	"\r",
	"v=0\r",
	"o=- 1 1 IN IP4 127.0.0.1\r",
	"",
	"----------------------------------------------- 2026-01-02 10:00:00.000002",
	"TCP message received [200] bytes :",
	"",
	"SIP/2.0 487 Request Terminated",
	"CSeq: 1 INVITE",
	"To: <tel:+8613912345678>;tag=x",
	"",
	"",
}, "\n")

func TestReadMessageLog(t *testing.T) {
	path := filepath.Join(t.TempDir(), "messages.log")
	if err := os.WriteFile(path, []byte(sampleLog), 0o600); err != nil {
		t.Fatal(err)
	}

	msgs, err := readMessageLog(path)
	if err != nil {
		t.Fatal(err)
	}
	if len(msgs) != 2 {
		t.Fatalf("got %d messages, want 2", len(msgs))
	}
	inv, res := msgs[0], msgs[1]

	checks := []struct {
		name      string
		got, want any
	}{
		{"invite sent", inv.Sent, true},
		{"invite transport", inv.Transport, "UDP"},
		{"invite method", inv.Method(), "INVITE"},
		{"invite status", inv.Status(), 0},
		{"request-uri user", uriUser(inv.RequestURI()), "+8613912345678"},
		{"compact from user", uriUser(inv.Header("From")), "+8617001000000"},
		{"pai user", uriUser(inv.Header("p-asserted-identity")), "+8617001000000"},
		{"body", inv.Body, "v=0\no=- 1 1 IN IP4 127.0.0.1"},
		{"response received", res.Sent, false},
		{"response transport", res.Transport, "TCP"},
		{"response status", res.Status(), 487},
		{"response method", res.Method(), ""},
		{"tel user", uriUser(res.Header("To")), "+8613912345678"},
		{"finals", finalTo(msgs, "INVITE"), []int{487}},
	}
	for _, c := range checks {
		t.Run(c.name, func(t *testing.T) {
			if !equal(c.got, c.want) {
				t.Errorf("got %#v, want %#v", c.got, c.want)
			}
		})
	}
}

func TestURIUser(t *testing.T) {
	cases := []struct{ in, want string }{
		{"sip:alice@example.com", "alice"},
		{`"Bob" <sips:+8613800138001@h;transport=tls>;tag=1`, "+8613800138001"},
		{"<tel:+8613800138001;ext=12>", "+8613800138001"},
		{"<sip:127.0.0.2:5060>", ""},
		{"no uri here", ""},
	}
	for _, c := range cases {
		t.Run(c.in, func(t *testing.T) {
			if got := uriUser(c.in); got != c.want {
				t.Errorf("uriUser(%q) = %q, want %q", c.in, got, c.want)
			}
		})
	}
}

func equal(a, b any) bool {
	as, aok := a.([]int)
	bs, bok := b.([]int)
	if aok && bok {
		return slices.Equal(as, bs)
	}
	return a == b
}
