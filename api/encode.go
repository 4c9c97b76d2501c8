package api

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strconv"
	"time"

	"maskline/binding"
	"maskline/phone"
	"maskline/pool"
	"maskline/store"
)

// writeJSON sends v as the JSON body of a status answer. Answers are never
// cached: most of them describe bindings of real people.
func writeJSON(w http.ResponseWriter, status int, v any) {
	body, err := json.Marshal(v)
	if err != nil {
		// Only a programming error (an unsupported type) gets here.
		status = http.StatusInternalServerError
		body = []byte(`{"error":{"code":"internal","message":"internal error"}}`)
	}
	writeRaw(w, status, body)
}

// writeRaw sends an already encoded JSON body.
func writeRaw(w http.ResponseWriter, status int, body []byte) {
	h := w.Header()
	h.Set("Content-Type", "application/json")
	h.Set("Cache-Control", "no-store")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Content-Length", strconv.Itoa(len(body)+1))
	w.WriteHeader(status)
	_, _ = w.Write(append(body, '\n'))
}

// writeError sends e as {"error": {...}}, its texts scrubbed of anything
// that looks like a phone number.
func writeError(w http.ResponseWriter, e *Error) {
	out := *e
	out.Message = scrub(e.Message)
	if len(e.Rows) > 0 {
		out.Rows = make([]pool.RowError, len(e.Rows))
		for i, r := range e.Rows {
			r.Reason = scrub(r.Reason)
			out.Rows[i] = r
		}
	}
	if e.retryAfter > 0 {
		secs := int((e.retryAfter + time.Second - 1) / time.Second)
		w.Header().Set("Retry-After", strconv.Itoa(secs))
	}
	writeJSON(w, e.Status, struct {
		Error *Error `json:"error"`
	}{&out})
}

// fail answers a request that ended in err. Internal errors are logged
// with the request id; the client sees only a generic message.
func (s *server) fail(w http.ResponseWriter, r *http.Request, err error) {
	e := classify(err)
	switch {
	case errors.Is(err, context.Canceled) && r.Context().Err() != nil:
		s.log.InfoContext(r.Context(), "request cancelled by client",
			"request_id", requestID(r.Context()))
	case e.Status == http.StatusServiceUnavailable:
		s.log.WarnContext(r.Context(), "request failed: store unavailable", "request_id",
			requestID(r.Context()), "route", infoFrom(r.Context()).routeLabel(),
			"err", scrub(err.Error()))
	case e.Status >= http.StatusInternalServerError:
		s.log.ErrorContext(r.Context(), "request failed", "request_id",
			requestID(r.Context()), "route", infoFrom(r.Context()).routeLabel(),
			"status", e.Status, "err", scrub(err.Error()))
	}
	writeError(w, e)
}

// createdView is the answer to a new binding: what the shipper prints.
type createdView struct {
	ID        string    `json:"id"`
	X         string    `json:"x"`
	XE164     string    `json:"x_e164"`
	Extension string    `json:"extension,omitempty"`
	ExpiresAt time.Time `json:"expires_at"`
	Label     string    `json:"label"`
	Mode      string    `json:"mode"`
	State     string    `json:"state"`
	OutID     string    `json:"out_id,omitempty"`
}

func created(b *binding.Binding) createdView {
	return createdView{
		ID: b.ID, X: b.X.National(), XE164: b.X.E164(), Extension: b.Extension,
		ExpiresAt: b.ExpiresAt.UTC(), Label: b.Label(), Mode: string(b.Mode),
		State: b.State, OutID: b.OutID,
	}
}

// bindingView is a binding as GET shows it: real numbers masked.
type bindingView struct {
	ID           string     `json:"id"`
	Mode         string     `json:"mode"`
	X            string     `json:"x"`
	XE164        string     `json:"x_e164"`
	Extension    string     `json:"extension,omitempty"`
	Label        string     `json:"label"`
	A            string     `json:"a"`
	B            string     `json:"b,omitempty"`
	N            string     `json:"n,omitempty"`
	OutID        string     `json:"out_id,omitempty"`
	Record       bool       `json:"record"`
	CallRestrict string     `json:"call_restrict"`
	State        string     `json:"state"`
	ExpiresAt    time.Time  `json:"expires_at"`
	EndedAt      *time.Time `json:"ended_at,omitempty"`
	CreatedAt    time.Time  `json:"created_at"`
	UpdatedAt    time.Time  `json:"updated_at"`
}

func masked(b *binding.Binding) bindingView {
	v := bindingView{
		ID: b.ID, Mode: string(b.Mode), X: b.X.National(), XE164: b.X.E164(),
		Extension: b.Extension, Label: b.Label(), A: b.A.Masked(), B: b.B.Masked(),
		N: b.N.Masked(), OutID: b.OutID, Record: b.Record,
		CallRestrict: string(b.CallRestrict), State: b.State, ExpiresAt: b.ExpiresAt.UTC(),
		CreatedAt: b.CreatedAt.UTC(), UpdatedAt: b.UpdatedAt.UTC(),
	}
	if !b.EndedAt.IsZero() {
		t := b.EndedAt.UTC()
		v.EndedAt = &t
	}
	return v
}

// waybillView is a binding as a station sees it: what to dial, never a
// real number, not even masked.
type waybillView struct {
	ID        string    `json:"id"`
	X         string    `json:"x"`
	Extension string    `json:"extension,omitempty"`
	Label     string    `json:"label"`
	State     string    `json:"state"`
	ExpiresAt time.Time `json:"expires_at"`
}

func waybill(b *binding.Binding) waybillView {
	return waybillView{ID: b.ID, X: b.X.National(), Extension: b.Extension,
		Label: b.Label(), State: b.State, ExpiresAt: b.ExpiresAt.UTC()}
}

// revealedView holds the real numbers in E.164, for keys with the reveal
// scope only.
type revealedView struct {
	ID        string `json:"id"`
	Mode      string `json:"mode"`
	X         string `json:"x_e164"`
	Extension string `json:"extension,omitempty"`
	A         string `json:"a"`
	B         string `json:"b,omitempty"`
	N         string `json:"n,omitempty"`
}

func revealed(b *binding.Binding) revealedView {
	return revealedView{ID: b.ID, Mode: string(b.Mode), X: b.X.E164(),
		Extension: b.Extension, A: b.A.E164(), B: b.B.E164(), N: b.N.E164()}
}

// numberView is a virtual number of the pool, for the admin.
type numberView struct {
	X           string    `json:"x"`
	XE164       string    `json:"x_e164"`
	AreaCode    string    `json:"area_code"`
	Kind        string    `json:"kind"`
	State       string    `json:"state"`
	MonthlyCost string    `json:"monthly_cost"`
	TenantID    int64     `json:"tenant_id,omitempty"`
	Mode        string    `json:"mode,omitempty"`
	Bindings    int       `json:"bindings"`
	UpdatedAt   time.Time `json:"updated_at"`
}

func number(n *store.Number) numberView {
	x := phone.Number(n.X)
	return numberView{
		X: x.National(), XE164: x.E164(), AreaCode: n.AreaCode, Kind: n.Kind,
		State: n.State, MonthlyCost: pool.FormatMoney(n.MonthlyCost), TenantID: n.TenantID,
		Mode: n.Mode, Bindings: n.Bindings, UpdatedAt: n.UpdatedAt.UTC(),
	}
}
