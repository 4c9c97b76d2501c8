package sip

import (
	"context"
	"log/slog"
	"strings"

	"maskline/phone"
)

// minMaskRun is the shortest digit run treated as a phone number when text
// of unknown shape (a SIP message, a library's log line) is masked. Ports
// and CSeq numbers are shorter; a national number is not.
const minMaskRun = 7

// maskText hides the middle of every run of minMaskRun or more digits in s,
// so a SIP message or log line can be printed without a full number.
func maskText(s string) string {
	start := -1
	var b strings.Builder
	last := 0
	for i := 0; i <= len(s); i++ {
		digit := i < len(s) && s[i] >= '0' && s[i] <= '9'
		switch {
		case digit && start < 0:
			start = i
		case !digit && start >= 0:
			if i-start >= minMaskRun {
				if b.Len() == 0 {
					b.Grow(len(s))
				}
				b.WriteString(s[last:start])
				b.WriteString(maskRun(s[start:i]))
				last = i
			}
			start = -1
		}
	}
	if last == 0 {
		return s
	}
	b.WriteString(s[last:])
	return b.String()
}

// errAttr logs err with its digit runs masked: errors from sipgo quote
// request lines, and those name the callee.
func errAttr(err error) slog.Attr {
	return slog.String("error", maskText(err.Error()))
}

// maskRun masks one digit run. A run of 11 digits or more is taken as a
// national mobile number, perhaps behind its country code, and masked the
// way the broker shows numbers everywhere: "8613812345678" becomes
// "86138****5678". Shorter runs get phone.Mask.
func maskRun(run string) string {
	if n := len(run); n >= 11 {
		return run[:n-8] + "****" + run[n-4:]
	}
	return phone.Mask(run)
}

// maskHandler wraps the broker's log handler for sipgo's own logging. sipgo
// logs whole messages when it cannot parse them; this handler masks every
// string on the way through and keeps the library's chatter at min and
// above.
type maskHandler struct {
	next slog.Handler
	min  slog.Level
}

func (h maskHandler) Enabled(ctx context.Context, l slog.Level) bool {
	return l >= h.min && h.next.Enabled(ctx, l)
}

func (h maskHandler) Handle(ctx context.Context, r slog.Record) error {
	out := slog.NewRecord(r.Time, r.Level, maskText(r.Message), r.PC)
	r.Attrs(func(a slog.Attr) bool {
		out.AddAttrs(maskAttr(a))
		return true
	})
	return h.next.Handle(ctx, out)
}

func (h maskHandler) WithAttrs(attrs []slog.Attr) slog.Handler {
	masked := make([]slog.Attr, len(attrs))
	for i, a := range attrs {
		masked[i] = maskAttr(a)
	}
	return maskHandler{next: h.next.WithAttrs(masked), min: h.min}
}

func (h maskHandler) WithGroup(name string) slog.Handler {
	return maskHandler{next: h.next.WithGroup(name), min: h.min}
}

func maskAttr(a slog.Attr) slog.Attr {
	v := a.Value.Resolve()
	switch v.Kind() {
	case slog.KindString:
		return slog.String(a.Key, maskText(v.String()))
	case slog.KindGroup:
		group := v.Group()
		masked := make([]any, len(group))
		for i, g := range group {
			masked[i] = maskAttr(g)
		}
		return slog.Group(a.Key, masked...)
	case slog.KindAny:
		if err, ok := v.Any().(error); ok {
			return slog.String(a.Key, maskText(err.Error()))
		}
		return slog.String(a.Key, maskText(v.String()))
	default:
		return slog.Attr{Key: a.Key, Value: v}
	}
}
