package config

import "time"

// Recovery is how api and worker ride out PostgreSQL restarts and Temporal
// outages without being restarted (docs/reliability.md).
type Recovery struct {
	// The PostgreSQL pool of each process.
	DBMaxConns int // CAREPATH_DB_MAX_CONNS, default 20
	// Session limits sent at connect; 0 means no limit. A query waiting
	// on a lock, a statement that runs away, or a transaction left open
	// fails instead of holding a connection forever.
	DBStatementTimeout time.Duration // CAREPATH_DB_STATEMENT_TIMEOUT, default 30s
	DBLockTimeout      time.Duration // CAREPATH_DB_LOCK_TIMEOUT, default 10s
	DBIdleInTxTimeout  time.Duration // CAREPATH_DB_IDLE_IN_TX_TIMEOUT, default 1m

	// StartupWait is how long api, worker and migrate wait for PostgreSQL
	// and Temporal to answer at start before giving up
	// (CAREPATH_STARTUP_WAIT, default 2m). Once running they never exit
	// because a dependency is down: they wait for it and carry on.
	StartupWait time.Duration

	// The worker's reconciler of workflow starts that failed.
	ReconcileInterval    time.Duration // CAREPATH_RECONCILE_INTERVAL, default 30s: between sweeps
	ReconcileGrace       time.Duration // CAREPATH_RECONCILE_GRACE, default 2m: age before a row is checked
	ReconcileMaxAttempts int           // CAREPATH_RECONCILE_MAX_ATTEMPTS, default 8: failed tries before the row is failed
}

// DefaultRecovery is the production setting.
var DefaultRecovery = Recovery{DBMaxConns: 20, DBStatementTimeout: 30 * time.Second, DBLockTimeout: 10 * time.Second,
	DBIdleInTxTimeout: time.Minute, StartupWait: 2 * time.Minute,
	ReconcileInterval: 30 * time.Second, ReconcileGrace: 2 * time.Minute, ReconcileMaxAttempts: 8}

// recoveryFromEnv reads the CAREPATH_DB_*, CAREPATH_STARTUP_WAIT and
// CAREPATH_RECONCILE_* variables, reporting problems through bad.
func recoveryFromEnv(get func(k, def string) string, bad func(key, format string, args ...any)) Recovery {
	r := DefaultRecovery
	var err error
	for _, d := range []struct {
		key      string
		into     *time.Duration
		def      time.Duration
		min, max time.Duration
	}{
		{"CAREPATH_DB_STATEMENT_TIMEOUT", &r.DBStatementTimeout, DefaultRecovery.DBStatementTimeout, 0, time.Hour},
		{"CAREPATH_DB_LOCK_TIMEOUT", &r.DBLockTimeout, DefaultRecovery.DBLockTimeout, 0, time.Hour},
		{"CAREPATH_DB_IDLE_IN_TX_TIMEOUT", &r.DBIdleInTxTimeout, DefaultRecovery.DBIdleInTxTimeout, 0, time.Hour},
		{"CAREPATH_STARTUP_WAIT", &r.StartupWait, DefaultRecovery.StartupWait, 0, time.Hour},
		{"CAREPATH_RECONCILE_INTERVAL", &r.ReconcileInterval, DefaultRecovery.ReconcileInterval, time.Second, time.Hour},
		{"CAREPATH_RECONCILE_GRACE", &r.ReconcileGrace, DefaultRecovery.ReconcileGrace, 0, 24 * time.Hour},
	} {
		if *d.into, err = boundedDuration(get(d.key, d.def.String()), d.min, d.max); err != nil {
			bad(d.key, "%v", err)
		}
	}
	if r.DBMaxConns, err = boundedInt(get("CAREPATH_DB_MAX_CONNS", "20"), 1, 1000); err != nil {
		bad("CAREPATH_DB_MAX_CONNS", "%v", err)
	}
	if r.ReconcileMaxAttempts, err = boundedInt(get("CAREPATH_RECONCILE_MAX_ATTEMPTS", "8"), 1, 100); err != nil {
		bad("CAREPATH_RECONCILE_MAX_ATTEMPTS", "%v", err)
	}
	return r
}
