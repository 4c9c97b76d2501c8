package pool

import (
	"context"
	"errors"
	"fmt"

	"maskline/store"
)

// State changes an admin may ask for.
const (
	ActionLock   = "lock"
	ActionUnlock = "unlock"
	ActionRetire = "retire"
)

// ErrBadAction is returned for a state change other than lock, unlock or
// retire.
var ErrBadAction = errors.New("unknown number action")

// SetState locks, unlocks or retires number x (E.164). Retiring a number
// that still holds live or cooling-down bindings is store.ErrConflict.
func (p *Pool) SetState(ctx context.Context, x, action string) (*store.Number, error) {
	var state string
	switch action {
	case ActionLock:
		state = store.NumberLocked
	case ActionUnlock:
		state = store.NumberAvailable
	case ActionRetire:
		state = store.NumberRetired
	default:
		return nil, ErrBadAction
	}

	n, err := p.st.SetNumberState(ctx, x, state)
	p.forgetDedicated()
	if err != nil {
		return nil, fmt.Errorf("%s number: %w", action, err)
	}
	p.log.InfoContext(ctx, "number state changed", "x", x, "state", state)
	return n, nil
}

// List returns numbers matching f, in order of X.
func (p *Pool) List(ctx context.Context, f store.NumberFilter) ([]store.Number, error) {
	if f.Limit <= 0 || f.Limit > 1000 {
		f.Limit = 1000
	}
	ns, err := p.st.ListNumbers(ctx, f)
	if err != nil {
		return nil, fmt.Errorf("list numbers: %w", err)
	}
	return ns, nil
}

// AreaStats is the utilisation of one area.
type AreaStats struct {
	AreaCode       string  `json:"area_code"`
	Numbers        int     `json:"numbers"`
	Available      int     `json:"available"`
	Locked         int     `json:"locked"`
	Retired        int     `json:"retired"`
	Free           int     `json:"free"` // available, serving no mode
	AXBNumbers     int     `json:"axb_numbers"`
	AXNNumbers     int     `json:"axn_numbers"`
	AXENumbers     int     `json:"axe_numbers"`
	LiveBindings   int     `json:"live_bindings"`
	FreePairs      int     `json:"free_axb_pairs"`
	FreeExtensions int     `json:"free_extensions"`
	Utilisation    float64 `json:"utilisation"` // share of available numbers in use
}

// Stats reports utilisation per area. Free pairs and extensions count the
// room left on numbers serving that mode plus the room of free numbers.
func (p *Pool) Stats(ctx context.Context) ([]AreaStats, error) {
	raw, err := p.st.PoolStats(ctx)
	if err != nil {
		return nil, fmt.Errorf("pool stats: %w", err)
	}

	out := make([]AreaStats, 0, len(raw))
	for _, r := range raw {
		s := AreaStats{
			AreaCode: r.AreaCode, Numbers: r.Numbers, Available: r.Available,
			Locked: r.Locked, Retired: r.Retired, Free: r.Free,
			AXBNumbers: r.ModeNumbers[ModeAXB], AXNNumbers: r.ModeNumbers[ModeAXN],
			AXENumbers: r.ModeNumbers[ModeAXE], LiveBindings: r.LiveBindings,
		}
		s.FreePairs = max(0, (s.AXBNumbers+s.Free)*p.cfg.MaxPairsPerNumber-
			r.ModeBindings[ModeAXB])
		s.FreeExtensions = max(0, (s.AXENumbers+s.Free)*p.cfg.MaxExtensionsPerNumber-
			r.ModeBindings[ModeAXE])
		if r.Available > 0 {
			s.Utilisation = float64(r.Available-r.Free) / float64(r.Available)
		}
		out = append(out, s)
	}
	return out, nil
}
