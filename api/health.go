package api

import (
	"net/http"

	"maskline/tenant"
)

// healthz serves GET /healthz: the process is up and serving HTTP.
func (s *server) healthz(w http.ResponseWriter, _ *http.Request, _ tenant.Principal) error {
	writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
	return nil
}

// readyz serves GET /readyz: 200 while the store answers, else 503 so a
// load balancer stops sending requests this node cannot serve.
func (s *server) readyz(w http.ResponseWriter, r *http.Request, _ tenant.Principal) error {
	if err := s.d.Bindings.Ping(r.Context()); err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]string{"status": "ready"})
	return nil
}
