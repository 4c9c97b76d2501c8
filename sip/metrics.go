package sip

import (
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promauto"
)

// Metrics of the SIP server, on the default registry. No label carries a
// number.
var (
	metricInFlight = promauto.NewGauge(prometheus.GaugeOpts{
		Name: "maskline_sip_calls_in_flight",
		Help: "Calls between INVITE and their end.",
	})

	metricInvites = promauto.NewCounter(prometheus.CounterOpts{
		Name: "maskline_sip_invites_total",
		Help: "Initial INVITEs received from trusted sources.",
	})

	metricCalls = promauto.NewCounterVec(prometheus.CounterOpts{
		Name: "maskline_sip_calls_total",
		Help: "Calls that reached routing, by outcome: answered or the " +
			"unconnected reason of the call record.",
	}, []string{"outcome"})

	metricRejected = promauto.NewCounterVec(prometheus.CounterOpts{
		Name: "maskline_sip_requests_rejected_total",
		Help: "Requests refused before routing: untrusted source, " +
			"malformed, or draining.",
	}, []string{"reason"})

	metricSetup = promauto.NewHistogramVec(prometheus.HistogramOpts{
		Name: "maskline_sip_setup_seconds",
		Help: "Time from the caller's INVITE to the first provisional " +
			"response of leg B (stage=provisional) and to the answer " +
			"(stage=answer).",
		Buckets: []float64{.002, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30, 60},
	}, []string{"stage"})

	setupProvisional = metricSetup.WithLabelValues("provisional")
	setupAnswer      = metricSetup.WithLabelValues("answer")

	rejectedUntrusted = metricRejected.WithLabelValues("untrusted")
	rejectedMalformed = metricRejected.WithLabelValues("malformed")
	rejectedDraining  = metricRejected.WithLabelValues("draining")
)

// countOutcome counts a finished call under its unconnected reason, or
// "answered".
func countOutcome(reason string) {
	if reason == "none" {
		reason = "answered"
	}
	metricCalls.WithLabelValues(reason).Inc()
}
