package pool

import (
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promauto"
)

var (
	allocated = promauto.NewCounterVec(prometheus.CounterOpts{
		Name: "maskline_pool_allocations_total",
		Help: "Bindings given a number, by mode.",
	}, []string{"mode"})
	allocExhausted = promauto.NewCounterVec(prometheus.CounterOpts{
		Name: "maskline_pool_exhausted_total",
		Help: "Allocations that found no free number, by area asked for and mode.",
	}, []string{"area", "mode"})
	allocConflicts = promauto.NewCounter(prometheus.CounterOpts{
		Name: "maskline_pool_key_conflicts_total",
		Help: "Allocation attempts whose key another request took first.",
	})
	allocSkips = promauto.NewCounter(prometheus.CounterOpts{
		Name: "maskline_pool_locked_skips_total",
		Help: "Numbers passed over because a concurrent allocation held them.",
	})
	allocRetries = promauto.NewCounter(prometheus.CounterOpts{
		Name: "maskline_pool_candidate_rounds_total",
		Help: "Candidate lists used up by concurrent requests and asked for again.",
	})
)
