package binding

import (
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promauto"
)

var (
	created = promauto.NewCounterVec(prometheus.CounterOpts{
		Name: "maskline_bindings_created_total",
		Help: "Bindings created, by mode.",
	}, []string{"mode"})
	ended = promauto.NewCounterVec(prometheus.CounterOpts{
		Name: "maskline_bindings_ended_total",
		Help: "Bindings ended, by how (expired, unbound).",
	}, []string{"state"})
	released = promauto.NewCounter(prometheus.CounterOpts{
		Name: "maskline_bindings_released_total",
		Help: "Ended bindings whose keys left cool-down and were freed.",
	})
	routed = promauto.NewCounterVec(prometheus.CounterOpts{
		Name: "maskline_route_decisions_total",
		Help: "Calls routed to a real number, by mode and direction.",
	}, []string{"mode", "direction"})
	refused = promauto.NewCounterVec(prometheus.CounterOpts{
		Name: "maskline_route_refusals_total",
		Help: "Calls refused by routing, by reason.",
	}, []string{"reason"})
	routeErrors = promauto.NewCounter(prometheus.CounterOpts{
		Name: "maskline_route_errors_total",
		Help: "Routing lookups that failed (store unavailable or internal error).",
	})
	sweepRuns = promauto.NewCounterVec(prometheus.CounterOpts{
		Name: "maskline_lifecycle_runs_total",
		Help: "Runs of the lifecycle jobs, by job and result.",
	}, []string{"job", "result"})
)
