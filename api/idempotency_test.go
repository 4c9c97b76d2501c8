package api_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"testing"
	"time"

	"maskline/store"
	"maskline/store/storetest"
)

// TestCreateGetIdempotent runs the create path on both stores: create,
// read back, replay with the same idempotency key, and refuse the key with
// another body.
func TestCreateGetIdempotent(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.DB) {
		f := newFixture(t, st)
		body := axb()

		first := f.send(t, http.MethodPost, "/v1/bindings", f.keyAcme, body,
			"Idempotency-Key", "order-1")
		first.expectStatus(t, http.StatusCreated)
		if first.header.Get("Idempotent-Replayed") != "" {
			t.Fatalf("first answer marked as replayed")
		}
		var c created
		first.decode(t, &c)

		again := f.send(t, http.MethodPost, "/v1/bindings", f.keyAcme, body,
			"Idempotency-Key", "order-1")
		again.expectStatus(t, http.StatusCreated)
		if again.header.Get("Idempotent-Replayed") != "true" {
			t.Fatalf("replay not marked: %v", again.header)
		}
		if string(again.raw) != string(first.raw) {
			t.Fatalf("replay differs:\n%s\n%s", first.raw, again.raw)
		}

		other := f.send(t, http.MethodPost, "/v1/bindings", f.keyAcme,
			with(body, "b", canaryOther), "Idempotency-Key", "order-1")
		other.expectError(t, http.StatusUnprocessableEntity, "idempotency_conflict")

		// The key is the tenant's own: another tenant may use it freely.
		f.send(t, http.MethodPost, "/v1/bindings", f.keyOther, body,
			"Idempotency-Key", "order-1").expectStatus(t, http.StatusCreated)

		var got bindingBody
		g := f.send(t, http.MethodGet, "/v1/bindings/"+c.ID, f.keyAcme, nil)
		g.expectStatus(t, http.StatusOK)
		g.decode(t, &got)
		if got.ID != c.ID || got.X != c.X || got.A != "138****5678" {
			t.Fatalf("GET after create: %s", g.raw)
		}

		var list struct {
			Bindings []map[string]any `json:"bindings"`
		}
		f.send(t, http.MethodGet, "/v1/bindings?out_id=SF1001", f.keyAcme, nil).
			decode(t, &list)
		if len(list.Bindings) != 1 {
			t.Fatalf("replays made %d bindings, want 1", len(list.Bindings))
		}
	})
}

// TestFailedCreateForgetsKey checks a refused first attempt does not
// block a corrected retry under the same key.
func TestFailedCreateForgetsKey(t *testing.T) {
	f := newFixture(t, storetest.SQLite(t))
	bad := f.send(t, http.MethodPost, "/v1/bindings", f.keyAcme,
		with(axb(), "area_code", "0999"), "Idempotency-Key", "order-2")
	bad.expectError(t, http.StatusConflict, "pool_exhausted")

	ok := f.send(t, http.MethodPost, "/v1/bindings", f.keyAcme, axb(),
		"Idempotency-Key", "order-2")
	ok.expectStatus(t, http.StatusCreated)
}

// TestKeyInProgress answers 409 with Retry-After while the first request
// under a key has not finished.
func TestKeyInProgress(t *testing.T) {
	f := newFixture(t, storetest.SQLite(t))
	body, err := json.Marshal(axb())
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(body)
	_, err = f.st.ReserveIdempotency(context.Background(), &store.Idempotency{
		TenantID: f.acme.ID, Key: "order-3", RequestHash: hex.EncodeToString(sum[:]),
		CreatedAt: time.Now()})
	if err != nil {
		t.Fatalf("reserve: %v", err)
	}

	r := f.send(t, http.MethodPost, "/v1/bindings", f.keyAcme, body,
		"Idempotency-Key", "order-3")
	r.expectError(t, http.StatusConflict, "idempotency_conflict")
	if r.header.Get("Retry-After") != "1" {
		t.Fatalf("Retry-After %q", r.header.Get("Retry-After"))
	}
}
