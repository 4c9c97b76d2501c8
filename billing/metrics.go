package billing

import (
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promauto"
)

var (
	queued = promauto.NewGauge(prometheus.GaugeOpts{
		Name: "maskline_call_records_queued",
		Help: "Call records waiting to be written to the store.",
	})
	written = promauto.NewCounter(prometheus.CounterOpts{
		Name: "maskline_call_records_written_total",
		Help: "Call records written to the store.",
	})
	writeFailures = promauto.NewCounter(prometheus.CounterOpts{
		Name: "maskline_call_records_lost_total",
		Help: "Call records given up after repeated store failures.",
	})
)
