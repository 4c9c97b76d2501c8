package sip

import (
	"bytes"
	"errors"
	"io"
	"mime"
	"mime/multipart"
	"strings"

	sipmsg "github.com/emiago/sipgo/sip"
)

// Headers one leg may learn from the other. Everything else a peer sends
// — From, To, Contact, Via, Record-Route, P-Asserted-Identity,
// Remote-Party-ID, Diversion, User-Agent, Call-Info, X- headers — stays on
// its own leg; the broker writes its own. Content-Type is set by the
// broker from the body it relays.
var whitelist = [...]string{"Allow", "Accept", "Supported"}

// unsupportedOptions are option tags removed from a relayed Supported
// header: the broker does not do reliable provisionals, so it must not
// offer them on the other leg.
var unsupportedOptions = [...]string{"100rel"}

var (
	errUnsupportedBody = errors.New("unsupported content type")
	errBadBody         = errors.New("malformed body")
)

// Content types of bodies the broker relays.
const (
	typeSDP       = "application/sdp"
	typeDTMFRelay = "application/dtmf-relay"
	typeDTMF      = "application/dtmf"
)

// copyWhitelist appends to dst the whitelisted headers of src.
func copyWhitelist(dst, src sipmsg.Message) {
	for _, name := range whitelist {
		for _, h := range src.GetHeaders(name) {
			if name == "Supported" {
				h = filterSupported(h)
				if h == nil {
					continue
				}
			}
			dst.AppendHeader(h)
		}
	}
	if h := compactSupported(src); h != nil {
		dst.AppendHeader(h)
	}
}

// compactSupported handles "k:", Supported's compact form, which sipgo
// keeps under its short name.
func compactSupported(src sipmsg.Message) sipmsg.Header {
	h := firstHeader(src, "k")
	if h == nil {
		return nil
	}
	return filterSupported(sipmsg.NewHeader("Supported", h.Value()))
}

// filterSupported drops unsupportedOptions from a Supported header; nil
// when nothing is left.
func filterSupported(h sipmsg.Header) sipmsg.Header {
	value := h.Value()
	drop := false
	for _, opt := range unsupportedOptions {
		if strings.Contains(strings.ToLower(value), opt) {
			drop = true
		}
	}
	if !drop {
		return h
	}

	kept := make([]string, 0, 4)
	for _, tok := range strings.Split(value, ",") {
		tok = strings.TrimSpace(tok)
		if tok != "" && !isUnsupported(tok) {
			kept = append(kept, tok)
		}
	}
	if len(kept) == 0 {
		return nil
	}
	return sipmsg.NewHeader("Supported", strings.Join(kept, ", "))
}

func isUnsupported(tok string) bool {
	for _, opt := range unsupportedOptions {
		if strings.EqualFold(tok, opt) {
			return true
		}
	}
	return false
}

// sessionBody returns the SDP of msg: its body when that is SDP, the SDP
// part of a multipart body (other parts, such as ISUP, are dropped: they
// carry the caller's number), or nil when there is no body.
func sessionBody(msg sipmsg.Message) ([]byte, error) {
	body := msg.Body()
	if len(body) == 0 {
		return nil, nil
	}
	ct := firstHeader(msg, "Content-Type")
	if ct == nil {
		return nil, errBadBody
	}

	media, params, err := mime.ParseMediaType(ct.Value())
	if err != nil {
		return nil, errBadBody
	}
	switch {
	case media == typeSDP:
		return body, nil
	case strings.HasPrefix(media, "multipart/"):
		return sdpPart(body, params["boundary"])
	}
	return nil, errUnsupportedBody
}

func sdpPart(body []byte, boundary string) ([]byte, error) {
	if boundary == "" {
		return nil, errBadBody
	}
	r := multipart.NewReader(bytes.NewReader(body), boundary)
	for {
		part, err := r.NextPart()
		if err == io.EOF {
			return nil, errUnsupportedBody
		}
		if err != nil {
			return nil, errBadBody
		}
		media, _, err := mime.ParseMediaType(part.Header.Get("Content-Type"))
		if err != nil || media != typeSDP {
			continue
		}
		sdp, err := io.ReadAll(io.LimitReader(part, maxSDP+1))
		if err != nil {
			return nil, errBadBody
		}
		return sdp, nil
	}
}

// infoBody returns the body of an in-dialog INFO or UPDATE and its type
// when the broker relays that type: SDP (rewritten by the caller) or DTMF.
func infoBody(msg sipmsg.Message) (body []byte, ctype string, err error) {
	if len(msg.Body()) == 0 {
		return nil, "", nil
	}
	ct := firstHeader(msg, "Content-Type")
	if ct == nil {
		return nil, "", errBadBody
	}
	media, _, err := mime.ParseMediaType(ct.Value())
	if err != nil {
		return nil, "", errBadBody
	}
	switch media {
	case typeSDP, typeDTMFRelay, typeDTMF:
		return msg.Body(), media, nil
	}
	return nil, "", errUnsupportedBody
}

// firstHeader returns msg's first header called name, or nil.
func firstHeader(msg sipmsg.Message, name string) sipmsg.Header {
	if hs := msg.GetHeaders(name); len(hs) > 0 {
		return hs[0]
	}
	return nil
}
