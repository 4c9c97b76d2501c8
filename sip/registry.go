package sip

import (
	"errors"
	"sync"
)

var (
	errDraining  = errors.New("draining: no new calls")
	errDuplicate = errors.New("call already in progress")
)

// dialogKey names leg A of a call: the caller's Call-ID and From tag.
type dialogKey struct {
	callID string
	tag    string
}

// registry holds the calls in flight. Leg A is found by the caller's
// Call-ID and From tag, leg B by the Call-ID the broker made up for it.
type registry struct {
	mu       sync.RWMutex
	byA      map[dialogKey]*call
	byB      map[string]*call
	draining bool
	idle     []chan struct{}
}

func newRegistry() *registry {
	return &registry{
		byA: make(map[dialogKey]*call),
		byB: make(map[string]*call),
	}
}

// add registers c under both legs. It fails once draining has begun, so a
// call cannot slip in after Drain saw the registry empty.
func (r *registry) add(c *call) error {
	r.mu.Lock()
	defer r.mu.Unlock()

	if r.draining {
		return errDraining
	}
	if _, ok := r.byA[c.aKey]; ok {
		return errDuplicate
	}
	r.byA[c.aKey] = c
	r.byB[c.b.callID] = c
	metricInFlight.Inc()
	return nil
}

// remove forgets c; it reports whether c was still registered.
func (r *registry) remove(c *call) bool {
	r.mu.Lock()
	defer r.mu.Unlock()

	if r.byA[c.aKey] != c {
		return false
	}
	delete(r.byA, c.aKey)
	delete(r.byB, c.b.callID)
	metricInFlight.Dec()

	if len(r.byA) == 0 {
		for _, ch := range r.idle {
			close(ch)
		}
		r.idle = nil
	}
	return true
}

func (r *registry) fromA(callID, tag string) *call {
	r.mu.RLock()
	defer r.mu.RUnlock()
	return r.byA[dialogKey{callID: callID, tag: tag}]
}

func (r *registry) fromB(callID string) *call {
	r.mu.RLock()
	defer r.mu.RUnlock()
	return r.byB[callID]
}

func (r *registry) count() int {
	r.mu.RLock()
	defer r.mu.RUnlock()
	return len(r.byA)
}

// drain refuses new calls from now on and returns a channel closed once no
// call is left.
func (r *registry) drain() <-chan struct{} {
	r.mu.Lock()
	defer r.mu.Unlock()

	r.draining = true
	ch := make(chan struct{})
	if len(r.byA) == 0 {
		close(ch)
		return ch
	}
	r.idle = append(r.idle, ch)
	return ch
}

func (r *registry) snapshot() []*call {
	r.mu.RLock()
	defer r.mu.RUnlock()

	out := make([]*call, 0, len(r.byA))
	for _, c := range r.byA {
		out = append(out, c)
	}
	return out
}
