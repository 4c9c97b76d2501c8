package sip

import (
	"context"
	"time"
)

// finish writes the call record, forgets the call and counts it. It runs
// once per call, as the last thing the call does.
func (c *call) finish(rel release) {
	now := time.Now()
	r := &c.rec
	r.EndAt = now
	// Both round up, so billsec never exceeds duration_s.
	r.DurationS = int((now.Sub(r.InviteAt) + time.Second - 1) / time.Second)
	if !r.AnswerAt.IsZero() {
		r.BillSec = int((now.Sub(r.AnswerAt) + time.Second - 1) / time.Second)
	}
	r.ReleaseSide, r.ReleaseCode, r.ReleaseQ850 = rel.side, rel.code, rel.q850
	r.UnconnectedReason = rel.reason

	c.mu.Lock()
	c.state = stEnded
	c.mu.Unlock()

	countOutcome(rel.reason)
	c.debug("call ended", "side", rel.side, "code", rel.code,
		"reason", rel.reason, "billsec", r.BillSec)

	// The record goes before the call leaves the registry, so that Drain
	// returns only once every record was handed over.
	ctx, cancel := context.WithTimeout(context.Background(), recordTimeout)
	defer cancel()
	if err := c.srv.rec.Record(ctx, r); err != nil {
		c.logger().Error("record call", errAttr(err))
	}
	if c.dec.BindingID != "" {
		c.srv.router.Ended(ctx, c.dec)
	}
	c.srv.calls.remove(c)
}
