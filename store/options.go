package store

import (
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
)

// Options size the pool and bound what one session may hold. A server
// restart leaves every pooled connection dead: the health check and the
// lifetime limits replace them without a restart of carepath, and the
// timeouts turn a query stuck behind a lock, or a transaction left open,
// into an error instead of a hung request that pins a connection.
type Options struct {
	MaxConns          int32         // pool size per process
	HealthCheckPeriod time.Duration // how often idle connections are checked and dead ones dropped
	MaxConnLifetime   time.Duration // a connection is replaced after this long (a failover's new primary gets traffic)
	MaxConnIdleTime   time.Duration // an idle connection is closed after this long

	// Session settings sent at connect (runtime parameters); 0 leaves the
	// server's setting, which is "no limit" by default.
	StatementTimeout                time.Duration // statement_timeout
	LockTimeout                     time.Duration // lock_timeout
	IdleInTransactionSessionTimeout time.Duration // idle_in_transaction_session_timeout

	// ConnectWait is how long Open keeps trying a server that does not
	// answer yet (it is starting, or restarting); 0 tries once.
	ConnectWait time.Duration
}

// DefaultOptions suit the api and worker: requests that take seconds, not
// minutes. internal/config overrides them from CAREPATH_DB_* variables.
var DefaultOptions = Options{
	MaxConns:                        20,
	HealthCheckPeriod:               15 * time.Second,
	MaxConnLifetime:                 30 * time.Minute,
	MaxConnIdleTime:                 5 * time.Minute,
	StatementTimeout:                30 * time.Second,
	LockTimeout:                     10 * time.Second,
	IdleInTransactionSessionTimeout: time.Minute,
}

// apply sets o on a parsed pool configuration. Settings given in the
// DATABASE_URL itself (pool_max_conns=, options=-c ...) win.
func (o Options) apply(cfg *pgxpool.Config) {
	explicit := cfg.ConnString()
	if o.MaxConns > 0 && !hasParam(explicit, "pool_max_conns") {
		cfg.MaxConns = o.MaxConns
	}
	if o.HealthCheckPeriod > 0 && !hasParam(explicit, "pool_health_check_period") {
		cfg.HealthCheckPeriod = o.HealthCheckPeriod
	}
	if o.MaxConnLifetime > 0 && !hasParam(explicit, "pool_max_conn_lifetime") {
		cfg.MaxConnLifetime = o.MaxConnLifetime
		cfg.MaxConnLifetimeJitter = o.MaxConnLifetime / 10 // processes started together do not reconnect together
	}
	if o.MaxConnIdleTime > 0 && !hasParam(explicit, "pool_max_conn_idle_time") {
		cfg.MaxConnIdleTime = o.MaxConnIdleTime
	}
	params := cfg.ConnConfig.RuntimeParams
	for name, d := range map[string]time.Duration{
		"statement_timeout":                   o.StatementTimeout,
		"lock_timeout":                        o.LockTimeout,
		"idle_in_transaction_session_timeout": o.IdleInTransactionSessionTimeout,
	} {
		if _, set := params[name]; !set && d > 0 && !hasParam(explicit, name) {
			params[name] = strconv.FormatInt(d.Milliseconds(), 10)
		}
	}
}

// hasParam reports whether the connection string names a setting.
func hasParam(conn, name string) bool { return strings.Contains(conn, name+"=") }
