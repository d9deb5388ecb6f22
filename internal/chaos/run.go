package chaos

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"strings"
	"time"

	"github.com/carepath/carepath"
)

// Result is a finished run.
type Result struct {
	Seed    int64
	Report  *Report
	Faults  FaultCounts
	Summary string // the one line: chaos: sends=N duplicates=0 ...
	Dir     string // logs of every process (kept when the run fails)
}

// Run deploys carepath, drives traffic and faults per s with seed, drains,
// and checks. An error means the harness itself could not run; broken
// invariants are in the Report.
func Run(ctx context.Context, s Schedule, seed int64, logf func(string, ...any)) (*Result, error) {
	dir, err := os.MkdirTemp("", "carepath-chaos-*")
	if err != nil {
		return nil, err
	}
	res := &Result{Seed: seed, Dir: dir}
	runCtx, cancel := context.WithCancel(ctx)
	defer cancel()
	r := newRnd(seed)
	prov := newProviders(runCtx, r, s.ProviderFaultRate, s.ProviderTimeout)
	defer prov.close()
	defer cancel() // before prov.close: pending callbacks give up

	cl, err := StartCluster(runCtx, ClusterOptions{Dir: dir, TwilioURL: prov.tw.URL, SendGridURL: prov.sg.URL,
		Env: runEnv(s), Workers: s.Workers, MemoryLimitWorkers: s.MemoryLimitWorkers, APIs: s.APIs, TemporalCluster: s.TemporalCluster, Log: logf})
	if err != nil {
		return res, err
	}
	defer cl.Close()
	c := newClient(cl.APIBase, cl.apiBases()...)
	prov.target.Store(&callbackTarget{client: c, cluster: cl})

	tr := newTraffic(runCtx, r, c, prov, s.Window, logf)
	if err := tr.setup(s.Mix); err != nil {
		return res, fmt.Errorf("create patients: %w", err)
	}
	logf("%d patients, %d addresses; traffic and faults for %s", len(tr.patients), len(tr.people), s.Window)
	watchDone := make(chan struct{})
	defer close(watchDone)
	go tr.watch(watchDone)
	go tr.finishTreatments(watchDone)

	prov.enabled.Store(true)
	f := &faults{cl: cl, rnd: r, logf: logf, duringTemporalOutage: func() { tr.chatter(3) }}
	faultsDone := time.Now().Add(s.Window)
	f.run(runCtx, s)
	if d := time.Until(faultsDone); d > 0 {
		tr.sleep(d)
	}
	prov.enabled.Store(false)
	logf("faults over; checking recovery, then draining for up to %s", s.Drain)

	var unrecovered []string
	if err := cl.WaitHealthy(runCtx, time.Minute); err != nil {
		unrecovered = append(unrecovered, "not healthy a minute after the last fault: "+err.Error())
	}
	unrecovered = append(unrecovered, f.errs...)

	drainStart, lastLog := time.Now(), time.Now()
	for time.Since(drainStart) < s.Drain {
		active, err := tr.activeEnrollments()
		if err == nil && len(active) == 0 {
			logf("every enrollment finished %s after the faults", time.Since(drainStart).Round(time.Second))
			break
		}
		if time.Since(lastLog) >= 20*time.Second {
			logf("still active: %v", active)
			lastLog = time.Now()
		}
		tr.sleep(2 * time.Second)
	}
	tr.wg.Wait() // replies and enrollments under way
	// Quiet: no new sends for a while, late callbacks delivered.
	for last, quietSince := len(prov.sends()), time.Now(); time.Since(quietSince) < 8*time.Second; {
		tr.sleep(time.Second)
		if n := len(prov.sends()); n != last {
			last, quietSince = n, time.Now()
		}
	}
	prov.wg.Wait()
	unrecovered = append(unrecovered, cl.Crashes()...)
	tr.mu.Lock()
	unrecovered = append(unrecovered, tr.refused...)
	tr.mu.Unlock()

	obs, err := observe(runCtx, c, tr, prov)
	if err != nil {
		return res, fmt.Errorf("read the API after the run: %w", err)
	}
	obs.Unrecovered = unrecovered
	res.Report = Check(obs)
	res.Faults = FaultCounts{WorkerKills: int(f.workerKills.Load()), APIKills: int(f.apiKills.Load()),
		TemporalOutages: int(f.temporalOutages.Load()), PGRestarts: int(f.pgRestarts.Load()),
		ProviderFaults: prov.faults(), Callbacks: int(prov.callbacks.Load()), RepliesInOutage: repliesWithin(obs.Replies, f.temporalDown)}
	res.Summary = res.Report.Summary(res.Faults, seed)
	if !res.Report.Failed() {
		_ = os.RemoveAll(dir)
	}
	return res, nil
}

// runEnv shortens carepath's waits for ambiguous outcomes so a run settles
// them within minutes; CAREPATH_SEND_* and CAREPATH_RECONCILE_* in the
// harness's environment override these.
func runEnv(s Schedule) map[string]string {
	env := map[string]string{
		"CAREPATH_SEND_PROVIDER_TIMEOUT": s.ProviderTimeout.String(),
		"CAREPATH_SEND_LEASE_MARGIN":     "3s",
		"CAREPATH_SEND_SETTLE_DELAY":     "5s",
		"CAREPATH_SEND_HOLD_WAIT":        "30s",
		"CAREPATH_RECONCILE_INTERVAL":    "5s",
		"CAREPATH_RECONCILE_GRACE":       "20s",
	}
	for _, kv := range os.Environ() {
		k, v, _ := strings.Cut(kv, "=")
		if strings.HasPrefix(k, "CAREPATH_SEND_") || strings.HasPrefix(k, "CAREPATH_RECONCILE_") || strings.HasPrefix(k, "CAREPATH_DB_") {
			env[k] = v
		}
	}
	return env
}

// observe reads what the API reports and what the fakes received.
func observe(ctx context.Context, c *client, tr *traffic, prov *providers) (Observed, error) {
	ctx, cancel := context.WithTimeout(ctx, 3*time.Minute)
	defer cancel()
	tr.mu.Lock()
	patients := append([]*patient(nil), tr.patients...)
	enrollments := append([]string(nil), tr.enrollments...)
	o := Observed{Replies: append([]Reply(nil), tr.replies...), OptOuts: append([]OptOut(nil), tr.optOuts...),
		CaregiverStops: append([]string(nil), tr.caregiverStops...), StopGrace: 2 * time.Second}
	tr.mu.Unlock()
	o.Sends = prov.sends()
	for _, p := range patients {
		var msgs struct{ Items []carepath.Message }
		if err := c.retry(ctx, http.MethodGet, "/v1/patients/"+p.id+"/messages?limit=500", nil, &msgs); err != nil {
			return o, err
		}
		o.Patients = append(o.Patients, PatientView{ID: p.id, Phone: p.phone, Email: p.email, Messages: msgs.Items,
			Caregivers: p.caregivers})
	}
	var tasks struct{ Items []carepath.Task }
	if err := c.retry(ctx, http.MethodGet, "/v1/tasks?limit=500", nil, &tasks); err != nil {
		return o, err
	}
	o.Tasks = tasks.Items
	o.TaskMessages = map[string]carepath.Message{}
	for _, t := range o.Tasks {
		if t.MessageID == "" {
			continue
		}
		var m carepath.Message
		if err := c.retry(ctx, http.MethodGet, "/v1/messages/"+t.MessageID, nil, &m); err != nil {
			return o, err
		}
		o.TaskMessages[t.ID] = m
	}
	for _, id := range enrollments {
		var e carepath.Enrollment
		if err := c.retry(ctx, http.MethodGet, "/v1/enrollments/"+id, nil, &e); err != nil {
			return o, err
		}
		o.Enrollments = append(o.Enrollments, e)
	}
	return o, nil
}

// repliesWithin counts the replies acknowledged inside any of the windows.
func repliesWithin(replies []Reply, windows [][2]time.Time) int {
	n := 0
	for _, r := range replies {
		for _, w := range windows {
			if r.AckedAt.After(w[0]) && r.AckedAt.Before(w[1]) {
				n++
				break
			}
		}
	}
	return n
}
