// Package api serves Maskline's HTTP API: JSON over HTTP under /v1 for
// tenants' order systems and the pool admin, plus health, readiness and
// Prometheus metrics. Handlers are thin: they decode a request, call the
// domain services (binding, pool, tenant, billing) and encode the answer.
// Every error is a JSON object with a stable code, and no answer, log line
// or metric label ever carries a full real phone number.
package api

import (
	"log/slog"
	"net/http"

	"github.com/prometheus/client_golang/prometheus/promhttp"

	"maskline/billing"
	"maskline/binding"
	"maskline/pool"
	"maskline/tenant"
)

// Deps are the services the API is built on and its few settings.
type Deps struct {
	Bindings *binding.Service
	Pool     *pool.Pool
	Tenants  *tenant.Service
	// Calls serves the call record routes; without it they are not
	// registered.
	Calls *billing.Service
	// Region is the default region for national numbers in imports and
	// number paths, "CN".
	Region string
	// RateLimit is the sustained requests per second allowed to one tenant
	// (or one admin key); 0 or less turns rate limiting off.
	RateLimit float64
	// RateBurst is how many requests may arrive at once above RateLimit.
	RateBurst int
	// Log receives the access log and server errors; slog.Default if nil.
	Log *slog.Logger
}

// server holds the dependencies shared by the handlers.
type server struct {
	d       Deps
	log     *slog.Logger
	mux     *http.ServeMux
	limiter *limiter
}

// New returns the API's handler with every route registered and the
// middleware (request id, metrics, access log, panic recovery) around it.
func New(d Deps) http.Handler {
	if d.Log == nil {
		d.Log = slog.Default()
	}
	if d.Region == "" {
		d.Region = "CN"
	}
	s := &server{
		d:       d,
		log:     d.Log,
		mux:     http.NewServeMux(),
		limiter: newLimiter(d.RateLimit, d.RateBurst),
	}
	s.routes()
	return s.middleware(s.mux)
}

// routes registers every endpoint with the access it needs.
//
// TODO: GET /v1/admin/statements and GET /v1/calls/{id}/recording are not
// served yet; they wait for statements in billing and recordings in media.
func (s *server) routes() {
	s.handle("POST /v1/bindings", needCreate, s.createBinding)
	s.handle("GET /v1/bindings", needRead, s.bindingsByOutID)
	s.handle("GET /v1/bindings/{id}", needRead, s.getBinding)
	s.handle("PATCH /v1/bindings/{id}", needTenant, s.patchBinding)
	s.handle("POST /v1/bindings/{id}/delivered", needTenant, s.deliveredBinding)
	s.handle("DELETE /v1/bindings/{id}", needTenant, s.unbindBinding)
	s.handle("POST /v1/bindings/{id}/reveal", needReveal, s.revealBinding)

	if s.d.Calls != nil {
		s.handle("GET /v1/calls", needRead, s.listCalls)
		s.handle("GET /v1/calls/{id}", needRead, s.getCall)
	}

	s.handle("POST /v1/admin/numbers", needAdmin, s.importNumbers)
	s.handle("GET /v1/admin/numbers", needAdmin, s.listNumbers)
	s.handle("PATCH /v1/admin/numbers/{x}", needAdmin, s.patchNumber)
	s.handle("GET /v1/admin/pool", needAdmin, s.poolStats)

	s.handle("GET /healthz", public, s.healthz)
	s.handle("GET /readyz", public, s.readyz)
	s.mux.Handle("GET /metrics", routed("GET /metrics", promhttp.Handler()))
}
