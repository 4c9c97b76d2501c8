package api

import (
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promauto"
)

// HTTP metrics, labelled by route pattern (never by raw path, which could
// hold anything a client typed) and status code.
var (
	requests = promauto.NewCounterVec(prometheus.CounterOpts{
		Name: "maskline_http_requests_total",
		Help: "HTTP requests served, by route pattern and status code.",
	}, []string{"route", "code"})
	latency = promauto.NewHistogramVec(prometheus.HistogramOpts{
		Name: "maskline_http_request_duration_seconds",
		Help: "Time to serve an HTTP request, by route pattern.",
		// 1 ms to 10 s: creates that allocate a number take a few ms.
		Buckets: prometheus.ExponentialBuckets(0.001, 2.5, 11),
	}, []string{"route"})
	inFlight = promauto.NewGauge(prometheus.GaugeOpts{
		Name: "maskline_http_requests_in_flight",
		Help: "HTTP requests being served now.",
	})
)

// observe counts one served request.
func observe(route string, status int, took time.Duration) {
	requests.WithLabelValues(route, strconv.Itoa(status)).Inc()
	latency.WithLabelValues(route).Observe(took.Seconds())
}
