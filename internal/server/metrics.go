package server

import (
	"net/http"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// metrics are the server's Prometheus metrics, in a registry of its own
// (no global default registry: two servers in one process stay apart).
type metrics struct {
	reg         *prometheus.Registry
	latency     *prometheus.HistogramVec
	ingested    prometheus.Counter
	rejected    *prometheus.CounterVec
	events      *prometheus.CounterVec
	alerts      prometheus.Counter
	alertsDrop  prometheus.Counter
	webhooks    *prometheus.CounterVec
	streams     prometheus.Gauge
	auditFailed prometheus.Counter
	listFetches *prometheus.CounterVec
	listFailed  *prometheus.CounterVec
	listVersion *prometheus.GaugeVec
	listLastOK  prometheus.Gauge
}

func newMetrics() *metrics {
	m := &metrics{reg: prometheus.NewRegistry()}
	m.latency = prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Name: "lookout_http_request_duration_seconds",
		Help: "API request latency by route pattern, method and status code.",
		// From 1 ms (a cached search) to 30 s (a dossier render).
		Buckets: []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30},
	}, []string{"route", "code"})
	m.ingested = prometheus.NewCounter(prometheus.CounterOpts{
		Name: "lookout_ingest_positions_total", Help: "Positions stored by the live ingest (rate() is the ingest rate)."})
	m.rejected = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "lookout_ingest_rejected_total", Help: "Input rejected by the live ingest, by reason."}, []string{"reason"})
	m.events = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "lookout_events_total", Help: "Events published to the server, by kind."}, []string{"kind"})
	m.alerts = prometheus.NewCounter(prometheus.CounterOpts{
		Name: "lookout_alerts_total", Help: "Alerts: published events that matched a watch (one per watch)."})
	m.alertsDrop = prometheus.NewCounter(prometheus.CounterOpts{
		Name: "lookout_alerts_dropped_total", Help: "Alerts not delivered to a stream client that fell behind, or not queued for a webhook because the queue was full."})
	m.webhooks = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "lookout_webhook_deliveries_total", Help: "Webhook deliveries by outcome (ok, failed)."}, []string{"outcome"})
	m.streams = prometheus.NewGauge(prometheus.GaugeOpts{
		Name: "lookout_alert_streams", Help: "Connected alert-stream clients."})
	m.auditFailed = prometheus.NewCounter(prometheus.CounterOpts{
		Name: "lookout_audit_failures_total", Help: "Case reads refused because their audit record could not be written."})
	m.listFetches = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "lookout_sanctions_fetches_total",
		Help: "Scheduled sanctions list downloads by list and outcome (new_version, unchanged, failed)."}, []string{"source", "outcome"})
	m.listFailed = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "lookout_sanctions_refresh_failures_total",
		Help: "Scheduled sanctions refreshes that failed, by stage (fetch, screen, risk)."}, []string{"stage"})
	m.listVersion = prometheus.NewGaugeVec(prometheus.GaugeOpts{
		Name: "lookout_sanctions_list_version",
		Help: "The stored version of each sanctions list that screening uses."}, []string{"source"})
	m.listLastOK = prometheus.NewGauge(prometheus.GaugeOpts{
		Name: "lookout_sanctions_refresh_last_success_timestamp_seconds",
		Help: "When a scheduled sanctions refresh last completed without a failure (Unix time; alert when it gets old)."})
	m.reg.MustRegister(m.latency, m.ingested, m.rejected, m.events, m.alerts, m.alertsDrop, m.webhooks, m.streams, m.auditFailed,
		m.listFetches, m.listFailed, m.listVersion, m.listLastOK,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return m
}

func (m *metrics) handler() http.Handler {
	return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{Registry: m.reg})
}

func (m *metrics) observe(route string, code int, d time.Duration) {
	m.latency.WithLabelValues(route, httpCode(code)).Observe(d.Seconds())
}

func httpCode(c int) string {
	switch {
	case c >= 100 && c < 600:
		return string([]byte{byte('0' + c/100), byte('0' + c/10%10), byte('0' + c%10)})
	default:
		return "other"
	}
}
