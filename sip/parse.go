package sip

import (
	"strings"

	sipmsg "github.com/emiago/sipgo/sip"
)

// inbound is what routing needs from a new INVITE.
type inbound struct {
	caller    string // P-Asserted-Identity user, else From user
	dialled   string // Request-URI user without its parameters
	extension string // ";ext=" of the Request-URI, if any
	sdp       []byte // the offer, nil for a late offer
}

// parseInvite reads an initial INVITE. It returns the status to refuse it
// with (400, 415, 420, 483) or 0 when the request is usable.
func parseInvite(req *sipmsg.Request) (inbound, int) {
	var in inbound
	if req.From() == nil || req.To() == nil || req.CallID() == nil ||
		req.Contact() == nil || !req.From().Params.Has("tag") {
		return in, 400
	}
	if mf := req.MaxForwards(); mf != nil && mf.Val() == 0 {
		return in, 483
	}
	if req.GetHeader("Require") != nil {
		return in, 420
	}

	var ok bool
	if in.caller, ok = callerOf(req); !ok {
		return in, 400
	}
	if in.dialled, in.extension, ok = dialledOf(&req.Recipient); !ok {
		return in, 400
	}

	sdp, err := sessionBody(req)
	switch {
	case err == errUnsupportedBody:
		return in, 415
	case err != nil:
		return in, 400
	case sdp != nil:
		if _, err := sdpRest(sdp); err != nil {
			return in, 400
		}
	}
	in.sdp = sdp
	return in, 0
}

// callerOf returns the caller's number as received: the user of the first
// P-Asserted-Identity (every source is trusted by the time this runs),
// else the From user.
func callerOf(req *sipmsg.Request) (string, bool) {
	if h := req.GetHeader("P-Asserted-Identity"); h != nil {
		var uri sipmsg.Uri
		_, err := sipmsg.ParseAddressValue(firstValue(h.Value()), &uri, nil)
		if err == nil {
			if user, _ := uriUser(&uri); isNumber(user, false) {
				return user, true
			}
		}
	}

	user, _ := uriUser(&req.From().Address)
	return user, isNumber(user, false)
}

// dialledOf returns the dialled string and the ";ext=" extension of a sip:,
// sips: or tel: Request-URI. The extension may sit in the URI parameters or
// in the user part (RFC 3966 style, "sip:+86170...;ext=12@host").
func dialledOf(uri *sipmsg.Uri) (dialled, ext string, ok bool) {
	switch uri.Scheme {
	case "sip", "sips":
		if uri.Host == "" {
			return "", "", false
		}
	case "tel":
	default:
		return "", "", false
	}

	dialled, ext = uriUser(uri)
	if v, found := uri.UriParams.Get("ext"); found && ext == "" {
		ext = v
	}
	if !isNumber(dialled, true) || (ext != "" && !allDigits(ext)) {
		return "", "", false
	}
	return dialled, ext, true
}

// uriUser returns the user of a sip: URI or the number of a tel: URI,
// without parameters, and the value of an "ext" parameter among them.
func uriUser(uri *sipmsg.Uri) (user, ext string) {
	user = uri.User
	if uri.Scheme == "tel" {
		user = uri.Raw()
	}
	user, params, _ := strings.Cut(user, ";")
	for params != "" {
		var p string
		p, params, _ = strings.Cut(params, ";")
		if name, value, _ := strings.Cut(p, "="); strings.EqualFold(name, "ext") {
			ext = value
		}
	}
	return user, ext
}

// firstValue returns the first of comma-separated name-addr values.
func firstValue(v string) string {
	inBrackets, inQuotes := false, false
	for i := 0; i < len(v); i++ {
		switch v[i] {
		case '"':
			inQuotes = !inQuotes
		case '<':
			inBrackets = !inQuotes
		case '>':
			inBrackets = false
		case ',':
			if !inBrackets && !inQuotes {
				return strings.TrimSpace(v[:i])
			}
		}
	}
	return strings.TrimSpace(v)
}

// isNumber accepts what may stand for a phone number: digits, a leading
// "+", visual separators, and with dialled also "*" and "#" (the "X*E"
// form). At least one digit, at most 40 characters.
func isNumber(s string, dialled bool) bool {
	if len(s) == 0 || len(s) > 40 {
		return false
	}
	digits := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= '0' && c <= '9':
			digits++
		case c == '+' && i == 0, c == '-', c == '.', c == '(', c == ')':
		case dialled && (c == '*' || c == '#'):
		default:
			return false
		}
	}
	return digits > 0
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return len(s) > 0 && len(s) <= 8
}
