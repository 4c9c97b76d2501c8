package binding_test

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"maskline/binding"
	"maskline/pool"
	"maskline/store"
	"maskline/store/storetest"
)

// courierWorkload is a synthetic AXB day: a few couriers with many parcels
// each, many recipients with one to three. It returns the requests and Δ,
// the largest number of bindings any one real number is in — the least
// number of virtual numbers any allocator could use.
func courierWorkload(couriers, parcels int, seed uint64) ([]binding.CreateRequest, int) {
	r := rand.New(rand.NewPCG(seed, 1))
	degree := map[string]int{}
	seen := map[[2]string]bool{}
	var reqs []binding.CreateRequest
	recipients := couriers * parcels / 2

	for c := range couriers {
		a := fmt.Sprintf("1391%07d", c)
		for range parcels {
			b := fmt.Sprintf("1380%07d", r.IntN(recipients))
			if seen[[2]string{a, b}] {
				continue
			}
			seen[[2]string{a, b}] = true
			degree[a]++
			degree[b]++
			reqs = append(reqs, binding.CreateRequest{Mode: binding.AXB, A: a, B: b,
				TTLSeconds: 86400, AreaCode: "010"})
		}
	}
	r.Shuffle(len(reqs), func(i, j int) { reqs[i], reqs[j] = reqs[j], reqs[i] })

	delta := 0
	for _, d := range degree {
		delta = max(delta, d)
	}
	return reqs, delta
}

// packAll creates every request on a pool of ample size and returns how
// many distinct virtual numbers the bindings use.
func packAll(tb testing.TB, st *store.DB, reqs []binding.CreateRequest, delta int) int {
	tb.Helper()
	f := newFixture(tb, st, pool.DefaultConfig())
	f.addNumbers(tb, "010", 3*delta, 1000)

	used := map[string]bool{}
	for _, req := range reqs {
		b, err := f.svc.Create(ctx, f.tenant, req)
		if err != nil {
			tb.Fatalf("create: %v", err)
		}
		used[b.X.E164()] = true
	}
	return len(used)
}

// TestPackingNearDelta checks the allocator against the bounds of edge
// colouring: it can never use fewer numbers than Δ, and a sound greedy
// packer never needs more than 2Δ − 1. The figure itself is reported by
// BenchmarkPacking.
func TestPackingNearDelta(t *testing.T) {
	reqs, delta := courierWorkload(8, 40, 7)
	used := packAll(t, storetest.SQLite(t), reqs, delta)

	t.Logf("%d bindings, Δ = %d, numbers used = %d", len(reqs), delta, used)
	if used < delta || used > 2*delta-1 {
		t.Fatalf("allocator used %d numbers for Δ = %d; want between Δ and 2Δ−1", used, delta)
	}
}

// BenchmarkPacking reports numbers used per Δ on the courier workload, and
// the cost of one allocation on SQLite.
func BenchmarkPacking(b *testing.B) {
	for _, size := range []struct{ couriers, parcels int }{{8, 40}, {20, 100}} {
		name := fmt.Sprintf("couriers=%d/parcels=%d", size.couriers, size.parcels)
		b.Run(name, func(b *testing.B) {
			var used, delta, n int
			for i := 0; i < b.N; i++ {
				reqs, d := courierWorkload(size.couriers, size.parcels, uint64(i))
				used, delta, n = packAll(b, storetest.SQLite(b), reqs, d), d, len(reqs)
			}
			b.ReportMetric(float64(used)/float64(delta), "numbers/Δ")
			b.ReportMetric(float64(delta), "Δ")
			b.ReportMetric(float64(n), "bindings")
		})
	}
}
