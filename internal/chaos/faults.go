package chaos

import (
	"context"
	"sort"
	"sync"
	"sync/atomic"
	"time"
)

// faults injects the schedule's process faults at seeded random moments
// within the window. Workers and the api are killed with SIGKILL and
// restarted by the harness as a supervisor would; Temporal and PostgreSQL
// outages leave carepath's processes alone: they must recover by themselves.
type faults struct {
	cl   *Cluster
	rnd  *rnd
	logf func(string, ...any)
	// duringTemporalOutage is called once Temporal is down (patients text).
	duringTemporalOutage func()

	workerKills, apiKills, temporalOutages, pgRestarts atomic.Int64
	mu                                                 sync.Mutex
	errs                                               []string
	temporalDown                                       [][2]time.Time // each outage's start and end
}

type event struct {
	at   time.Duration
	name string
	run  func(ctx context.Context)
}

func (f *faults) failed(format string, args ...any) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.errs = append(f.errs, "harness: "+sprintf(format, args...))
}

// run injects every fault of s and returns when the last one is over.
func (f *faults) run(ctx context.Context, s Schedule) {
	var events []event
	w := s.Window
	// Outages take turns through the middle of the window, never together.
	outages := s.TemporalOutages + s.PGRestarts
	slot := w * 7 / 10 / time.Duration(max(outages, 1))
	var kinds []string
	for range s.TemporalOutages {
		kinds = append(kinds, "temporal")
	}
	for range s.PGRestarts {
		kinds = append(kinds, "postgres")
	}
	for i := range kinds { // shuffle
		j := f.rnd.intn(i + 1)
		kinds[i], kinds[j] = kinds[j], kinds[i]
	}
	for i, k := range kinds {
		at := w/10 + time.Duration(i)*slot + f.rnd.between(0, slot/4)
		switch k {
		case "temporal":
			down := s.TemporalDown + f.rnd.between(0, 5*time.Second)
			events = append(events, event{at, "temporal outage", func(ctx context.Context) { f.temporal(ctx, down) }})
		case "postgres":
			down := s.PGDown + f.rnd.between(0, 3*time.Second)
			events = append(events, event{at, "postgres crash", func(ctx context.Context) { f.postgres(ctx, down) }})
		}
	}
	for range s.WorkerKills {
		at := f.rnd.between(3*time.Second, w-5*time.Second)
		i := f.rnd.intn(len(f.cl.Workers))
		back := f.rnd.between(500*time.Millisecond, 4*time.Second)
		events = append(events, event{at, "worker kill", func(ctx context.Context) { f.killWorker(ctx, i, back) }})
	}
	for range s.APIKills {
		at := f.rnd.between(w/5, w-10*time.Second)
		back := f.rnd.between(500*time.Millisecond, 3*time.Second)
		api := f.cl.API
		if apis := f.cl.apis(); len(apis) > 1 { // drawn only then, so older seeds replay as before
			api = apis[f.rnd.intn(len(apis))]
		}
		events = append(events, event{at, "api kill", func(ctx context.Context) { f.kill(ctx, api, back, &f.apiKills) }})
	}
	sort.Slice(events, func(i, j int) bool { return events[i].at < events[j].at })
	start := time.Now()
	var wg sync.WaitGroup
	for _, e := range events {
		select {
		case <-time.After(time.Until(start.Add(e.at))):
		case <-ctx.Done():
			wg.Wait()
			return
		}
		wg.Add(1)
		go func() { defer wg.Done(); e.run(ctx) }()
	}
	wg.Wait()
}

// killWorker kills worker i, or another one if i is down already (so the
// schedule's count of kills is met), waiting while all are down.
func (f *faults) killWorker(ctx context.Context, i int, back time.Duration) {
	for range 40 {
		for k := range f.cl.Workers {
			w := f.cl.Workers[(i+k)%len(f.cl.Workers)]
			if w.alive() {
				f.kill(ctx, w, back, &f.workerKills)
				return
			}
		}
		select {
		case <-time.After(500 * time.Millisecond):
		case <-ctx.Done():
			return
		}
	}
	f.failed("no worker alive to kill for 20s")
}

// kill SIGKILLs a process and restarts it after back.
func (f *faults) kill(ctx context.Context, s *service, back time.Duration, n *atomic.Int64) {
	if err := s.kill(); err != nil {
		return // already down (killed a moment ago): not counted
	}
	n.Add(1)
	f.logf("SIGKILL %s (back in %s)", s.name, back.Round(100*time.Millisecond))
	select {
	case <-time.After(back):
	case <-ctx.Done():
	}
	if err := s.restart(); err != nil {
		f.failed("restart %s: %v", s.name, err)
	}
}

func (f *faults) temporal(ctx context.Context, down time.Duration) {
	f.logf("Temporal down for %s", down.Round(time.Second))
	if f.duringTemporalOutage != nil {
		go func() {
			time.Sleep(2 * time.Second)
			f.duringTemporalOutage()
		}()
	}
	from := time.Now()
	if err := f.cl.TemporalOutage(ctx, down); err != nil {
		f.failed("temporal outage: %v", err)
		return
	}
	f.temporalOutages.Add(1)
	f.mu.Lock()
	f.temporalDown = append(f.temporalDown, [2]time.Time{from, time.Now()})
	f.mu.Unlock()
	f.logf("Temporal back")
}

func (f *faults) postgres(ctx context.Context, down time.Duration) {
	f.logf("PostgreSQL crash (immediate stop), down for %s", down.Round(time.Second))
	if err := f.cl.PostgresCrash(ctx, down); err != nil {
		f.failed("postgres crash-restart: %v", err)
		return
	}
	f.pgRestarts.Add(1)
	f.logf("PostgreSQL back")
}
