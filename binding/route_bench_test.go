package binding_test

import (
	"fmt"
	"slices"
	"testing"
	"time"

	"maskline/binding"
	"maskline/pool"
	"maskline/store"
	"maskline/store/storetest"
)

// BenchmarkRoute measures the routing decision of a call — the lookup on
// the signalling path — with p50 and p99 over all iterations, on a store
// holding a few thousand live bindings.
func BenchmarkRoute(b *testing.B) {
	stores := map[string]func(testing.TB) *store.DB{
		"sqlite": func(tb testing.TB) *store.DB { return storetest.SQLite(tb) },
		"mysql":  func(tb testing.TB) *store.DB { return storetest.MySQL(tb) },
	}
	for _, name := range []string{"sqlite", "mysql"} {
		b.Run(name, func(b *testing.B) {
			// Limits off: the benchmark calls from the same numbers often.
			cfg := binding.DefaultConfig()
			cfg.Limits = binding.Limits{}
			f := newFixtureConfig(b, stores[name](b), pool.DefaultConfig(), cfg)
			f.addNumbers(b, "010", 100, 100)
			var calls []binding.RouteRequest
			for i := range 2000 {
				a, peer := fmt.Sprintf("1391%07d", i%50), fmt.Sprintf("1380%07d", i)
				bd, err := f.svc.Create(ctx, f.tenant, binding.CreateRequest{
					Mode: binding.AXB, A: a, B: peer, TTLSeconds: 86400, AreaCode: "010"})
				if err != nil {
					b.Fatal(err)
				}
				calls = append(calls, binding.RouteRequest{Caller: peer,
					Dialled: bd.X.National()})
			}

			lat := make([]time.Duration, 0, b.N)
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				start := time.Now()
				d, err := f.svc.Route(ctx, calls[i%len(calls)])
				if err != nil {
					b.Fatal(err)
				}
				lat = append(lat, time.Since(start))
				f.svc.Ended(ctx, d)
			}
			b.StopTimer()
			reportPercentiles(b, lat)
		})
	}
}

// reportPercentiles adds p50 and p99 in microseconds to the benchmark.
func reportPercentiles(b *testing.B, lat []time.Duration) {
	if len(lat) == 0 {
		return
	}
	slices.Sort(lat)
	p := func(q float64) float64 {
		return float64(lat[int(q*float64(len(lat)-1))].Microseconds())
	}
	b.ReportMetric(p(0.50), "p50-µs")
	b.ReportMetric(p(0.99), "p99-µs")
}
