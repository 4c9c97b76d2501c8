package binding

import (
	"context"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"maskline/phone"
	"maskline/pool"
	"maskline/store"
)

// maxOutID is the longest waybill number accepted.
const maxOutID = 128

// Create validates req, chooses a virtual number and stores the binding for
// tenant t. Errors: InvalidError for bad input, *pool.ExhaustedError when
// no number fits, ErrUnavailable when the store is down.
func (s *Service) Create(ctx context.Context, t *store.Tenant, req CreateRequest) (*Binding,
	error) {
	now := s.now()
	nums, err := s.validateCreate(req, now)
	if err != nil {
		return nil, err
	}

	b := &store.Binding{
		ID: newID(), TenantID: t.ID, Mode: string(req.Mode), OutID: req.OutID,
		Record: req.Record, CallRestrict: string(nums.restrict), State: store.BindingActive,
		ExpiresAt: nums.expires,
	}
	b.ASealed, b.AIndex = s.seal(nums.a)
	b.BSealed, b.BIndex = s.seal(nums.b)
	b.NSealed, b.NIndex = s.seal(nums.n)

	preq := pool.Request{
		Mode: string(req.Mode), TenantID: t.ID, AreaCode: req.AreaCode,
		Loose: req.AreaMatch == "loose", Fallback: t.FallbackAreas, Keys: partyKeys(b),
	}
	if err := s.pool.Allocate(ctx, preq, b); err != nil {
		return nil, fmt.Errorf("create binding: %w", storeErr(err))
	}

	created.WithLabelValues(string(req.Mode)).Inc()
	s.log.InfoContext(ctx, "binding created", "binding", b.ID, "tenant", t.ID,
		"mode", b.Mode, "x", b.X, "a", nums.a)
	return &Binding{
		ID: b.ID, TenantID: t.ID, Mode: req.Mode, X: phone.Number(b.X),
		Extension: b.Extension, A: nums.a, B: nums.b, N: nums.n, OutID: b.OutID,
		Record: b.Record, CallRestrict: nums.restrict, State: b.State,
		ExpiresAt: b.ExpiresAt, CreatedAt: b.CreatedAt, UpdatedAt: b.UpdatedAt,
	}, nil
}

// partyKeys are the keys of b's real numbers that must be free on X: both
// parties for AXB, A for AXE (its callback key), none for AXN (which owns
// the whole number).
func partyKeys(b *store.Binding) []string {
	switch Mode(b.Mode) {
	case AXB:
		return []string{pool.PartyKey(b.AIndex), pool.PartyKey(b.BIndex)}
	case AXE:
		return []string{pool.PartyKey(b.AIndex)}
	default:
		return nil
	}
}

type createNums struct {
	a, b, n  phone.Number
	restrict Restrict
	expires  time.Time
}

func (s *Service) validateCreate(req CreateRequest, now time.Time) (createNums, error) {
	var out createNums
	var err error

	switch req.Mode {
	case AXB, AXN, AXE:
	case "":
		return out, invalid("mode", "required")
	default:
		return out, invalid("mode", "want AXB, AXN or AXE")
	}

	if out.a, err = s.parse("a", req.A); err != nil {
		return out, err
	}
	if out.b, out.n, err = s.otherParties(req); err != nil {
		return out, err
	}
	if out.expires, err = s.expiry(req.ExpiresAt, req.TTLSeconds, now); err != nil {
		return out, err
	}
	if out.restrict, err = restriction(req.CallRestrict); err != nil {
		return out, err
	}
	return out, checkPlacement(req)
}

func (s *Service) otherParties(req CreateRequest) (b, n phone.Number, err error) {
	switch req.Mode {
	case AXB:
		if strings.TrimSpace(req.B) == "" {
			return "", "", invalid("b", "required for AXB")
		}
		if b, err = s.parse("b", req.B); err != nil {
			return "", "", err
		}
		a, _ := s.parse("a", req.A)
		if a == b {
			return "", "", invalid("b", "must differ from a")
		}
	case AXN:
		if strings.TrimSpace(req.N) != "" {
			if n, err = s.parse("n", req.N); err != nil {
				return "", "", err
			}
		}
	}
	if req.Mode != AXB && strings.TrimSpace(req.B) != "" {
		return "", "", invalid("b", "only for AXB")
	}
	if req.Mode != AXN && strings.TrimSpace(req.N) != "" {
		return "", "", invalid("n", "only for AXN")
	}
	return b, n, nil
}

// expiry works out expires_at from an absolute time or a TTL (exactly one
// of them) and checks it lies between MinTTL and MaxTTL from now.
func (s *Service) expiry(at time.Time, ttl int, now time.Time) (time.Time, error) {
	switch {
	case !at.IsZero() && ttl != 0:
		return time.Time{}, invalid("expires_at", "give expires_at or ttl_seconds, not both")
	case at.IsZero() && ttl == 0:
		return time.Time{}, invalid("expires_at", "expires_at or ttl_seconds required")
	case at.IsZero():
		if ttl < 0 {
			return time.Time{}, invalid("ttl_seconds", "must be positive")
		}
		at = now.Add(time.Duration(ttl) * time.Second)
	}
	return s.checkExpiry(at, now)
}

func (s *Service) checkExpiry(at, now time.Time) (time.Time, error) {
	d := at.Sub(now)
	if d < s.cfg.MinTTL || d > s.cfg.MaxTTL {
		return time.Time{}, invalid("expires_at", "must be between %s and %s from now",
			s.cfg.MinTTL, s.cfg.MaxTTL)
	}
	return at.Truncate(time.Millisecond), nil
}

func restriction(r Restrict) (Restrict, error) {
	switch r {
	case "":
		return RestrictNone, nil
	case RestrictNone, RestrictAOnly, RestrictBOnly:
		return r, nil
	default:
		return "", invalid("call_restrict", "want none, a_only or b_only")
	}
}

func checkPlacement(req CreateRequest) error {
	switch req.AreaMatch {
	case "", "strict", "loose":
	default:
		return invalid("area_match", "want strict or loose")
	}
	if req.AreaCode != "" && !allDigits(req.AreaCode, 8) {
		return invalid("area_code", "want 1 to 8 digits")
	}
	if utf8.RuneCountInString(req.OutID) > maxOutID || !utf8.ValidString(req.OutID) {
		return invalid("out_id", "at most %d characters", maxOutID)
	}
	return nil
}

func allDigits(s string, maxLen int) bool {
	if s == "" || len(s) > maxLen {
		return false
	}
	for _, c := range s {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}
