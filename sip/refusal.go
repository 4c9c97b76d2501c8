package sip

import (
	"context"
	"errors"

	"maskline/billing"
	"maskline/binding"
)

// phrase returns the fixed reason phrase the broker uses for code. The
// phrase never depends on why the code was chosen, so it cannot tell a
// caller more than the code does.
func phrase(code int) string {
	if p, ok := phrases[code]; ok {
		return p
	}
	return classPhrase(code)
}

var phrases = map[int]string{
	100: "Trying", 180: "Ringing", 183: "Session Progress", 200: "OK",
	400: "Bad Request", 403: "Forbidden", 404: "Not Found", 405: "Method Not Allowed",
	408: "Request Timeout", 410: "Gone", 415: "Unsupported Media Type",
	420: "Bad Extension", 480: "Temporarily Unavailable",
	481: "Call/Transaction Does Not Exist", 482: "Loop Detected", 483: "Too Many Hops",
	484: "Address Incomplete", 486: "Busy Here", 487: "Request Terminated",
	488: "Not Acceptable Here", 491: "Request Pending", 500: "Server Internal Error",
	502: "Bad Gateway", 503: "Service Unavailable", 600: "Busy Everywhere", 603: "Decline",
}

func classPhrase(code int) string {
	switch {
	case code < 200:
		return "Session Progress"
	case code < 300:
		return "OK"
	case code < 500:
		return "Request Failure"
	case code < 600:
		return "Server Failure"
	default:
		return "Global Failure"
	}
}

// refusal is what the caller hears and the call record keeps when routing
// does not connect a call.
type refusal struct {
	code   int
	reason string // unconnected_reason
}

// refusalFor maps a Router error to the caller's status. Only the reason
// picks the code: an expired binding and a key in cool-down both give 410,
// and nothing tells whether a real number exists.
func refusalFor(err error) refusal {
	switch binding.RefusalReason(err) {
	case binding.NoBinding:
		return refusal{404, string(binding.NoBinding)}
	case binding.Expired:
		return refusal{410, string(binding.Expired)}
	case binding.NotAllowed:
		return refusal{403, string(binding.NotAllowed)}
	case binding.BadExtension:
		return refusal{404, string(binding.BadExtension)}
	case binding.NeedExt:
		return refusal{484, string(binding.NeedExt)}
	case binding.Blacklisted:
		return refusal{603, string(binding.Blacklisted)}
	case binding.RateLimited:
		return refusal{486, string(binding.RateLimited)}
	}
	if errors.Is(err, binding.ErrUnavailable) || errors.Is(err, context.DeadlineExceeded) {
		return refusal{503, billing.ReasonFailed}
	}
	return refusal{500, billing.ReasonFailed}
}

// calleeFinal maps leg B's final failure to the caller's status and the
// call record's reason. Codes that would describe the callee's line in
// detail (moved, changed number, redirected) are folded into a few plain
// ones; redirects are never followed, as a redirect target is not a
// binding's number.
func calleeFinal(code int) refusal {
	switch {
	case code == 486 || code == 600 || code == 603:
		return refusal{code, billing.ReasonBusy}
	case code == 404 || code == 410 || code == 484 || code == 604:
		return refusal{404, billing.ReasonFailed}
	case code == 408 || code == 480 || code == 487:
		return refusal{480, billing.ReasonNoAnswer}
	case code == 488 || code == 606:
		return refusal{488, billing.ReasonFailed}
	case code == 503:
		return refusal{503, billing.ReasonFailed}
	case code >= 600:
		return refusal{603, billing.ReasonBusy}
	case code >= 500 || code < 400:
		return refusal{502, billing.ReasonFailed}
	default:
		return refusal{480, billing.ReasonFailed}
	}
}

// Q.850 causes the broker writes when no SIP status maps to one.
const (
	q850Normal       = 16  // normal call clearing
	q850NoResponse   = 18  // no user responding
	q850NoAnswer     = 19  // no answer from user (user alerted)
	q850OutOfOrder   = 38  // network out of order
	q850TimerExpired = 102 // recovery on timer expiry
)

// q850 maps a SIP status to a Q.850 cause as RFC 3398 section 8.2.6.1
// does; codes it does not list take their class's x00 mapping.
func q850(code int) int {
	if c, ok := rfc3398[code]; ok {
		return c
	}
	switch {
	case code >= 600:
		return 17
	case code >= 500, code >= 400:
		return 41
	}
	return 127
}

var rfc3398 = map[int]int{
	400: 41, 401: 21, 402: 21, 403: 21, 404: 1, 405: 63, 406: 79,
	407: 21, 408: 102, 410: 22, 413: 127, 414: 127, 415: 79, 416: 127,
	420: 127, 421: 127, 423: 127, 480: 18, 481: 41, 482: 25, 483: 25,
	484: 28, 485: 1, 486: 17, 487: 127, 488: 127, 500: 41, 501: 79,
	502: 38, 503: 41, 504: 102, 505: 127, 513: 127, 600: 17, 603: 21,
	604: 1, 606: 58,
}
