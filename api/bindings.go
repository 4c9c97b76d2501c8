package api

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"

	"maskline/binding"
	"maskline/store"
	"maskline/tenant"
)

// createBinding serves POST /v1/bindings. With an Idempotency-Key header
// the first successful answer is stored and replayed to retries with the
// same body (marked by the Idempotent-Replayed header).
func (s *server) createBinding(w http.ResponseWriter, r *http.Request,
	p tenant.Principal) error {
	data, _, err := readBody(w, r, mediaJSON)
	if err != nil {
		return err
	}
	req, err := DecodeCreate(data)
	if err != nil {
		return err
	}
	t, err := s.d.Tenants.Get(r.Context(), p.TenantID)
	if err != nil {
		return err
	}

	create := func() (binding.Answer, error) { return s.create(r.Context(), t, req) }
	if _, sent := r.Header["Idempotency-Key"]; sent {
		return s.once(w, r, p, data, create)
	}
	ans, err := create()
	if err != nil {
		return err
	}
	writeRaw(w, ans.Status, ans.Body)
	return nil
}

// create makes the binding and encodes the answer to store and send.
func (s *server) create(ctx context.Context, t *store.Tenant, req binding.CreateRequest) (
	binding.Answer, error) {
	b, err := s.d.Bindings.Create(ctx, t, req)
	if err != nil {
		return binding.Answer{}, err
	}
	body, err := json.Marshal(created(b))
	if err != nil {
		return binding.Answer{}, fmt.Errorf("encode binding: %w", err)
	}
	return binding.Answer{Status: http.StatusCreated, Body: body}, nil
}

// once runs create under the request's idempotency key, the SHA-256 of
// the body telling a retry from a different request under the same key.
func (s *server) once(w http.ResponseWriter, r *http.Request, p tenant.Principal,
	data []byte, create func() (binding.Answer, error)) error {
	sum := sha256.Sum256(data)
	ans, replayed, err := s.d.Bindings.Once(r.Context(), p.TenantID,
		r.Header.Get("Idempotency-Key"), hex.EncodeToString(sum[:]), create)
	if err != nil {
		return err
	}

	if replayed {
		w.Header().Set("Idempotent-Replayed", "true")
	}
	writeRaw(w, ans.Status, ans.Body)
	return nil
}

// getBinding serves GET /v1/bindings/{id}: real numbers masked.
func (s *server) getBinding(w http.ResponseWriter, r *http.Request, p tenant.Principal) error {
	b, err := s.d.Bindings.Get(r.Context(), p.TenantID, r.PathValue("id"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, masked(b))
	return nil
}

// bindingsByOutID serves GET /v1/bindings?out_id=: what a station needs to
// dial, and no real number in any form. Waybill numbers are unique per
// tenant only, so an admin key names the tenant with tenant_id; a tenant
// key always sees its own bindings.
func (s *server) bindingsByOutID(w http.ResponseWriter, r *http.Request,
	p tenant.Principal) error {
	q := r.URL.Query()
	tenantID := p.TenantID
	if tenantID == 0 {
		id, err := strconv.ParseInt(q.Get("tenant_id"), 10, 64)
		if err != nil || id < 1 {
			return invalidInput("tenant_id", "tenant_id: required with an admin key")
		}
		tenantID = id
	}

	bs, err := s.d.Bindings.ByOutID(r.Context(), tenantID, q.Get("out_id"))
	if err != nil {
		return err
	}

	out := make([]waybillView, len(bs))
	for i := range bs {
		out[i] = waybill(&bs[i])
	}
	writeJSON(w, http.StatusOK, map[string]any{"bindings": out})
	return nil
}

// patchBinding serves PATCH /v1/bindings/{id}.
func (s *server) patchBinding(w http.ResponseWriter, r *http.Request,
	p tenant.Principal) error {
	data, _, err := readBody(w, r, mediaJSON)
	if err != nil {
		return err
	}
	patch, err := decodePatch(data)
	if err != nil {
		return err
	}

	b, err := s.d.Bindings.Update(r.Context(), p.TenantID, r.PathValue("id"), patch)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, masked(b))
	return nil
}

// deliveredBinding serves POST /v1/bindings/{id}/delivered. A body, if
// any, is ignored.
func (s *server) deliveredBinding(w http.ResponseWriter, r *http.Request,
	p tenant.Principal) error {
	t, err := s.d.Tenants.Get(r.Context(), p.TenantID)
	if err != nil {
		return err
	}
	b, err := s.d.Bindings.Delivered(r.Context(), t, r.PathValue("id"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, masked(b))
	return nil
}

// unbindBinding serves DELETE /v1/bindings/{id}: 204, keys to cool-down.
func (s *server) unbindBinding(w http.ResponseWriter, r *http.Request,
	p tenant.Principal) error {
	if err := s.d.Bindings.Unbind(r.Context(), p.TenantID, r.PathValue("id")); err != nil {
		return err
	}
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// revealBinding serves POST /v1/bindings/{id}/reveal: the real numbers in
// E.164, with an audit record written by the binding service.
func (s *server) revealBinding(w http.ResponseWriter, r *http.Request,
	p tenant.Principal) error {
	data, _, err := readBody(w, r, mediaJSON)
	if err != nil {
		return err
	}
	reason, err := decodeReveal(data)
	if err != nil {
		return err
	}

	who := binding.Actor{KeyID: p.KeyID, TenantID: p.TenantID}
	b, err := s.d.Bindings.Reveal(r.Context(), who, r.PathValue("id"), reason)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, revealed(b))
	return nil
}
