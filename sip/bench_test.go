package sip_test

import (
	"context"
	"sync/atomic"
	"testing"
	"time"

	mlsip "maskline/sip"
)

// BenchmarkCall measures whole calls over loopback UDP: INVITE, 180, 200,
// ACK and BYE on both legs, and the call record. The caller and callee
// run in the same process on sipgo, so they take a good share of the CPU:
// the figure is a floor for the broker alone.
func BenchmarkCall(b *testing.B) {
	e := newEnv(b, "udp", func(c *mlsip.Config) { c.RingTimeout = 30 * time.Second })
	go drainRecords(e)

	var failures atomic.Int64
	b.ReportAllocs()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if !benchCall(e) {
				failures.Add(1)
			}
		}
	})
	b.StopTimer()
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "calls/s")
	if n := failures.Load(); n > 0 {
		b.Errorf("%d of %d calls failed", n, b.N)
	}
}

func benchCall(e *env) bool {
	ctx, cancel := context.WithTimeout(context.Background(), waitFor)
	defer cancel()
	sess, _, failed, err := e.place(ctx, dialOpts{from: numA, to: xAXB})
	if err != nil || failed != 0 {
		return false
	}
	return sess.Bye(ctx) == nil
}

func drainRecords(e *env) {
	for range e.rec.ch {
	}
}
