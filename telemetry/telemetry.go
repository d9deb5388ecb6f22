// Package telemetry exposes carepath's metrics in Prometheus format: the
// Temporal SDK's own (through its OpenTelemetry handler) and carepath's
// (messages by channel and outcome, webhook latency, enrollments by journey
// and status). Labels carry no PHI: channels, outcomes, journey names.
package telemetry

import (
	"context"
	"fmt"
	"net/http"
	"time"

	"github.com/carepath/carepath"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"go.opentelemetry.io/otel/attribute"
	otelprom "go.opentelemetry.io/otel/exporters/prometheus"
	"go.opentelemetry.io/otel/metric"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	"go.temporal.io/sdk/client"
	temporalotel "go.temporal.io/sdk/contrib/opentelemetry"
)

// Metrics is one process's metrics. A nil *Metrics records nothing, so
// code paths without metrics (unit tests) need no special casing.
type Metrics struct {
	registry *prometheus.Registry
	provider *sdkmetric.MeterProvider
	messages metric.Int64Counter
	webhooks metric.Float64Histogram
	fhirPush metric.Int64Counter // by resource type and outcome
	fhirSubs metric.Int64Counter // subscription notifications by type
	fhirGaps metric.Int64Counter // subscription event numbers found missing
}

// New builds the registry and instruments.
func New() (*Metrics, error) {
	reg := prometheus.NewRegistry()
	exp, err := otelprom.New(otelprom.WithRegisterer(reg))
	if err != nil {
		return nil, fmt.Errorf("telemetry: prometheus exporter: %w", err)
	}
	m := &Metrics{registry: reg, provider: sdkmetric.NewMeterProvider(sdkmetric.WithReader(exp))}
	meter := m.provider.Meter("carepath")
	if m.messages, err = meter.Int64Counter("carepath_messages",
		metric.WithDescription("Outbound messages by channel and outcome (sent, deferred, suppressed, failed).")); err != nil {
		return nil, fmt.Errorf("telemetry: %w", err)
	}
	if m.webhooks, err = meter.Float64Histogram("carepath_webhook_duration", metric.WithUnit("s"),
		metric.WithDescription("Time to answer a provider webhook."),
		metric.WithExplicitBucketBoundaries(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5)); err != nil {
		return nil, fmt.Errorf("telemetry: %w", err)
	}
	if err := m.fhirInstruments(meter); err != nil {
		return nil, err
	}
	return m, nil
}

// TemporalHandler feeds the Temporal SDK's metrics into the same registry.
func (m *Metrics) TemporalHandler() client.MetricsHandler {
	if m == nil {
		return nil
	}
	return temporalotel.NewMetricsHandler(temporalotel.MetricsHandlerOptions{Meter: m.provider.Meter("temporal-sdk")})
}

// Handler serves the metrics in Prometheus text format.
func (m *Metrics) Handler() http.Handler {
	if m == nil {
		return http.NotFoundHandler()
	}
	return promhttp.HandlerFor(m.registry, promhttp.HandlerOpts{})
}

// Message counts one message's outcome.
func (m *Metrics) Message(ctx context.Context, channel carepath.Channel, outcome string) {
	if m == nil {
		return
	}
	m.messages.Add(ctx, 1, metric.WithAttributes(attribute.String("channel", string(channel)), attribute.String("outcome", outcome)))
}

// Webhook records how long a webhook took and how it was answered.
func (m *Metrics) Webhook(ctx context.Context, route string, status int, took time.Duration) {
	if m == nil {
		return
	}
	m.webhooks.Record(ctx, took.Seconds(), metric.WithAttributes(attribute.String("route", route), attribute.Int("status", status)))
}

// EnrollmentCount is the number of enrollments of a journey in a status.
type EnrollmentCount struct {
	Journey, Status string
	N               int64
}

// ObserveEnrollments reports enrollments by journey and status at each
// scrape, read by count (a bounded query, not an event stream).
func (m *Metrics) ObserveEnrollments(count func(context.Context) ([]EnrollmentCount, error)) error {
	if m == nil {
		return nil
	}
	_, err := m.provider.Meter("carepath").Int64ObservableGauge("carepath_enrollments",
		metric.WithDescription("Enrollments by journey and status."),
		metric.WithInt64Callback(func(ctx context.Context, o metric.Int64Observer) error {
			ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
			defer cancel()
			counts, err := count(ctx)
			if err != nil {
				return err
			}
			for _, c := range counts {
				o.Observe(c.N, metric.WithAttributes(attribute.String("journey", c.Journey), attribute.String("status", c.Status)))
			}
			return nil
		}))
	if err != nil {
		return fmt.Errorf("telemetry: enrollments gauge: %w", err)
	}
	return nil
}

// ObserveReplyBacklog reports, at each scrape, how many stored replies wait
// to be routed to Temporal and how long the oldest has waited.
func (m *Metrics) ObserveReplyBacklog(backlog func(context.Context) (int64, time.Duration, error)) error {
	if m == nil {
		return nil
	}
	meter := m.provider.Meter("carepath")
	waiting, err := meter.Int64ObservableGauge("carepath_replies_waiting",
		metric.WithDescription("Stored replies not yet routed to a journey, compliance answer or task."))
	if err != nil {
		return fmt.Errorf("telemetry: replies waiting gauge: %w", err)
	}
	oldest, err := meter.Float64ObservableGauge("carepath_replies_waiting_oldest", metric.WithUnit("s"),
		metric.WithDescription("How long the oldest reply not yet routed has waited (0 if none)."))
	if err != nil {
		return fmt.Errorf("telemetry: oldest waiting reply gauge: %w", err)
	}
	_, err = meter.RegisterCallback(func(ctx context.Context, o metric.Observer) error {
		ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
		defer cancel()
		n, age, err := backlog(ctx)
		if err != nil {
			return err
		}
		o.ObserveInt64(waiting, n)
		o.ObserveFloat64(oldest, age.Seconds())
		return nil
	}, waiting, oldest)
	if err != nil {
		return fmt.Errorf("telemetry: reply backlog callback: %w", err)
	}
	return nil
}

// fhirInstruments makes the EHR link's counters. Labels are FHIR resource
// types, outcomes and notification types: never a patient or a resource id.
func (m *Metrics) fhirInstruments(meter metric.Meter) error {
	var err error
	if m.fhirPush, err = meter.Int64Counter("carepath_fhir_push",
		metric.WithDescription("Resources pushed to the EHR by FHIR type and outcome (accepted, failed, rejected, skipped).")); err != nil {
		return fmt.Errorf("telemetry: %w", err)
	}
	if m.fhirSubs, err = meter.Int64Counter("carepath_fhir_subscription_notifications",
		metric.WithDescription("Subscription notifications from the EHR by type (handshake, heartbeat, event-notification, ...) and outcome.")); err != nil {
		return fmt.Errorf("telemetry: %w", err)
	}
	if m.fhirGaps, err = meter.Int64Counter("carepath_fhir_subscription_gaps",
		metric.WithDescription("Subscription event numbers found missing (skipped over by a later event or a heartbeat's count).")); err != nil {
		return fmt.Errorf("telemetry: %w", err)
	}
	return nil
}

// FHIRPushed counts one resource the pusher handled.
func (m *Metrics) FHIRPushed(ctx context.Context, resourceType, outcome string) {
	if m == nil {
		return
	}
	m.fhirPush.Add(ctx, 1, metric.WithAttributes(attribute.String("type", resourceType), attribute.String("outcome", outcome)))
}

// FHIRSubscriptionNotification counts one notification and the event
// numbers it showed missing.
func (m *Metrics) FHIRSubscriptionNotification(ctx context.Context, notificationType, outcome string, gaps int64) {
	if m == nil {
		return
	}
	m.fhirSubs.Add(ctx, 1, metric.WithAttributes(attribute.String("type", notificationType), attribute.String("outcome", outcome)))
	if gaps > 0 {
		m.fhirGaps.Add(ctx, gaps)
	}
}

// ObserveFHIRPushLag reports, at each scrape, per FHIR type how long the
// oldest change not yet accepted by the EHR has waited (0 if none).
func (m *Metrics) ObserveFHIRPushLag(lag func(context.Context) (map[string]time.Duration, error)) error {
	if m == nil {
		return nil
	}
	_, err := m.provider.Meter("carepath").Float64ObservableGauge("carepath_fhir_push_lag", metric.WithUnit("s"),
		metric.WithDescription("Per FHIR type, how long the oldest change not yet accepted by the EHR has waited."),
		metric.WithFloat64Callback(func(ctx context.Context, o metric.Float64Observer) error {
			ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
			defer cancel()
			lags, err := lag(ctx)
			if err != nil {
				return err
			}
			for typ, d := range lags {
				o.Observe(d.Seconds(), metric.WithAttributes(attribute.String("type", typ)))
			}
			return nil
		}))
	if err != nil {
		return fmt.Errorf("telemetry: FHIR push lag gauge: %w", err)
	}
	return nil
}
