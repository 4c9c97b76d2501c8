package api

import (
	"net/http"
	"strconv"
	"time"

	"maskline/billing"
	"maskline/store"
	"maskline/tenant"
)

// maxCalls bounds one page of call records.
const maxCalls = 1000

// callView is a call record as the API shows it: real numbers masked.
type callView struct {
	ID                string     `json:"id"`
	BindingID         string     `json:"binding_id,omitempty"`
	TenantID          int64      `json:"tenant_id"`
	Mode              string     `json:"mode"`
	X                 string     `json:"x"`
	Extension         string     `json:"extension,omitempty"`
	Caller            string     `json:"caller"`
	Callee            string     `json:"callee,omitempty"`
	Direction         string     `json:"direction,omitempty"`
	InviteAt          time.Time  `json:"invite_at"`
	RingAt            *time.Time `json:"ring_at,omitempty"`
	AnswerAt          *time.Time `json:"answer_at,omitempty"`
	EndAt             *time.Time `json:"end_at,omitempty"`
	DurationS         int        `json:"duration_s"`
	BillSec           int        `json:"billsec"`
	ReleaseSide       string     `json:"release_side,omitempty"`
	ReleaseCode       int        `json:"release_code,omitempty"`
	ReleaseQ850       int        `json:"release_q850,omitempty"`
	UnconnectedReason string     `json:"unconnected_reason"`
	Recording         bool       `json:"recording"`
	OutID             string     `json:"out_id,omitempty"`
	Node              string     `json:"node,omitempty"`
}

func call(c *billing.CallRecord) callView {
	return callView{
		ID: c.ID, BindingID: c.BindingID, TenantID: c.TenantID, Mode: c.Mode,
		X: c.X.National(), Extension: c.Extension, Caller: c.Caller.Masked(),
		Callee: c.Callee.Masked(), Direction: c.Direction, InviteAt: c.InviteAt.UTC(),
		RingAt: optTime(c.RingAt), AnswerAt: optTime(c.AnswerAt), EndAt: optTime(c.EndAt),
		DurationS: c.DurationS, BillSec: c.BillSec, ReleaseSide: c.ReleaseSide,
		ReleaseCode: c.ReleaseCode, ReleaseQ850: c.ReleaseQ850,
		UnconnectedReason: c.UnconnectedReason, Recording: c.Recording != "",
		OutID: c.OutID, Node: c.Node,
	}
}

func optTime(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	u := t.UTC()
	return &u
}

// listCalls serves GET /v1/calls?binding_id=&from=&to=&limit=: call
// records of the caller's tenant (every tenant's for an admin key), from
// and to bounding the INVITE time.
func (s *server) listCalls(w http.ResponseWriter, r *http.Request, p tenant.Principal) error {
	f, err := callFilter(r)
	if err != nil {
		return err
	}
	cs, err := s.d.Calls.List(r.Context(), p.TenantID, f)
	if err != nil {
		return err
	}

	out := make([]callView, len(cs))
	for i := range cs {
		out[i] = call(&cs[i])
	}
	writeJSON(w, http.StatusOK, map[string]any{"calls": out})
	return nil
}

func callFilter(r *http.Request) (store.CallFilter, error) {
	q := r.URL.Query()
	f := store.CallFilter{BindingID: q.Get("binding_id"), Limit: maxCalls}

	var err error
	if f.From, err = parseTime("from", q.Get("from")); err != nil {
		return f, err
	}
	if f.To, err = parseTime("to", q.Get("to")); err != nil {
		return f, err
	}
	if !f.From.IsZero() && !f.To.IsZero() && f.To.Before(f.From) {
		return f, invalidInput("to", "to: before from")
	}
	if l := q.Get("limit"); l != "" {
		n, err := strconv.Atoi(l)
		if err != nil || n < 1 || n > maxCalls {
			return f, invalidInput("limit", "limit: want 1 to "+strconv.Itoa(maxCalls))
		}
		f.Limit = n
	}
	return f, nil
}

// getCall serves GET /v1/calls/{id}.
func (s *server) getCall(w http.ResponseWriter, r *http.Request, p tenant.Principal) error {
	c, err := s.d.Calls.Get(r.Context(), p.TenantID, r.PathValue("id"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, call(c))
	return nil
}
