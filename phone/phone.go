// Package phone normalises subscribers' and virtual numbers to E.164 and
// keeps a full number out of logs: a Number prints masked unless its E164
// method is called on purpose.
package phone

import (
	"errors"
	"fmt"
	"log/slog"
	"strings"

	"github.com/nyaruka/phonenumbers"
)

// ErrInvalid is returned for input that is not a dialable phone number.
var ErrInvalid = errors.New("invalid phone number")

// Number is a phone number in E.164 form ("+8613812345678"). Its String and
// LogValue are masked so that formatting or logging a Number never shows the
// whole of it; E164 and National give the full number to code that must dial
// or store it.
type Number string

// Parse normalises s (E.164, national, or with the country code but no plus
// sign) to E.164, reading national numbers in region (an ISO 3166 code such
// as "CN"). Separators (spaces, dashes, dots, brackets) are accepted.
func Parse(s, region string) (Number, error) {
	raw := strings.TrimSpace(s)
	if raw == "" {
		return "", fmt.Errorf("%w: empty", ErrInvalid)
	}
	if len(raw) > 32 {
		return "", fmt.Errorf("%w: too long", ErrInvalid)
	}
	if strings.ContainsAny(raw, "*#;,") {
		return "", fmt.Errorf("%w: unexpected character", ErrInvalid)
	}

	region = strings.ToUpper(region)
	candidate := raw
	if !strings.HasPrefix(raw, "+") && !strings.HasPrefix(raw, "00") {
		// "8613812345678": the country code without a plus sign. Try it as
		// international first when it does not parse as a national number.
		if n, err := parseValid(raw, region); err == nil {
			return n, nil
		}
		candidate = "+" + raw
	}

	n, err := parseValid(candidate, region)
	if err != nil {
		return "", err
	}
	return n, nil
}

func parseValid(s, region string) (Number, error) {
	pn, err := phonenumbers.Parse(s, region)
	if err != nil {
		return "", fmt.Errorf("%w: %s", ErrInvalid, reason(err))
	}
	if !phonenumbers.IsValidNumber(pn) {
		return "", fmt.Errorf("%w: not a valid number", ErrInvalid)
	}
	return Number(phonenumbers.Format(pn, phonenumbers.E164)), nil
}

// reason turns the library's error into a short text that never repeats the
// input (a parse error must not carry the number into an API answer or log).
func reason(err error) string {
	switch {
	case errors.Is(err, phonenumbers.ErrInvalidCountryCode):
		return "unknown country code"
	case errors.Is(err, phonenumbers.ErrTooShortNSN),
		errors.Is(err, phonenumbers.ErrTooShortAfterIDD):
		return "too short"
	case errors.Is(err, phonenumbers.ErrNumTooLong):
		return "too long"
	default:
		return "not a number"
	}
}

// MustParse is Parse for numbers fixed in code and tests; it panics on error.
func MustParse(s, region string) Number {
	n, err := Parse(s, region)
	if err != nil {
		panic(err)
	}
	return n
}

// E164 returns the full number, "+8613812345678".
func (n Number) E164() string { return string(n) }

// National returns the full number without its country code and with no
// trunk prefix, "13812345678", the form Chinese trunks expect in a
// Request-URI when configured for national format.
func (n Number) National() string {
	pn, err := phonenumbers.Parse(string(n), "")
	if err != nil {
		return strings.TrimPrefix(string(n), "+")
	}
	return phonenumbers.GetNationalSignificantNumber(pn)
}

// IsZero reports whether n holds no number.
func (n Number) IsZero() bool { return n == "" }

// Masked returns the national number with its middle digits hidden,
// "138****5678".
func (n Number) Masked() string {
	if n == "" {
		return ""
	}
	return Mask(n.National())
}

// String returns the masked form, so that fmt and %v never print a full
// number.
func (n Number) String() string { return n.Masked() }

// LogValue implements slog.LogValuer with the masked form.
func (n Number) LogValue() slog.Value { return slog.StringValue(n.Masked()) }

// Mask hides the middle of a digit string: the first three and last four
// digits stay for numbers of eight digits or more ("138****5678"); shorter
// strings keep only their last two.
func Mask(digits string) string {
	d := strings.TrimPrefix(digits, "+")
	switch {
	case len(d) >= 8:
		return d[:3] + strings.Repeat("*", len(d)-7) + d[len(d)-4:]
	case len(d) > 2:
		return strings.Repeat("*", len(d)-2) + d[len(d)-2:]
	default:
		return strings.Repeat("*", len(d))
	}
}

// ParseVirtual normalises a virtual number (X) of the carrier's pool. It
// accepts every number Parse accepts and, besides, numbers of a possible
// length that the numbering plan does not list yet (new mobile ranges,
// 95 service numbers), because the carrier, not the library, is the
// authority on what it owns.
func ParseVirtual(s, region string) (Number, error) {
	if n, err := Parse(s, region); err == nil {
		return n, nil
	}

	raw := strings.TrimSpace(s)
	if raw == "" || len(raw) > 32 || strings.ContainsAny(raw, "*#;,") {
		return "", fmt.Errorf("%w: not a number", ErrInvalid)
	}
	pn, err := phonenumbers.Parse(raw, strings.ToUpper(region))
	if err != nil {
		return "", fmt.Errorf("%w: %s", ErrInvalid, reason(err))
	}
	nsn := phonenumbers.GetNationalSignificantNumber(pn)
	if len(nsn) < 5 || len(nsn) > 14 {
		return "", fmt.Errorf("%w: length", ErrInvalid)
	}
	return Number(phonenumbers.Format(pn, phonenumbers.E164)), nil
}

// Kind guesses a virtual number's kind: "95" for 95 service numbers,
// "mobile" or "fixed" from the numbering plan, else "other".
func (n Number) Kind() string {
	if strings.HasPrefix(n.National(), "95") {
		return "95"
	}
	pn, err := phonenumbers.Parse(string(n), "")
	if err != nil {
		return "other"
	}
	switch phonenumbers.GetNumberType(pn) {
	case phonenumbers.MOBILE:
		return "mobile"
	case phonenumbers.FIXED_LINE, phonenumbers.FIXED_LINE_OR_MOBILE:
		return "fixed"
	default:
		return "other"
	}
}
