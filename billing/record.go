// Package billing keeps call records and, from them, rates calls and makes
// tenants' statements.
package billing

import (
	"time"

	"maskline/phone"
)

// Release sides of a call record.
const (
	ReleaseCaller = "caller"
	ReleaseCallee = "callee"
	ReleaseBroker = "broker"
)

// Unconnected reasons beyond the routing refusals of package binding.
const (
	ReasonNone     = "none"
	ReasonNoAnswer = "no_answer"
	ReasonBusy     = "busy"
	ReasonFailed   = "failed"
)

// CallRecord is one call attempt that reached routing, answered or not.
// Caller and Callee are real numbers; they are sealed before storage and
// masked in every export.
type CallRecord struct {
	ID                string
	BindingID         string
	TenantID          int64
	Mode              string
	X                 phone.Number
	Extension         string
	Caller            phone.Number
	Callee            phone.Number
	Direction         string // a_to_peer, peer_to_a, callback
	InviteAt          time.Time
	RingAt            time.Time
	AnswerAt          time.Time
	EndAt             time.Time
	DurationS         int // InviteAt to EndAt, whole seconds
	BillSec           int // AnswerAt to EndAt, whole seconds rounded up
	ReleaseSide       string
	ReleaseCode       int // SIP status of the release
	ReleaseQ850       int // Q.850 cause
	UnconnectedReason string
	Recording         string
	OutID             string
	Node              string
}
