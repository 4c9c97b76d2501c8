package binding

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"maskline/pool"
	"maskline/store"
)

// load returns binding id if tenantID may see it. Another tenant's binding
// is ErrNotFound, so its existence is not revealed. tenantID 0 (an admin)
// sees every binding.
func (s *Service) load(ctx context.Context, tenantID int64, id string) (*store.Binding, error) {
	if id == "" || len(id) > 40 {
		return nil, ErrNotFound
	}
	b, err := s.st.GetBinding(ctx, id)
	if err != nil {
		return nil, fmt.Errorf("get binding: %w", storeErr(err))
	}
	if tenantID != 0 && b.TenantID != tenantID {
		return nil, ErrNotFound
	}
	return b, nil
}

// Get returns binding id of tenantID (0: any tenant).
func (s *Service) Get(ctx context.Context, tenantID int64, id string) (*Binding, error) {
	b, err := s.load(ctx, tenantID, id)
	if err != nil {
		return nil, err
	}
	return s.view(b)
}

// ByOutID returns the tenant's bindings of waybill outID, newest first.
func (s *Service) ByOutID(ctx context.Context, tenantID int64, outID string) ([]Binding, error) {
	if outID == "" || len(outID) > 4*maxOutID {
		return nil, invalid("out_id", "required, at most %d characters", maxOutID)
	}
	rows, err := s.st.BindingsByOutID(ctx, tenantID, outID)
	if err != nil {
		return nil, fmt.Errorf("bindings by waybill: %w", storeErr(err))
	}

	out := make([]Binding, 0, len(rows))
	for i := range rows {
		v, err := s.view(&rows[i])
		if err != nil {
			return nil, err
		}
		out = append(out, *v)
	}
	return out, nil
}

// Update applies p to binding id. Changing B keeps X (it is printed on the
// label), so it fails with ErrConflict when the new B already has a
// binding on X.
func (s *Service) Update(ctx context.Context, tenantID int64, id string, p Patch) (*Binding,
	error) {
	b, err := s.load(ctx, tenantID, id)
	if err != nil {
		return nil, err
	}
	if s.state(b) == store.BindingExpired || s.state(b) == store.BindingUnbound {
		return nil, fmt.Errorf("%w: binding has ended", ErrConflict)
	}

	oldKey, newKey, err := s.applyPatch(b, p)
	if err != nil {
		return nil, err
	}
	if err := s.st.UpdateBinding(ctx, b, oldKey, newKey); err != nil {
		return nil, fmt.Errorf("update binding: %w", storeErr(err))
	}
	s.log.InfoContext(ctx, "binding updated", "binding", b.ID, "tenant", b.TenantID)
	return s.view(b)
}

func (s *Service) applyPatch(b *store.Binding, p Patch) (oldKey, newKey string, err error) {
	if p.B != nil {
		if oldKey, newKey, err = s.patchB(b, *p.B); err != nil {
			return "", "", err
		}
	}
	if p.ExpiresAt != nil {
		at, err := s.checkExpiry(*p.ExpiresAt, s.now())
		if err != nil {
			return "", "", err
		}
		b.ExpiresAt = at
	}
	if p.Record != nil {
		b.Record = *p.Record
	}
	if p.CallRestrict != nil {
		r, err := restriction(*p.CallRestrict)
		if err != nil {
			return "", "", err
		}
		b.CallRestrict = string(r)
	}
	return oldKey, newKey, nil
}

func (s *Service) patchB(b *store.Binding, raw string) (oldKey, newKey string, err error) {
	if Mode(b.Mode) != AXB {
		return "", "", invalid("b", "only for AXB")
	}
	if strings.TrimSpace(raw) == "" {
		return "", "", invalid("b", "required")
	}
	nb, err := s.parse("b", raw)
	if err != nil {
		return "", "", err
	}
	sealed, idx := s.seal(nb)
	if idx == b.AIndex {
		return "", "", invalid("b", "must differ from a")
	}
	if idx == b.BIndex {
		return "", "", nil
	}
	oldKey, newKey = pool.PartyKey(b.BIndex), pool.PartyKey(idx)
	b.BSealed, b.BIndex = sealed, idx
	return oldKey, newKey, nil
}

// Delivered starts the grace period: expiry becomes now + grace (the
// tenant's, or the default) unless the binding already ends sooner.
// Marking a delivered binding again changes nothing.
func (s *Service) Delivered(ctx context.Context, t *store.Tenant, id string) (*Binding, error) {
	b, err := s.load(ctx, t.ID, id)
	if err != nil {
		return nil, err
	}
	switch s.state(b) {
	case store.BindingDelivered:
		return s.view(b)
	case store.BindingExpired, store.BindingUnbound:
		return nil, fmt.Errorf("%w: binding has ended", ErrConflict)
	}

	grace := s.cfg.Grace
	if t.GraceSeconds > 0 {
		grace = time.Duration(t.GraceSeconds) * time.Second
	}
	if end := s.now().Add(grace).Truncate(time.Millisecond); end.Before(b.ExpiresAt) {
		b.ExpiresAt = end
	}
	b.State = store.BindingDelivered
	if err := s.st.UpdateBinding(ctx, b, "", ""); err != nil {
		return nil, fmt.Errorf("mark delivered: %w", storeErr(err))
	}
	s.log.InfoContext(ctx, "binding delivered", "binding", b.ID, "expires_at", b.ExpiresAt)
	return s.view(b)
}

// Unbind ends binding id now; its keys stay in cool-down. Calls in
// progress are not cut. Unbinding an ended binding is a no-op.
func (s *Service) Unbind(ctx context.Context, tenantID int64, id string) error {
	b, err := s.load(ctx, tenantID, id)
	if err != nil {
		return err
	}
	now := s.now()
	err = s.st.EndBinding(ctx, b.ID, store.BindingUnbound, now, now.Add(s.cfg.Cooldown))
	if errors.Is(err, store.ErrConflict) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("unbind: %w", storeErr(err))
	}
	ended.WithLabelValues(store.BindingUnbound).Inc()
	s.log.InfoContext(ctx, "binding unbound", "binding", b.ID, "tenant", b.TenantID)
	return nil
}

// Actor is who asks for a privileged action, for the audit record.
type Actor struct {
	KeyID    int64
	TenantID int64 // 0 for an admin
}

// Reveal returns binding id with its real numbers and writes an audit
// record naming the actor and the reason. The caller checks the scope.
func (s *Service) Reveal(ctx context.Context, who Actor, id, reason string) (*Binding, error) {
	reason = strings.TrimSpace(reason)
	if reason == "" || len(reason) > 500 {
		return nil, invalid("reason", "required, at most 500 characters")
	}
	b, err := s.load(ctx, who.TenantID, id)
	if err != nil {
		return nil, err
	}

	a := &store.Audit{At: s.now(), KeyID: who.KeyID, TenantID: b.TenantID, BindingID: b.ID,
		Action: "reveal", Reason: reason}
	if err := s.st.InsertAudit(ctx, a); err != nil {
		return nil, fmt.Errorf("audit reveal: %w", storeErr(err))
	}
	s.log.WarnContext(ctx, "real numbers revealed", "binding", b.ID, "key", who.KeyID)
	return s.view(b)
}

// Audit returns the audit records of binding id.
func (s *Service) Audit(ctx context.Context, tenantID int64, id string) ([]store.Audit, error) {
	if _, err := s.load(ctx, tenantID, id); err != nil {
		return nil, err
	}
	recs, err := s.st.ListAudit(ctx, id)
	if err != nil {
		return nil, fmt.Errorf("list audit: %w", storeErr(err))
	}
	return recs, nil
}

// Blacklist refuses every call from number from now on.
func (s *Service) Blacklist(ctx context.Context, number, note string) error {
	n, err := s.parse("number", number)
	if err != nil {
		return err
	}
	idx := s.keys.Index(n.E164())
	if err := s.st.AddBlacklist(ctx, idx, note); err != nil {
		return fmt.Errorf("blacklist: %w", storeErr(err))
	}
	s.lim.rememberBlacklist(idx, true, s.now())
	s.log.InfoContext(ctx, "caller blacklisted", "number", n)
	return nil
}

// Unblacklist lets number call again.
func (s *Service) Unblacklist(ctx context.Context, number string) error {
	n, err := s.parse("number", number)
	if err != nil {
		return err
	}
	idx := s.keys.Index(n.E164())
	if err := s.st.RemoveBlacklist(ctx, idx); err != nil {
		return fmt.Errorf("unblacklist: %w", storeErr(err))
	}
	s.lim.rememberBlacklist(idx, false, s.now())
	return nil
}
