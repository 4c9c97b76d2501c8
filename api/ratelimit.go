package api

import (
	"net/http"
	"strconv"
	"sync"
	"time"

	"golang.org/x/time/rate"

	"maskline/tenant"
)

// maxLimiters bounds the limiter map; beyond it, limiters of callers that
// have been idle long enough to refill completely are dropped (a fresh one
// behaves the same).
const maxLimiters = 10_000

// limiter keeps a token bucket per tenant, or per key for admin keys.
type limiter struct {
	limit rate.Limit
	burst int

	mu      sync.Mutex
	buckets map[string]*rate.Limiter
}

// newLimiter returns a limiter of perSec requests a second with bursts of
// burst; perSec <= 0 turns limiting off.
func newLimiter(perSec float64, burst int) *limiter {
	if perSec <= 0 {
		return &limiter{limit: rate.Inf}
	}
	if burst < 1 {
		burst = max(1, int(perSec))
	}
	return &limiter{limit: rate.Limit(perSec), burst: burst,
		buckets: make(map[string]*rate.Limiter)}
}

// allow takes a token for p's bucket, or returns a 429 error saying when
// to come back.
func (l *limiter) allow(p tenant.Principal) error {
	if l.limit == rate.Inf || p.KeyID == 0 && p.TenantID == 0 {
		return nil
	}

	now := time.Now()
	res := l.bucket(bucketKey(p), now).ReserveN(now, 1)
	delay := res.DelayFrom(now)
	if delay == 0 {
		return nil
	}

	res.CancelAt(now)
	e := newError(http.StatusTooManyRequests, CodeRateLimited,
		"too many requests; retry after the time in Retry-After")
	e.retryAfter = max(delay, time.Second)
	return e
}

// bucketKey shares one bucket among a tenant's keys; each admin key has
// its own.
func bucketKey(p tenant.Principal) string {
	if p.TenantID != 0 {
		return "t" + strconv.FormatInt(p.TenantID, 10)
	}
	return "k" + strconv.FormatInt(p.KeyID, 10)
}

func (l *limiter) bucket(key string, now time.Time) *rate.Limiter {
	l.mu.Lock()
	defer l.mu.Unlock()

	b, ok := l.buckets[key]
	if ok {
		return b
	}
	if len(l.buckets) >= maxLimiters {
		l.evictIdle(now)
	}
	b = rate.NewLimiter(l.limit, l.burst)
	l.buckets[key] = b
	return b
}

// evictIdle drops buckets that are full again. Called with mu held.
func (l *limiter) evictIdle(now time.Time) {
	for k, b := range l.buckets {
		if b.TokensAt(now) >= float64(l.burst) {
			delete(l.buckets, k)
		}
	}
}
