package binding

import (
	"context"
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// Limits protect bindings from abuse: how many calls one caller may start
// an hour, and how many calls one binding may carry at once. Both are
// counted per node; with several nodes behind a load balancer the effective
// limit is up to the number of nodes times these.
type Limits struct {
	AttemptsPerHour      int // per caller; 0 turns the check off
	ConcurrentPerBinding int // 0 turns the check off
}

// limiter keeps the per-caller buckets and per-binding call counts.
type limiter struct {
	cfg Limits

	mu       sync.Mutex
	callers  map[string]*callerBucket
	inflight map[string]int
	sweptAt  time.Time
}

type callerBucket struct {
	lim  *rate.Limiter
	seen time.Time

	// The blacklist answer for this caller, reused for blacklistTTL.
	blacklisted bool
	checkedAt   time.Time
}

// blacklistTTL is how long a node trusts its answer to "is this caller
// blacklisted": a number blacklisted through another node is refused here
// at most this late. Blacklisting through this node takes effect at once.
const blacklistTTL = 30 * time.Second

func newLimiter(cfg Limits) *limiter {
	return &limiter{cfg: cfg, callers: make(map[string]*callerBucket),
		inflight: make(map[string]int)}
}

// attempt spends one call attempt of the caller with blind index idx, and
// reports whether the caller was within the limit. Callers with no number
// share one bucket.
func (l *limiter) attempt(idx string, now time.Time) bool {
	if l.cfg.AttemptsPerHour <= 0 {
		return true
	}
	l.mu.Lock()
	defer l.mu.Unlock()

	b := l.bucket(idx, now)
	l.sweep(now)
	return b.lim.AllowN(now, 1)
}

// bucket returns the caller's entry, made on first use; l.mu is held.
func (l *limiter) bucket(idx string, now time.Time) *callerBucket {
	b, ok := l.callers[idx]
	if !ok {
		every := rate.Inf
		if l.cfg.AttemptsPerHour > 0 {
			every = rate.Every(time.Hour / time.Duration(l.cfg.AttemptsPerHour))
		}
		b = &callerBucket{lim: rate.NewLimiter(every, max(1, l.cfg.AttemptsPerHour))}
		l.callers[idx] = b
	}
	b.seen = now
	return b
}

// cachedBlacklist returns the remembered blacklist answer for a caller,
// if it is recent.
func (l *limiter) cachedBlacklist(idx string, now time.Time) (bad, ok bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	b, found := l.callers[idx]
	if !found || b.checkedAt.IsZero() || now.Sub(b.checkedAt) > blacklistTTL {
		return false, false
	}
	return b.blacklisted, true
}

// rememberBlacklist stores the blacklist answer for a caller.
func (l *limiter) rememberBlacklist(idx string, bad bool, now time.Time) {
	l.mu.Lock()
	defer l.mu.Unlock()
	b := l.bucket(idx, now)
	b.blacklisted, b.checkedAt = bad, now
}

// sweep forgets callers not seen for an hour (their bucket is full again
// by then), at most once a minute, so the map does not grow without bound.
func (l *limiter) sweep(now time.Time) {
	if now.Sub(l.sweptAt) < time.Minute {
		return
	}
	l.sweptAt = now
	for k, b := range l.callers {
		if now.Sub(b.seen) > time.Hour && now.Sub(b.checkedAt) > blacklistTTL {
			delete(l.callers, k)
		}
	}
}

// begin counts a call on binding id, unless it already carries the most it
// may; end undoes one begin.
func (l *limiter) begin(id string) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.cfg.ConcurrentPerBinding > 0 && l.inflight[id] >= l.cfg.ConcurrentPerBinding {
		return false
	}
	l.inflight[id]++
	return true
}

func (l *limiter) end(id string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.inflight[id] <= 1 {
		delete(l.inflight, id)
		return
	}
	l.inflight[id]--
}

// blacklisted reports whether the caller with blind index idx is
// blacklisted, asking the store at most once per blacklistTTL.
func (s *Service) blacklisted(ctx context.Context, idx string) (bool, error) {
	now := s.now()
	if bad, ok := s.lim.cachedBlacklist(idx, now); ok {
		return bad, nil
	}
	bad, err := s.st.IsBlacklisted(ctx, idx)
	if err != nil {
		return false, err
	}
	s.lim.rememberBlacklist(idx, bad, now)
	return bad, nil
}
