// Package pool manages the carrier's virtual numbers: importing and
// shielding them, reporting utilisation, and choosing a number for each new
// binding so that every routing key of the binding is free on it.
//
// The choice is made here; its correctness under concurrency is not. The
// store claims the number and its keys in one transaction and the database's
// primary key on (number, key) refuses a key that another node took first,
// in which case the allocator simply moves on to the next candidate.
package pool

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"maskline/store"
)

// Mode names as the pool stores them; they match package binding's modes.
const (
	ModeAXB = "AXB"
	ModeAXN = "AXN"
	ModeAXE = "AXE"
)

// ErrExhausted is matched by every ExhaustedError.
var ErrExhausted = errors.New("pool exhausted")

// ExhaustedError says no number in the requested area could take a binding.
type ExhaustedError struct {
	Area string
	Mode string
}

func (e *ExhaustedError) Error() string {
	area := e.Area
	if area == "" {
		area = "any"
	}
	return fmt.Sprintf("pool exhausted: no %s number free in area %s", e.Mode, area)
}

// Is makes errors.Is(err, ErrExhausted) hold.
func (e *ExhaustedError) Is(target error) bool { return target == ErrExhausted }

// Config holds the per-number caps.
type Config struct {
	MaxPairsPerNumber      int // AXB bindings on one number
	MaxExtensionsPerNumber int // AXE bindings on one number
	ExtensionLength        int // digits of an extension, 1 to 4
}

// DefaultConfig returns the caps of the product specification.
func DefaultConfig() Config {
	return Config{MaxPairsPerNumber: 200, MaxExtensionsPerNumber: 200, ExtensionLength: 4}
}

// Pool allocates and administers numbers. It is safe for concurrent use.
type Pool struct {
	st  store.Store
	cfg Config
	log *slog.Logger

	// dedicated caches, per tenant, whether it owns numbers, so that an
	// allocation does not ask the store every time.
	mu        sync.Mutex
	dedicated map[int64]dedicatedAt
}

type dedicatedAt struct {
	has bool
	at  time.Time
}

// dedicatedTTL is how long the answer of HasDedicated is reused: a number
// newly dedicated to a tenant is used for its bindings at most this late.
const dedicatedTTL = 30 * time.Second

// New returns a Pool over st. Caps out of range are clamped: the extension
// cap can never exceed the number of distinct extensions of the length.
func New(st store.Store, cfg Config, log *slog.Logger) *Pool {
	if cfg.ExtensionLength < 1 || cfg.ExtensionLength > 4 {
		cfg.ExtensionLength = 4
	}
	if max := extensionSpace(cfg.ExtensionLength); cfg.MaxExtensionsPerNumber > max ||
		cfg.MaxExtensionsPerNumber < 1 {
		cfg.MaxExtensionsPerNumber = max
	}
	if cfg.MaxPairsPerNumber < 1 {
		cfg.MaxPairsPerNumber = DefaultConfig().MaxPairsPerNumber
	}
	if log == nil {
		log = slog.Default()
	}
	return &Pool{st: st, cfg: cfg, log: log, dedicated: make(map[int64]dedicatedAt)}
}

// forgetDedicated drops the cache after this node changed the pool; other
// nodes catch up within dedicatedTTL.
func (p *Pool) forgetDedicated() {
	p.mu.Lock()
	clear(p.dedicated)
	p.mu.Unlock()
}

func (p *Pool) hasDedicated(ctx context.Context, tenantID int64) (bool, error) {
	p.mu.Lock()
	d, ok := p.dedicated[tenantID]
	p.mu.Unlock()
	if ok && time.Since(d.at) < dedicatedTTL {
		return d.has, nil
	}

	has, err := p.st.HasDedicated(ctx, tenantID)
	if err != nil {
		return false, err
	}
	p.mu.Lock()
	p.dedicated[tenantID] = dedicatedAt{has: has, at: time.Now()}
	p.mu.Unlock()
	return has, nil
}

// Config returns the caps in force.
func (p *Pool) Config() Config { return p.cfg }

// extensionSpace is how many extensions of n digits exist, leaving out the
// all-zero one: 10^n − 1.
func extensionSpace(n int) int {
	v := 1
	for range n {
		v *= 10
	}
	return v - 1
}

// Cap returns how many bindings of mode one number may hold.
func (p *Pool) Cap(mode string) int {
	switch mode {
	case ModeAXB:
		return p.cfg.MaxPairsPerNumber
	case ModeAXE:
		return p.cfg.MaxExtensionsPerNumber
	default:
		return 1
	}
}

// Request describes the binding a number is wanted for.
type Request struct {
	Mode     string
	TenantID int64
	AreaCode string   // "" accepts any area
	Loose    bool     // fall back to Fallback areas, then any area
	Fallback []string // the tenant's fallback areas, in order
	// Keys must all be free on the chosen number; the allocator adds the
	// mode's own keys (the whole-number key of AXN, the extension of AXE).
	Keys []string
}

// Key forms shared with the routing code in package binding.
const (
	keyWhole = "n"
)

// PartyKey is the routing key of a real number (by its blind index).
func PartyKey(index string) string { return "p:" + index }

// ExtensionKey is the routing key of an AXE extension.
func ExtensionKey(ext string) string { return "e:" + ext }

// WholeKey is the routing key by which an AXN binding owns its number.
func WholeKey() string { return keyWhole }

// Allocate chooses a number for b, fills in b.X (and b.Extension for AXE)
// and stores b with its keys. It returns an *ExhaustedError when no number
// in the allowed areas can take it.
func (p *Pool) Allocate(ctx context.Context, req Request, b *store.Binding) error {
	dedicated, err := p.hasDedicated(ctx, req.TenantID)
	if err != nil {
		return fmt.Errorf("allocate: %w", err)
	}

	for _, areas := range areaSteps(req) {
		ok, err := p.tryAreas(ctx, req, areas, dedicated, b)
		if err != nil || ok {
			return err
		}
	}

	allocExhausted.WithLabelValues(req.AreaCode, req.Mode).Inc()
	p.log.WarnContext(ctx, "pool exhausted", "area", req.AreaCode, "mode", req.Mode,
		"tenant", req.TenantID)
	return &ExhaustedError{Area: req.AreaCode, Mode: req.Mode}
}

// areaSteps lists the area sets to try in order; nil means any area.
func areaSteps(req Request) [][]string {
	if req.AreaCode == "" {
		return [][]string{nil}
	}
	steps := [][]string{{req.AreaCode}}
	if !req.Loose {
		return steps
	}
	for _, a := range req.Fallback {
		if a != req.AreaCode {
			steps = append(steps, []string{a})
		}
	}
	return append(steps, nil)
}

// candidateBatch is how many numbers one query proposes; extTries is how
// many random extensions are tried on one AXE number.
const (
	candidateBatch = 16
	extTries       = 8
)

func (p *Pool) tryAreas(ctx context.Context, req Request, areas []string, dedicated bool,
	b *store.Binding) (bool, error) {
	c := store.Candidates{
		Mode: req.Mode, Areas: areas, TenantID: req.TenantID, Dedicated: dedicated,
		Cap: p.Cap(req.Mode), Exclude: req.Keys, Limit: candidateBatch,
	}
	// Numbers already serving the mode first, so bindings pack onto as few
	// numbers as the keys allow; a free number only when none of them fits
	// or all are busy with concurrent allocations. Numbers found busy are
	// tried once more, waiting, before the area counts as exhausted.
	var busy []string
	for _, group := range []struct{ serving, free bool }{{true, false}, {false, true}} {
		c.ServingOnly, c.FreeOnly = group.serving, group.free
		ok, locked, err := p.tryGroup(ctx, req, c, b)
		if err != nil || ok {
			return ok, err
		}
		busy = append(busy, locked...)
	}
	for _, x := range busy {
		ok, err := p.waitFor(ctx, req, x, b)
		if err != nil || ok {
			return ok, err
		}
	}
	return false, nil
}

// tryGroup tries the candidates of one group without queueing behind
// concurrent allocations, asking again (a few times) when they took every
// candidate first. It returns the candidates it found held by concurrent
// allocations.
func (p *Pool) tryGroup(ctx context.Context, req Request, c store.Candidates,
	b *store.Binding) (ok bool, locked []string, err error) {
	for round := 0; round < 3; round++ {
		cands, err := p.st.FindCandidates(ctx, c)
		if err != nil {
			return false, nil, fmt.Errorf("allocate: %w", err)
		}
		if len(cands) == 0 {
			return false, nil, nil
		}

		// Spread simultaneous requests over the candidates instead of all
		// queueing on the first. Among free numbers this opens as many
		// numbers as there are allocations at once, no more.
		stagger(cands)
		ok, locked, err := p.tryCandidates(ctx, req, cands, b)
		if err != nil || ok || len(locked) > 0 {
			return ok, locked, err
		}
		allocRetries.Inc()
	}
	return false, nil, nil
}

// tryCandidates lets the store put b on the first candidate no concurrent
// allocation holds, dropping candidates that cannot take it, until one
// does or none is left.
func (p *Pool) tryCandidates(ctx context.Context, req Request, cands []string,
	b *store.Binding) (bool, []string, error) {
	conflicts := map[string]int{}
	for len(cands) > 0 {
		keys := p.keysFor(req, b)
		err := p.st.TryInsertBinding(ctx, b, cands, keys, p.Cap(req.Mode))
		switch {
		case err == nil:
			allocated.WithLabelValues(req.Mode).Inc()
			return true, nil, nil
		case errors.Is(err, store.ErrNumberLocked):
			allocSkips.Inc()
			b.X, b.Extension = "", ""
			return false, cands, nil
		case errors.Is(err, store.ErrConflict):
			// Another request took a key first; for AXE the extension, which
			// a fresh draw may avoid on the same number.
			allocConflicts.Inc()
			if conflicts[b.X]++; req.Mode == ModeAXE && conflicts[b.X] < extTries {
				continue
			}
		case errors.Is(err, store.ErrNumberBusy), errors.Is(err, store.ErrNotFound):
		default:
			b.X, b.Extension = "", ""
			return false, nil, fmt.Errorf("allocate on number: %w", err)
		}
		cands = slices.DeleteFunc(cands, func(x string) bool { return x == b.X })
	}
	b.X, b.Extension = "", ""
	return false, nil, nil
}

// keysFor returns the keys a binding of req needs on whatever number it
// gets: the party keys, plus the whole-number key of AXN or a freshly drawn
// extension of AXE (set in b.Extension).
func (p *Pool) keysFor(req Request, b *store.Binding) []string {
	keys := append([]string(nil), req.Keys...)
	b.Extension = ""
	switch req.Mode {
	case ModeAXN:
		keys = append(keys, WholeKey())
	case ModeAXE:
		b.Extension = p.randomExtension()
		keys = append(keys, ExtensionKey(b.Extension))
	}
	return keys
}

// stagger rotates the list of numbers already serving the mode by a random
// amount, so that simultaneous requests spread over them instead of all
// queueing on one number's row. Packing does not suffer: every candidate is
// a number in use already.
func stagger(cands []string) {
	if len(cands) < 2 {
		return
	}
	k := rand.IntN(len(cands))
	rotated := append(cands[k:len(cands):len(cands)], cands[:k]...)
	copy(cands, rotated)
}

// waitFor stores b on x, queueing behind concurrent allocations holding
// it: the last resort when every candidate was busy.
func (p *Pool) waitFor(ctx context.Context, req Request, x string, b *store.Binding) (bool,
	error) {
	tries := 1
	if req.Mode == ModeAXE {
		tries = extTries
	}
	for range tries {
		b.X = x
		err := p.st.InsertBinding(ctx, b, p.keysFor(req, b), p.Cap(req.Mode))
		switch {
		case err == nil:
			allocated.WithLabelValues(req.Mode).Inc()
			return true, nil
		case errors.Is(err, store.ErrConflict):
			allocConflicts.Inc()
			continue
		case errors.Is(err, store.ErrNumberBusy), errors.Is(err, store.ErrNotFound):
		default:
			b.X, b.Extension = "", ""
			return false, fmt.Errorf("allocate on number: %w", err)
		}
		break
	}
	b.X, b.Extension = "", ""
	return false, nil
}

func (p *Pool) randomExtension() string {
	n := 1 + rand.IntN(extensionSpace(p.cfg.ExtensionLength))
	s := strconv.Itoa(n)
	return strings.Repeat("0", p.cfg.ExtensionLength-len(s)) + s
}
