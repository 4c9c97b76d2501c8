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
	c := call{x: x, ext: ext, caller: caller, callerIdx: s.keys.Index(caller.E164())}

	if err := s.admit(ctx, c.callerIdx); err != nil {
		return Decision{}, err
	}

	// One query asks for every key the call could match; the binding that
	// answers tells the mode of X.
	found, err := s.st.KeyBindings(ctx, x.E164(), s.callKeys(c))
	if err != nil {
		return Decision{}, fmt.Errorf("route: %w", storeErr(err))
	}
	mode, err := s.modeOf(ctx, c, found)
	if err != nil {
		return Decision{}, err
	}

	var d Decision
	switch mode {
	case AXB:
		d, err = s.routeAXB(c, found)
	case AXN:
		d, err = s.routeAXN(c, found)
	case AXE:
		d, err = s.routeAXE(c, found)
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

// admit refuses blacklisted callers and callers over their attempts.
func (s *Service) admit(ctx context.Context, callerIdx string) error {
	if callerIdx != "" {
		bad, err := s.blacklisted(ctx, callerIdx)
		if err != nil {
			return fmt.Errorf("route: %w", storeErr(err))
		}
		if bad {
			return &Refused{Reason: Blacklisted}
		}
	}
	if !s.lim.attempt(callerIdx, s.now()) {
		return &Refused{Reason: RateLimited}
	}
	return nil
}

// callKeys lists the keys a call may match on X: the caller as a party
// (AXB, or A's AXE callback), the whole number (AXN), and the extension
// (AXE).
func (s *Service) callKeys(c call) []string {
	keys := []string{pool.WholeKey()}
	if c.callerIdx != "" {
		keys = append(keys, pool.PartyKey(c.callerIdx))
	}
	if validExtension(c.ext, s.cfg.ExtensionLength) {
		keys = append(keys, pool.ExtensionKey(c.ext))
	}
	return keys
}

// modeOf is the mode of X: that of any binding found, or, when none
// matched, the number's own (one more query, on refused calls only).
func (s *Service) modeOf(ctx context.Context, c call, found map[string]*store.Binding) (Mode,
	error) {
	for _, b := range found {
		return Mode(b.Mode), nil
	}
	num, err := s.st.GetNumber(ctx, c.x.E164())
	if errors.Is(err, store.ErrNotFound) {
		return "", &Refused{Reason: NoBinding}
	}
	if err != nil {
		return "", fmt.Errorf("route: %w", storeErr(err))
	}
	return Mode(num.Mode), nil
}

// call is what routing knows of one call.
type call struct {
	x         phone.Number
	ext       string
	caller    phone.Number
	callerIdx string
}

// pick returns the live binding that owns key, or refuses the call: with
// reason missing when no binding holds the key, Expired when it has ended.
func (s *Service) pick(found map[string]*store.Binding, key string, missing Reason) (
	*store.Binding, error) {
	b, ok := found[key]
	if !ok {
		return nil, &Refused{Reason: missing}
	}
	if !b.Live(s.now()) {
		return nil, refusal(Expired, b)
	}
	return b, nil
}

func refusal(r Reason, b *store.Binding) *Refused {
	return &Refused{Reason: r, BindingID: b.ID, TenantID: b.TenantID, Mode: Mode(b.Mode)}
}

func (s *Service) routeAXB(c call, found map[string]*store.Binding) (Decision, error) {
	if c.callerIdx == "" {
		return Decision{}, &Refused{Reason: NotAllowed}
	}
	b, err := s.pick(found, pool.PartyKey(c.callerIdx), NotAllowed)
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

func (s *Service) routeAXN(c call, found map[string]*store.Binding) (Decision, error) {
	b, err := s.pick(found, pool.WholeKey(), NoBinding)
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

func (s *Service) routeAXE(c call, found map[string]*store.Binding) (Decision, error) {
	if c.ext == "" {
		return s.callback(c, found)
	}
	if !validExtension(c.ext, s.cfg.ExtensionLength) {
		return Decision{}, &Refused{Reason: BadExtension}
	}
	b, err := s.pick(found, pool.ExtensionKey(c.ext), BadExtension)
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
func (s *Service) callback(c call, found map[string]*store.Binding) (Decision, error) {
	if c.callerIdx == "" {
		return Decision{}, &Refused{Reason: NeedExt}
	}
	b, err := s.pick(found, pool.PartyKey(c.callerIdx), NeedExt)
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

// Ended is told when a call that Route connected is over, so that the
// binding may carry another call.
func (s *Service) Ended(_ context.Context, d Decision) {
	if d.BindingID != "" {
		s.lim.end(d.BindingID)
	}
}
