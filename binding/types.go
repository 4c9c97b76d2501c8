package binding

import (
	"errors"
	"fmt"
	"time"

	"maskline/phone"
)

// Mode is how a binding routes calls on its virtual number.
type Mode string

// The binding modes of the product.
const (
	AXB Mode = "AXB" // A and B call each other through X
	AXN Mode = "AXN" // anyone reaches A through X; A reaches N
	AXE Mode = "AXE" // anyone reaches A through X plus an extension
)

// Restrict limits who may call out through a binding.
type Restrict string

// Call restrictions.
const (
	RestrictNone  Restrict = "none"
	RestrictAOnly Restrict = "a_only" // only A may place calls through X
	RestrictBOnly Restrict = "b_only" // only B (or, for AXN/AXE, others) may
)

// Direction tells which way a routed call goes.
type Direction string

// Call directions, as written into call records.
const (
	AToPeer  Direction = "a_to_peer"
	PeerToA  Direction = "peer_to_a"
	Callback Direction = "callback"
)

// Reason says why a call was not routed. Its values are the call record's
// unconnected_reason codes.
type Reason string

// Refusal reasons.
const (
	NoBinding    Reason = "no_binding"
	Expired      Reason = "expired" // expired, unbound, or key in cool-down
	NotAllowed   Reason = "not_allowed"
	BadExtension Reason = "bad_extension"
	NeedExt      Reason = "extension_required" // AXE dialled without E
	Blacklisted  Reason = "blacklisted"
	RateLimited  Reason = "rate_limited" // caller over its attempts, or binding full
)

// Refused is returned by Route when a call must not be connected. It never
// names a real number.
type Refused struct {
	Reason Reason
	// Binding is set when a binding matched (expired, not_allowed), so the
	// call record can name it; empty otherwise.
	BindingID string
	TenantID  int64
	Mode      Mode
}

func (r *Refused) Error() string { return "call refused: " + string(r.Reason) }

// RefusalReason returns the reason when err is a refusal, else "".
func RefusalReason(err error) Reason {
	var r *Refused
	if errors.As(err, &r) {
		return r.Reason
	}
	return ""
}

// Errors of the binding service, tested with errors.Is. The API maps them
// to HTTP statuses.
var (
	ErrInvalid     = errors.New("invalid input")
	ErrNotFound    = errors.New("binding not found")
	ErrConflict    = errors.New("conflict")
	ErrUnavailable = errors.New("store unavailable")
)

// InvalidError is an input error naming the field at fault.
type InvalidError struct {
	Field  string
	Reason string
}

func (e *InvalidError) Error() string { return fmt.Sprintf("%s: %s", e.Field, e.Reason) }

// Is makes errors.Is(err, ErrInvalid) true for every InvalidError.
func (e *InvalidError) Is(target error) bool { return target == ErrInvalid }

func invalid(field, format string, args ...any) error {
	return &InvalidError{Field: field, Reason: fmt.Sprintf(format, args...)}
}

// RouteRequest is what the SIP layer knows of an incoming call.
type RouteRequest struct {
	Caller    string // the caller's number as received (From or PAI user)
	Dialled   string // the Request-URI user, possibly "X-E" or "X*E"
	Extension string // from a ";ext=" URI parameter or DTMF, if any
}

// Decision is where a routed call goes.
type Decision struct {
	BindingID string
	TenantID  int64
	Mode      Mode
	X         phone.Number // shown to the called party as caller ID
	Extension string
	Caller    phone.Number
	Callee    phone.Number // the only number an outbound leg may dial
	Direction Direction
	Record    bool
	OutID     string
}

// Binding is a binding as the service hands it out: real numbers in clear
// (phone.Number masks itself when printed); the API decides what to show.
type Binding struct {
	ID           string
	TenantID     int64
	Mode         Mode
	X            phone.Number
	Extension    string
	A, B, N      phone.Number
	OutID        string
	Record       bool
	CallRestrict Restrict
	State        string
	ExpiresAt    time.Time
	EndedAt      time.Time
	CreatedAt    time.Time
	UpdatedAt    time.Time
}

// Label is what the shipper prints: X, and the extension for AXE.
func (b *Binding) Label() string {
	x := b.X.National()
	if b.Extension != "" {
		return x + " ext " + b.Extension
	}
	return x
}

// CreateRequest is a new binding as a tenant asks for it. Numbers are raw
// input; the service normalises and validates them.
type CreateRequest struct {
	Mode         Mode
	A, B, N      string
	ExpiresAt    time.Time // zero: use TTLSeconds
	TTLSeconds   int
	AreaCode     string
	AreaMatch    string // "strict" (default) or "loose"
	OutID        string
	Record       bool
	CallRestrict Restrict
}

// Patch changes an existing binding; nil fields stay as they are.
type Patch struct {
	B            *string
	ExpiresAt    *time.Time
	Record       *bool
	CallRestrict *Restrict
}
