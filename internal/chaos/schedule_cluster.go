package chaos

import "time"

// ClusterShort is the cluster test in `make test`: journeys across a real
// Temporal cluster (frontend, history, matching and worker services as
// processes on PostgreSQL) and carepath as two api and three worker
// processes, while a carepath worker, a carepath api and Temporal's history
// service are each SIGKILLed and restarted. Fewer journeys and faults than
// Short: it runs beside it, and what it adds is the cluster, not more chaos.
var ClusterShort = Schedule{
	Name: "cluster",
	Mix: Mix{Checkins: 5, EmailCheckins: 1, Families: 1, Stops: 1, Onboardings: 1, Treatments: 1,
		Caregivers: 1},
	Window: 60 * time.Second, Drain: 3 * time.Minute, Workers: 3, MemoryLimitWorkers: 1, APIs: 2, TemporalCluster: true,
	WorkerKills: 2, APIKills: 1, TemporalOutages: 1, TemporalDown: 8 * time.Second,
	ProviderFaultRate: 0.1, ProviderTimeout: 4 * time.Second,
}
