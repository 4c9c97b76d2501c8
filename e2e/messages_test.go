package e2e_test

import (
	"fmt"
	"os"
	"strconv"
	"strings"
)

// sipMessage is one SIP message from a SIPp message log (-trace_msg).
type sipMessage struct {
	Sent      bool   // sent by that SIPp; false when received
	Transport string // "UDP" or "TCP"
	Start     string // request or status line
	Headers   []header
	Body      string
	Raw       string // the whole message, start line to body
}

type header struct {
	Name, Value string
}

// logSeparator opens each entry of a SIPp message log, followed by a
// timestamp; the next line says "UDP message sent (N bytes):" or "TCP
// message received [N] bytes :".
const logSeparator = "----------------------------------------------- "

// readMessageLog parses a SIPp message log.
func readMessageLog(path string) ([]sipMessage, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read message log: %w", err)
	}
	text := strings.ReplaceAll(string(data), "\r\n", "\n")

	var msgs []sipMessage
	for _, entry := range strings.Split(text, logSeparator)[1:] {
		m, ok, err := parseEntry(entry)
		if err != nil {
			return nil, fmt.Errorf("parse message log: %w", err)
		}
		if ok {
			msgs = append(msgs, m)
		}
	}
	return msgs, nil
}

// parseEntry reads one log entry: the timestamp line, the direction line,
// a blank line, then the message. Entries without a message (SIPp logs
// some events the same way) report ok false.
func parseEntry(entry string) (m sipMessage, ok bool, err error) {
	lines := strings.SplitN(entry, "\n", 4)
	if len(lines) < 4 {
		return m, false, nil
	}
	dir := strings.Fields(lines[1])
	if len(dir) < 3 || dir[1] != "message" {
		return m, false, nil
	}
	m.Transport, m.Sent = dir[0], dir[2] == "sent"

	m.Raw = strings.Trim(lines[3], "\n")
	head, body, _ := strings.Cut(m.Raw, "\n\n")
	m.Body = body
	hl := strings.Split(head, "\n")
	m.Start = hl[0]
	for _, l := range hl[1:] {
		name, value, found := strings.Cut(l, ":")
		if !found {
			return m, false, fmt.Errorf("header line without a colon: %q", l)
		}
		m.Headers = append(m.Headers, header{strings.TrimSpace(name), strings.TrimSpace(value)})
	}
	return m, true, nil
}

// compact maps the compact header forms of RFC 3261 section 7.3.3 that a
// test asks about to their full names.
var compact = map[string]string{
	"f": "from", "t": "to", "i": "call-id", "m": "contact", "v": "via", "l": "content-length",
	"c": "content-type",
}

// Header returns the value of the first header called name, or "".
func (m sipMessage) Header(name string) string {
	name = strings.ToLower(name)
	for _, h := range m.Headers {
		n := strings.ToLower(h.Name)
		if full, ok := compact[n]; ok {
			n = full
		}
		if n == name {
			return h.Value
		}
	}
	return ""
}

// Method returns a request's method, or "" for a response.
func (m sipMessage) Method() string {
	if m.Status() != 0 {
		return ""
	}
	method, _, _ := strings.Cut(m.Start, " ")
	return method
}

// Status returns a response's status code, or 0 for a request.
func (m sipMessage) Status() int {
	rest, ok := strings.CutPrefix(m.Start, "SIP/2.0 ")
	if !ok {
		return 0
	}
	code, _ := strconv.Atoi(strings.Fields(rest + " x")[0])
	return code
}

// CSeqMethod returns the method named in the CSeq header.
func (m sipMessage) CSeqMethod() string {
	f := strings.Fields(m.Header("CSeq"))
	if len(f) < 2 {
		return ""
	}
	return f[1]
}

// RequestURI returns a request's Request-URI.
func (m sipMessage) RequestURI() string {
	f := strings.Fields(m.Start)
	if len(f) < 3 || m.Status() != 0 {
		return ""
	}
	return f[1]
}

// uriUser returns the user part of the first sip:, sips: or tel: URI in s
// (a Request-URI or a header value such as `"X" <sip:user@host>;tag=t`).
func uriUser(s string) string {
	i := strings.Index(s, "sip:")
	skip := 4
	if j := strings.Index(s, "sips:"); j >= 0 && (i < 0 || j < i) {
		i, skip = j, 5
	}
	if j := strings.Index(s, "tel:"); j >= 0 && (i < 0 || j < i) {
		i, skip = j, 4
	}
	if i < 0 {
		return ""
	}
	rest := s[i+skip:]
	if at := strings.IndexAny(rest, "@>;"); at >= 0 && rest[at] == '@' {
		return rest[:at]
	}
	if strings.HasPrefix(s[i:], "tel:") {
		end := strings.IndexAny(rest, ">;")
		if end < 0 {
			return rest
		}
		return rest[:end]
	}
	return ""
}

// find returns the messages that match keep.
func find(msgs []sipMessage, keep func(sipMessage) bool) []sipMessage {
	var out []sipMessage
	for _, m := range msgs {
		if keep(m) {
			out = append(out, m)
		}
	}
	return out
}

// received keeps the messages a SIPp received.
func received(m sipMessage) bool { return !m.Sent }

// requestIn keeps received requests of one method.
func requestIn(method string) func(sipMessage) bool {
	return func(m sipMessage) bool { return !m.Sent && m.Method() == method }
}

// finalTo returns the final responses a SIPp received to its requests of
// one method, in order.
func finalTo(msgs []sipMessage, method string) []int {
	var codes []int
	for _, m := range msgs {
		if !m.Sent && m.Status() >= 200 && m.CSeqMethod() == method {
			codes = append(codes, m.Status())
		}
	}
	return codes
}
