package store_test

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"maskline/store"
	"maskline/store/storetest"
)

// benchStores opens each dialect's store for a sub-benchmark.
var benchStores = []struct {
	name string
	open func(testing.TB) *store.DB
}{
	{"sqlite", storetest.SQLite},
	{"mysql", storetest.MySQL},
}

// latencies records the duration of every operation and reports the
// median and the 99th percentile beside ns/op.
type latencies []time.Duration

func (l *latencies) time(start time.Time) { *l = append(*l, time.Since(start)) }

func (l latencies) report(b *testing.B) {
	if len(l) == 0 {
		return
	}
	slices.Sort(l)
	b.ReportMetric(float64(l[len(l)/2].Nanoseconds()), "p50-ns/op")
	b.ReportMetric(float64(l[len(l)*99/100].Nanoseconds()), "p99-ns/op")
}

// benchPool fills a store with AXB bindings spread over 50
// numbers and returns the number and key of each binding.
func benchPool(b *testing.B, s *store.DB, bindings int) (xs, keys []string) {
	b.Helper()
	ctx := context.Background()
	numbers := make([]store.Number, 50)
	for i := range numbers {
		numbers[i] = store.Number{X: fmt.Sprintf("+86170%08d", i), AreaCode: "0755"}
	}
	if _, _, err := s.InsertNumbers(ctx, numbers); err != nil {
		b.Fatal(err)
	}

	for i := range bindings {
		x := numbers[i%len(numbers)].X
		bd := binding(fmt.Sprintf("seed%d", i), "AXB", x)
		key := fmt.Sprintf("p:%032x", i)
		if err := s.InsertBinding(ctx, bd, []string{key, key + "b"}, 1<<30); err != nil {
			b.Fatal(err)
		}
		xs, keys = append(xs, x), append(keys, key)
	}
	return xs, keys
}

// BenchmarkKeyBinding measures the routing lookup of the call path.
func BenchmarkKeyBinding(b *testing.B) {
	for _, st := range benchStores {
		b.Run(st.name, func(b *testing.B) {
			s := st.open(b)
			xs, keys := benchPool(b, s, 2000)
			ctx := context.Background()
			var lat latencies

			i := 0
			for b.Loop() {
				start := time.Now()
				if _, err := s.KeyBinding(ctx, xs[i%len(xs)], keys[i%len(keys)]); err != nil {
					b.Fatal(err)
				}
				lat.time(start)
				i = (i + 7919) % len(keys) // a prime stride hops across numbers
			}
			lat.report(b)
		})
	}
}

// BenchmarkInsertBinding measures storing a new AXB binding with its two
// keys, the allocation's write.
func BenchmarkInsertBinding(b *testing.B) {
	for _, st := range benchStores {
		b.Run(st.name, func(b *testing.B) {
			s := st.open(b)
			xs, _ := benchPool(b, s, 500)
			ctx := context.Background()
			var lat latencies

			i := 0
			for b.Loop() {
				bd := binding(fmt.Sprintf("bench%d", i), "AXB", xs[i%len(xs)])
				keys := []string{fmt.Sprintf("p:a%031x", i), fmt.Sprintf("p:b%031x", i)}
				start := time.Now()
				if err := s.InsertBinding(ctx, bd, keys, 1<<30); err != nil {
					b.Fatal(err)
				}
				lat.time(start)
				i++
			}
			lat.report(b)
		})
	}
}
