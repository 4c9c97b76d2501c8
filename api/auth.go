package api

import (
	"net/http"
	"strings"

	"maskline/tenant"
)

// access is what a route asks of the caller's key.
type access int

const (
	// public routes need no key (health, readiness).
	public access = iota
	// needRead routes read bindings and calls: a tenant key sees its own,
	// an admin key sees every tenant's.
	needRead
	// needTenant routes change a tenant's bindings: a tenant key only.
	needTenant
	// needCreate creates bindings, which belong to a tenant, so an admin
	// key may not.
	needCreate
	// needReveal shows real numbers: a key with the reveal scope.
	needReveal
	// needAdmin routes manage the number pool.
	needAdmin
)

// authenticate finds the principal of the request's bearer key and checks
// it may use a route of access a. Store failures come back as errors that
// classify as 503.
func (s *server) authenticate(r *http.Request, a access) (tenant.Principal, error) {
	if a == public {
		return tenant.Principal{}, nil
	}

	key, ok := bearer(r.Header.Get("Authorization"))
	if !ok {
		return tenant.Principal{}, errUnauthenticated
	}
	p, err := s.d.Tenants.Authenticate(r.Context(), key)
	if err != nil {
		return tenant.Principal{}, err
	}
	return p, permit(p, a)
}

// bearer extracts the key of an "Authorization: Bearer KEY" header.
func bearer(h string) (string, bool) {
	scheme, key, ok := strings.Cut(strings.TrimSpace(h), " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") {
		return "", false
	}
	key = strings.TrimSpace(key)
	return key, key != ""
}

// isTenant reports whether p acts for a tenant with the tenant scope.
func isTenant(p tenant.Principal) bool {
	return p.TenantID != 0 && p.Has(tenant.ScopeTenant)
}

// permit checks p's scopes against a route's access.
func permit(p tenant.Principal, a access) error {
	switch a {
	case needRead:
		if isTenant(p) || p.Admin() {
			return nil
		}
		return forbidden("this key may not read bindings or calls")
	case needTenant:
		if isTenant(p) {
			return nil
		}
		return forbidden("only a tenant key may change bindings")
	case needCreate:
		if isTenant(p) {
			return nil
		}
		return forbidden("only a tenant key may create bindings")
	case needReveal:
		if p.Has(tenant.ScopeReveal) {
			return nil
		}
		return forbidden("revealing numbers needs a key with the reveal scope")
	case needAdmin:
		if p.Admin() {
			return nil
		}
		return forbidden("this route needs an admin key")
	}
	return nil
}
