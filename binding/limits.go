package binding

import (
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
}

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

	b, ok := l.callers[idx]
	if !ok {
		every := rate.Every(time.Hour / time.Duration(l.cfg.AttemptsPerHour))
		b = &callerBucket{lim: rate.NewLimiter(every, l.cfg.AttemptsPerHour)}
		l.callers[idx] = b
	}
	b.seen = now
	l.sweep(now)
	return b.lim.AllowN(now, 1)
}

// sweep forgets callers not seen for an hour (their bucket is full again
// by then), at most once a minute, so the map does not grow without bound.
func (l *limiter) sweep(now time.Time) {
	if now.Sub(l.sweptAt) < time.Minute {
		return
	}
	l.sweptAt = now
	for k, b := range l.callers {
		if now.Sub(b.seen) > time.Hour {
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
