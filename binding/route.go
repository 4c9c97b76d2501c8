package binding

import (
	"context"
	"errors"
	"fmt"

	"maskline/phone"
	"maskline/pool"
	"maskline/store"
)

// Route decides where a call to a virtual number goes. It returns a
// Decision naming the only number the outbound leg may dial, or a *Refused
// saying why not, or an error wrapping ErrUnavailable when the store is
// down. A binding past its expiry is refused even if the cron job has not
// yet moved it. Nothing in a refusal tells whether a real number exists.
func (s *Service) Route(ctx context.Context, req RouteRequest) (Decision, error) {
	d, err := s.route(ctx, req)
	switch r := RefusalReason(err); {
	case err == nil:
		routed.WithLabelValues(string(d.Mode), string(d.Direction)).Inc()
	case r != "":
		refused.WithLabelValues(string(r)).Inc()
	default:
		routeErrors.Inc()
	}
	return d, err
}

func (s *Service) route(ctx context.Context, req RouteRequest) (Decision, error) {
	rawX, ext := ParseDialled(req.Dialled)
	if req.Extension != "" {
		ext = req.Extension
	}
	x, err := phone.ParseVirtual(rawX, s.cfg.Region)
	if err != nil {
		return Decision{}, &Refused{Reason: NoBinding}
	}
	// An unparsable or withheld caller may still reach A through AXN or AXE
	// (anyone may call those); it can never be a party of AXB.
	caller, _ := phone.Parse(req.Caller, s.cfg.Region)
	callerIdx := s.keys.Index(caller.E164())

	if callerIdx != "" {
		bad, err := s.st.IsBlacklisted(ctx, callerIdx)
		if err != nil {
			return Decision{}, fmt.Errorf("route: %w", storeErr(err))
		}
		if bad {
			return Decision{}, &Refused{Reason: Blacklisted}
		}
	}
	if !s.lim.attempt(callerIdx, s.now()) {
		return Decision{}, &Refused{Reason: RateLimited}
	}

	num, err := s.st.GetNumber(ctx, x.E164())
	if errors.Is(err, store.ErrNotFound) {
		return Decision{}, &Refused{Reason: NoBinding}
	}
	if err != nil {
		return Decision{}, fmt.Errorf("route: %w", storeErr(err))
	}

	c := call{x: x, ext: ext, caller: caller, callerIdx: callerIdx}
	var d Decision
	switch Mode(num.Mode) {
	case AXB:
		d, err = s.routeAXB(ctx, c)
	case AXN:
		d, err = s.routeAXN(ctx, c)
	case AXE:
		d, err = s.routeAXE(ctx, c)
	default:
		return Decision{}, &Refused{Reason: NoBinding}
	}
	if err != nil {
		return Decision{}, err
	}
	if !s.lim.begin(d.BindingID) {
		return Decision{}, &Refused{Reason: RateLimited, BindingID: d.BindingID,
			TenantID: d.TenantID, Mode: d.Mode}
	}
	return d, nil
}

// Ended is told when a call that Route connected is over, so that the
// binding may carry another call.
func (s *Service) Ended(_ context.Context, d Decision) {
	if d.BindingID != "" {
		s.lim.end(d.BindingID)
	}
}

// call is what routing knows of one call.
type call struct {
	x         phone.Number
	ext       string
	caller    phone.Number
	callerIdx string
}

// lookup finds the binding that owns key on x. A missing key is refused
// with reason missing; an ended or expired binding with Expired.
func (s *Service) lookup(ctx context.Context, c call, key string, missing Reason) (
	*store.Binding, error) {
	b, err := s.st.KeyBinding(ctx, c.x.E164(), key)
	if errors.Is(err, store.ErrNotFound) {
		return nil, &Refused{Reason: missing}
	}
	if err != nil {
		return nil, fmt.Errorf("route: %w", storeErr(err))
	}
	if !b.Live(s.now()) {
		return nil, refusal(Expired, b)
	}
	return b, nil
}

func refusal(r Reason, b *store.Binding) *Refused {
	return &Refused{Reason: r, BindingID: b.ID, TenantID: b.TenantID, Mode: Mode(b.Mode)}
}

func (s *Service) routeAXB(ctx context.Context, c call) (Decision, error) {
	if c.callerIdx == "" {
		return Decision{}, &Refused{Reason: NotAllowed}
	}
	b, err := s.lookup(ctx, c, pool.PartyKey(c.callerIdx), NotAllowed)
	if err != nil {
		return Decision{}, err
	}

	fromA := b.AIndex == c.callerIdx
	if (fromA && b.CallRestrict == string(RestrictBOnly)) ||
		(!fromA && b.CallRestrict == string(RestrictAOnly)) {
		return Decision{}, refusal(NotAllowed, b)
	}
	if fromA {
		return s.decide(b, c, b.BSealed, AToPeer)
	}
	return s.decide(b, c, b.ASealed, PeerToA)
}

func (s *Service) routeAXN(ctx context.Context, c call) (Decision, error) {
	b, err := s.lookup(ctx, c, pool.WholeKey(), NoBinding)
	if err != nil {
		return Decision{}, err
	}

	fromA := c.callerIdx != "" && b.AIndex == c.callerIdx
	if (fromA && b.CallRestrict == string(RestrictBOnly)) ||
		(!fromA && b.CallRestrict == string(RestrictAOnly)) {
		return Decision{}, refusal(NotAllowed, b)
	}
	if fromA {
		if b.NSealed == "" {
			return Decision{}, refusal(NotAllowed, b)
		}
		return s.decide(b, c, b.NSealed, AToPeer)
	}
	return s.decide(b, c, b.ASealed, PeerToA)
}

func (s *Service) routeAXE(ctx context.Context, c call) (Decision, error) {
	if c.ext == "" {
		return s.callback(ctx, c)
	}
	if !validExtension(c.ext, s.cfg.ExtensionLength) {
		return Decision{}, &Refused{Reason: BadExtension}
	}
	b, err := s.lookup(ctx, c, pool.ExtensionKey(c.ext), BadExtension)
	if err != nil {
		return Decision{}, err
	}
	if b.CallRestrict == string(RestrictAOnly) {
		return Decision{}, refusal(NotAllowed, b)
	}
	d, err := s.decide(b, c, b.ASealed, PeerToA)
	d.Extension = c.ext
	return d, err
}

// callback routes A's call to X, dialled without an extension, to the last
// party who reached A through the binding within the callback window. Any
// other caller without an extension must enter one.
func (s *Service) callback(ctx context.Context, c call) (Decision, error) {
	if c.callerIdx == "" {
		return Decision{}, &Refused{Reason: NeedExt}
	}
	b, err := s.lookup(ctx, c, pool.PartyKey(c.callerIdx), NeedExt)
	if err != nil {
		return Decision{}, err
	}
	if b.CallRestrict == string(RestrictBOnly) || b.LastCaller == "" ||
		s.now().Sub(b.LastCallerAt) > s.cfg.CallbackWindow {
		return Decision{}, refusal(NotAllowed, b)
	}
	d, err := s.decide(b, c, b.LastCaller, Callback)
	d.Extension = b.Extension
	return d, err
}

func (s *Service) decide(b *store.Binding, c call, calleeSealed string, dir Direction) (
	Decision, error) {
	callee, err := s.open(calleeSealed)
	if err != nil {
		return Decision{}, fmt.Errorf("route: %w", err)
	}
	return Decision{
		BindingID: b.ID, TenantID: b.TenantID, Mode: Mode(b.Mode), X: c.x,
		Caller: c.caller, Callee: callee, Direction: dir, Record: b.Record, OutID: b.OutID,
	}, nil
}

// Reached notes that a routed call was answered. For AXE calls from a peer
// to A, the caller becomes the party A's callback reaches.
func (s *Service) Reached(ctx context.Context, d Decision) error {
	if d.Mode != AXE || d.Direction != PeerToA || d.Caller.IsZero() {
		return nil
	}
	err := s.st.SetLastCaller(ctx, d.BindingID, s.keys.Seal(d.Caller.E164()), s.now())
	if err != nil {
		return fmt.Errorf("note last caller: %w", storeErr(err))
	}
	return nil
}
