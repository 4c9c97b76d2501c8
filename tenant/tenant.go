// Package tenant knows the express companies using the broker and their API
// keys. A key is shown once when made; only its SHA-256 hash is stored, so
// a copy of the database does not hand out working keys.
package tenant

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"maskline/store"
)

// Scopes a key may carry.
const (
	ScopeTenant = "tenant" // manage the tenant's own bindings and calls
	ScopeReveal = "reveal" // see real numbers, with an audit record
	ScopeAdmin  = "admin"  // manage the pool and read every tenant's statements
)

// ErrUnauthenticated means the key is missing, malformed or unknown.
var ErrUnauthenticated = errors.New("unauthenticated")

// ErrInvalidName is returned for a tenant name that is empty, too long or
// has characters other than letters, digits, '-', '_' and '.'.
var ErrInvalidName = errors.New("invalid tenant name")

// Principal is who a request acts for.
type Principal struct {
	KeyID    int64
	TenantID int64 // 0 for admin keys
	Name     string
	Scopes   []string
}

// Has reports whether the principal holds scope.
func (p Principal) Has(scope string) bool { return slices.Contains(p.Scopes, scope) }

// Admin reports whether the principal holds the admin scope.
func (p Principal) Admin() bool { return p.Has(ScopeAdmin) }

// Service creates tenants and keys and authenticates requests.
type Service struct {
	st store.Store

	// cache keeps recent authentications so a busy API does not query the
	// store for every request; entries live for cacheTTL.
	mu      sync.Mutex
	cache   map[string]cached
	tenants map[int64]cachedTenant
}

type cachedTenant struct {
	t  *store.Tenant
	at time.Time
}

type cached struct {
	p  Principal
	at time.Time
}

const cacheTTL = 30 * time.Second

// New returns a Service over st.
func New(st store.Store) *Service {
	return &Service{st: st, cache: make(map[string]cached),
		tenants: make(map[int64]cachedTenant)}
}

// AddTenant creates tenant name with a key holding ScopeTenant and the
// extra scopes given, and returns the tenant and the key in clear.
func (s *Service) AddTenant(ctx context.Context, name string, extra ...string) (*store.Tenant,
	string, error) {
	if err := checkName(name); err != nil {
		return nil, "", err
	}
	scopes := append([]string{ScopeTenant}, extra...)
	if err := checkScopes(scopes); err != nil {
		return nil, "", err
	}
	t := &store.Tenant{Name: name}
	if err := s.st.CreateTenant(ctx, t); err != nil {
		return nil, "", fmt.Errorf("add tenant: %w", err)
	}

	key, err := s.addKey(ctx, t.ID, name, scopes)
	if err != nil {
		return nil, "", err
	}
	return t, key, nil
}

// AddKey makes another key for an existing tenant.
func (s *Service) AddKey(ctx context.Context, tenantName string, extra ...string) (string,
	error) {
	t, err := s.st.TenantByName(ctx, tenantName)
	if err != nil {
		return "", fmt.Errorf("add key: %w", err)
	}
	return s.addKey(ctx, t.ID, tenantName, append([]string{ScopeTenant}, extra...))
}

// AddAdmin creates an admin key named name (for the pool admin's tools).
func (s *Service) AddAdmin(ctx context.Context, name string) (string, error) {
	if err := checkName(name); err != nil {
		return "", err
	}
	return s.addKey(ctx, 0, name, []string{ScopeAdmin})
}

func (s *Service) addKey(ctx context.Context, tenantID int64, name string, scopes []string) (
	string, error) {
	if err := checkScopes(scopes); err != nil {
		return "", err
	}
	key := newKey()
	rec := &store.APIKey{TenantID: tenantID, Name: name, Hash: Hash(key), Scopes: scopes}
	if err := s.st.CreateAPIKey(ctx, rec); err != nil {
		return "", fmt.Errorf("add key: %w", err)
	}
	return key, nil
}

// newKey returns "mlk_" and 32 random bytes in URL-safe base64.
func newKey() string {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		panic("tenant: no randomness: " + err.Error())
	}
	return "mlk_" + base64.RawURLEncoding.EncodeToString(b)
}

// Hash is the stored form of a key.
func Hash(key string) string {
	sum := sha256.Sum256([]byte(key))
	return hex.EncodeToString(sum[:])
}

func checkScopes(scopes []string) error {
	for _, sc := range scopes {
		if sc != ScopeTenant && sc != ScopeReveal && sc != ScopeAdmin {
			return fmt.Errorf("add key: unknown scope %q", sc)
		}
	}
	return nil
}

func checkName(name string) error {
	if name == "" || len(name) > 64 {
		return fmt.Errorf("%w: want 1 to 64 characters", ErrInvalidName)
	}
	for _, c := range name {
		ok := c == '-' || c == '_' || c == '.' || (c >= '0' && c <= '9') ||
			(c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')
		if !ok {
			return fmt.Errorf("%w: letters, digits, '-', '_' and '.' only", ErrInvalidName)
		}
	}
	return nil
}

// Authenticate finds the principal of a bearer key. Unknown keys are
// ErrUnauthenticated; store failures are returned wrapped.
func (s *Service) Authenticate(ctx context.Context, key string) (Principal, error) {
	if !strings.HasPrefix(key, "mlk_") || len(key) > 128 {
		return Principal{}, ErrUnauthenticated
	}
	h := Hash(key)
	if p, ok := s.lookupCache(h); ok {
		return p, nil
	}

	k, err := s.st.APIKeyByHash(ctx, h)
	if errors.Is(err, store.ErrNotFound) {
		return Principal{}, ErrUnauthenticated
	}
	if err != nil {
		return Principal{}, fmt.Errorf("authenticate: %w", err)
	}

	p := Principal{KeyID: k.ID, TenantID: k.TenantID, Name: k.Name, Scopes: k.Scopes}
	s.mu.Lock()
	s.cache[h] = cached{p: p, at: time.Now()}
	s.mu.Unlock()
	return p, nil
}

func (s *Service) lookupCache(h string) (Principal, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()

	c, ok := s.cache[h]
	if !ok {
		return Principal{}, false
	}
	if time.Since(c.at) > cacheTTL {
		delete(s.cache, h)
		return Principal{}, false
	}
	return c.p, true
}

// Get returns tenant id. Tenants change rarely and are read on every
// create, so answers are reused for cacheTTL.
func (s *Service) Get(ctx context.Context, id int64) (*store.Tenant, error) {
	s.mu.Lock()
	c, ok := s.tenants[id]
	s.mu.Unlock()
	if ok && time.Since(c.at) < cacheTTL {
		t := *c.t
		return &t, nil
	}

	t, err := s.st.GetTenant(ctx, id)
	if err != nil {
		return nil, fmt.Errorf("get tenant: %w", err)
	}
	s.mu.Lock()
	s.tenants[id] = cachedTenant{t: t, at: time.Now()}
	s.mu.Unlock()
	cp := *t
	return &cp, nil
}

// ByName returns the tenant called name.
func (s *Service) ByName(ctx context.Context, name string) (*store.Tenant, error) {
	t, err := s.st.TenantByName(ctx, name)
	if err != nil {
		return nil, fmt.Errorf("get tenant: %w", err)
	}
	return t, nil
}
