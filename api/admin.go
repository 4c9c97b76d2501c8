package api

import (
	"net/http"
	"strconv"

	"maskline/phone"
	"maskline/store"
	"maskline/tenant"
)

// Paging of GET /v1/admin/numbers.
const (
	defaultPage = 100
	maxPage     = 1000
)

// importNumbers serves POST /v1/admin/numbers: a JSON array of rows or a
// CSV file. Nothing is stored unless every row is good; numbers already in
// the pool are skipped. 201 when something was inserted, else 200.
func (s *server) importNumbers(w http.ResponseWriter, r *http.Request,
	_ tenant.Principal) error {
	data, media, err := readBody(w, r, mediaJSON, mediaCSV)
	if err != nil {
		return err
	}
	rows, err := decodeNumbers(data, media)
	if err != nil {
		return err
	}

	res, err := s.d.Pool.Import(r.Context(), s.d.Region, rows)
	if err != nil {
		return err
	}
	status := http.StatusOK
	if res.Inserted > 0 {
		status = http.StatusCreated
	}
	writeJSON(w, status, res)
	return nil
}

// listNumbers serves GET /v1/admin/numbers?area_code=&state=&after=&limit=
// in order of X; next is the "after" of the following page, empty on the
// last one.
func (s *server) listNumbers(w http.ResponseWriter, r *http.Request,
	_ tenant.Principal) error {
	f, err := s.numberFilter(r)
	if err != nil {
		return err
	}
	ns, err := s.d.Pool.List(r.Context(), f)
	if err != nil {
		return err
	}

	out := make([]numberView, len(ns))
	for i := range ns {
		out[i] = number(&ns[i])
	}
	next := ""
	if len(ns) == f.Limit {
		next = ns[len(ns)-1].X
	}
	writeJSON(w, http.StatusOK, map[string]any{"numbers": out, "next": next})
	return nil
}

func (s *server) numberFilter(r *http.Request) (store.NumberFilter, error) {
	q := r.URL.Query()
	f := store.NumberFilter{AreaCode: q.Get("area_code"), State: q.Get("state"),
		Limit: defaultPage}

	switch f.State {
	case "", store.NumberAvailable, store.NumberLocked, store.NumberRetired:
	default:
		return f, invalidInput("state", "state: want available, locked or retired")
	}
	if after := q.Get("after"); after != "" {
		x, err := phone.ParseVirtual(after, s.d.Region)
		if err != nil {
			return f, invalidInput("after", "after: want a number from a previous page")
		}
		f.After = x.E164()
	}
	if l := q.Get("limit"); l != "" {
		n, err := strconv.Atoi(l)
		if err != nil || n < 1 || n > maxPage {
			return f, invalidInput("limit", "limit: want 1 to "+strconv.Itoa(maxPage))
		}
		f.Limit = n
	}
	return f, nil
}

// patchNumber serves PATCH /v1/admin/numbers/{x} with {"action": ...}:
// lock, unlock or retire (409 while bindings still hold the number).
func (s *server) patchNumber(w http.ResponseWriter, r *http.Request,
	_ tenant.Principal) error {
	x, err := phone.ParseVirtual(r.PathValue("x"), s.d.Region)
	if err != nil {
		return errNotFound
	}
	data, _, err := readBody(w, r, mediaJSON)
	if err != nil {
		return err
	}
	action, err := decodeAction(data)
	if err != nil {
		return err
	}

	n, err := s.d.Pool.SetState(r.Context(), x.E164(), action)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, number(n))
	return nil
}

// poolStats serves GET /v1/admin/pool: utilisation per area.
func (s *server) poolStats(w http.ResponseWriter, r *http.Request, _ tenant.Principal) error {
	areas, err := s.d.Pool.Stats(r.Context())
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"areas": areas})
	return nil
}
