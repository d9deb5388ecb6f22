package telemetry

import (
	"fmt"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/prometheus/client_golang/prometheus"
)

// ObservePool exports the PostgreSQL pool's state: how often a caller had
// to wait for a connection and for how long in all. A pool too small for
// the process's work shows here first (every webhook, route, local
// activity and send waits in Acquire), long before it shows as errors.
func (m *Metrics) ObservePool(stat func() *pgxpool.Stat) error {
	if m == nil {
		return nil
	}
	cs := []prometheus.Collector{
		prometheus.NewCounterFunc(prometheus.CounterOpts{Name: "carepath_db_pool_acquires_total",
			Help: "Connections taken from the PostgreSQL pool."},
			func() float64 { return float64(stat().AcquireCount()) }),
		prometheus.NewCounterFunc(prometheus.CounterOpts{Name: "carepath_db_pool_waits_total",
			Help: "Acquires that found no idle connection and waited for one (or for a new one to open)."},
			func() float64 { return float64(stat().EmptyAcquireCount()) }),
		prometheus.NewCounterFunc(prometheus.CounterOpts{Name: "carepath_db_pool_acquire_seconds_total",
			Help: "Time spent acquiring connections from the pool, in all."},
			func() float64 { return stat().AcquireDuration().Seconds() }),
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "carepath_db_pool_in_use",
			Help: "Connections in use now."},
			func() float64 { return float64(stat().AcquiredConns()) }),
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "carepath_db_pool_max",
			Help: "The pool's size (CAREPATH_DB_MAX_CONNS)."},
			func() float64 { return float64(stat().MaxConns()) }),
	}
	for _, c := range cs {
		if err := m.registry.Register(c); err != nil {
			return fmt.Errorf("telemetry: pool metrics: %w", err)
		}
	}
	return nil
}
