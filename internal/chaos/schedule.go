package chaos

import "time"

// Schedule is a run's size: its traffic, its faults and its time limits.
type Schedule struct {
	Name    string
	Mix     Mix
	Window  time.Duration // traffic starts and faults happen within it
	Drain   time.Duration // after the faults, time for every enrollment to finish
	Workers int
	// MemoryLimitWorkers of them keep the send limit in memory
	// (ClusterOptions.MemoryLimitWorkers): both send paths, in the
	// workflow task and on the lane, run under the same faults. The
	// per-number limit is then not exact across the fleet, which no
	// invariant here checks (TestFleetRateThreeWorkers does, on its own).
	MemoryLimitWorkers int
	// APIs is the number of api processes (0 means 1); traffic goes to
	// each in turn.
	APIs int
	// TemporalCluster runs a real Temporal cluster on PostgreSQL
	// (internal/tcluster) instead of the dev server; a Temporal outage is
	// then its history service SIGKILLed and restarted.
	TemporalCluster bool

	WorkerKills     int
	APIKills        int
	TemporalOutages int
	TemporalDown    time.Duration // each outage lasts at least this
	PGRestarts      int
	PGDown          time.Duration
	// ProviderFaultRate is the share of provider requests that misbehave
	// while faults are on.
	ProviderFaultRate float64
	// ProviderTimeout is carepath's provider call timeout for the run
	// (CAREPATH_SEND_PROVIDER_TIMEOUT); stalls last longer.
	ProviderTimeout time.Duration
}

// Short fits `make test`: about three minutes on two cores.
var Short = Schedule{
	Name: "short",
	Mix: Mix{Checkins: 8, EmailCheckins: 2, Families: 2, Stops: 2, Onboardings: 2, Treatments: 2,
		Caregivers: 2},
	// The drain ends as soon as every enrollment has; its length only
	// bounds the unlucky case (a check-in that waits out its reply timeout
	// and reminder after retries behind a worker kill and the outage), so
	// it is generous: a short bound made the run fail on slow machines.
	Window: 80 * time.Second, Drain: 3 * time.Minute, Workers: 2, MemoryLimitWorkers: 1,
	WorkerKills: 9, APIKills: 1, TemporalOutages: 1, TemporalDown: 21 * time.Second, PGRestarts: 1, PGDown: 4 * time.Second,
	ProviderFaultRate: 0.25, ProviderTimeout: 4 * time.Second,
}

// Full is `make chaos`.
var Full = Schedule{
	Name: "full",
	Mix: Mix{Checkins: 30, EmailCheckins: 6, Families: 4, Stops: 4, Onboardings: 6, Treatments: 5,
		Caregivers: 4},
	Window: 9 * time.Minute, Drain: 5 * time.Minute, Workers: 2, MemoryLimitWorkers: 1,
	WorkerKills: 34, APIKills: 2, TemporalOutages: 2, TemporalDown: 25 * time.Second, PGRestarts: 2, PGDown: 6 * time.Second,
	ProviderFaultRate: 0.2, ProviderTimeout: 4 * time.Second,
}
