// Package binding holds the product's core rules: the binding modes and
// their routing keys, the lifecycle from active to expired and cool-down,
// and the routing decision that tells the SIP layer where a call to a
// virtual number goes, or why it must not go anywhere.
//
// It knows nothing of SIP or HTTP. Real numbers enter as raw strings, are
// normalised by package phone, sealed and blind-indexed by package secret,
// and stored by package store; numbers are chosen by package pool.
package binding

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/google/uuid"

	"maskline/phone"
	"maskline/pool"
	"maskline/secret"
	"maskline/store"
)

// Config holds the lifecycle rules.
type Config struct {
	Region          string        // default region for national numbers, "CN"
	Grace           time.Duration // delivered → expiry, unless the tenant sets its own
	Cooldown        time.Duration // keys stay reserved this long after a binding ends
	CallbackWindow  time.Duration // how long an AXE binding's A may call back
	MinTTL, MaxTTL  time.Duration // allowed distance of expires_at from now
	ExtensionLength int           // digits of an AXE extension
	Limits          Limits        // per-caller and per-binding call limits
}

// DefaultConfig returns the defaults of the product specification.
func DefaultConfig() Config {
	return Config{
		Region: "CN", Grace: 24 * time.Hour, Cooldown: 24 * time.Hour,
		CallbackWindow: 24 * time.Hour, MinTTL: time.Minute, MaxTTL: 90 * 24 * time.Hour,
		ExtensionLength: 4,
		Limits:          Limits{AttemptsPerHour: 30, ConcurrentPerBinding: 4},
	}
}

// Service creates, changes and ends bindings and routes calls through them.
// It is safe for concurrent use.
type Service struct {
	st   store.Store
	keys *secret.Keyring
	pool *pool.Pool
	cfg  Config
	log  *slog.Logger
	now  func() time.Time
	lim  *limiter
}

// Option changes a Service at construction.
type Option func(*Service)

// WithClock replaces time.Now, for tests of expiry.
func WithClock(now func() time.Time) Option { return func(s *Service) { s.now = now } }

// WithLogger sets the logger (slog.Default otherwise).
func WithLogger(l *slog.Logger) Option { return func(s *Service) { s.log = l } }

// New returns a Service.
func New(st store.Store, keys *secret.Keyring, p *pool.Pool, cfg Config, opts ...Option) *Service {
	s := &Service{st: st, keys: keys, pool: p, cfg: cfg, log: slog.Default(), now: time.Now,
		lim: newLimiter(cfg.Limits)}
	for _, o := range opts {
		o(s)
	}
	return s
}

// Config returns the rules in force.
func (s *Service) Config() Config { return s.cfg }

// Ping reports whether the store answers, for readiness checks.
func (s *Service) Ping(ctx context.Context) error {
	if err := s.st.Ping(ctx); err != nil {
		return fmt.Errorf("ping: %w", storeErr(err))
	}
	return nil
}

// newID returns a time-ordered binding id (UUID version 7), so recent
// bindings sit together in the primary key's index.
func newID() string {
	id, err := uuid.NewV7FromReader(rand.Reader)
	if err != nil {
		return uuid.NewString()
	}
	return id.String()
}

// storeErr turns the store's errors into the service's.
func storeErr(err error) error {
	switch {
	case err == nil:
		return nil
	case errors.Is(err, store.ErrUnavailable):
		return fmt.Errorf("%w: %w", ErrUnavailable, err)
	case errors.Is(err, store.ErrNotFound):
		return ErrNotFound
	case errors.Is(err, store.ErrConflict):
		return fmt.Errorf("%w: %w", ErrConflict, err)
	default:
		return err
	}
}

// parse normalises a real number given in input field name.
func (s *Service) parse(field, raw string) (phone.Number, error) {
	n, err := phone.Parse(raw, s.cfg.Region)
	if err != nil {
		return "", &InvalidError{Field: field, Reason: "not a valid phone number"}
	}
	return n, nil
}

// seal returns the sealed number and its blind index.
func (s *Service) seal(n phone.Number) (sealed, index string) {
	if n.IsZero() {
		return "", ""
	}
	return s.keys.Seal(n.E164()), s.keys.Index(n.E164())
}

// open decrypts a sealed number. A value that does not open is a broken
// invariant (wrong key file), reported as an error rather than hidden.
func (s *Service) open(sealed string) (phone.Number, error) {
	plain, err := s.keys.Open(sealed)
	if err != nil {
		return "", fmt.Errorf("open sealed number: %w", err)
	}
	return phone.Number(plain), nil
}

// view turns a stored binding into the service's Binding, numbers opened.
func (s *Service) view(b *store.Binding) (*Binding, error) {
	out := &Binding{
		ID: b.ID, TenantID: b.TenantID, Mode: Mode(b.Mode), X: phone.Number(b.X),
		Extension: b.Extension, OutID: b.OutID, Record: b.Record,
		CallRestrict: Restrict(b.CallRestrict), State: s.state(b), ExpiresAt: b.ExpiresAt,
		EndedAt: b.EndedAt, CreatedAt: b.CreatedAt, UpdatedAt: b.UpdatedAt,
	}
	var err error
	if out.A, err = s.open(b.ASealed); err != nil {
		return nil, err
	}
	if out.B, err = s.open(b.BSealed); err != nil {
		return nil, err
	}
	if out.N, err = s.open(b.NSealed); err != nil {
		return nil, err
	}
	return out, nil
}

// state is the stored state, except that a live binding past its expiry
// reads as expired even before the cron job has moved it.
func (s *Service) state(b *store.Binding) string {
	if (b.State == store.BindingActive || b.State == store.BindingDelivered) &&
		!s.now().Before(b.ExpiresAt) {
		return store.BindingExpired
	}
	return b.State
}
