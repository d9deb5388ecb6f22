// Command carepath-bench measures carepath against the bare Temporal
// engine on the same server, in the same run (`make bench`):
//
//   - launch: N minimal workflows (one activity, then one signal round
//     trip) against N patients bulk-enrolled in a journey whose first step
//     sends an SMS, until every first SMS reached the fake provider;
//   - reply: N answers (signals for the baseline, signed Twilio webhooks for
//     carepath) at a steady rate, each timed until the next message
//     reached the provider;
//   - outbound rate: a bulk launch against a provider enforcing M messages
//     per second per number;
//   - urgent: during a bulk launch at the provider's limit (1/s), how long
//     urgent messages wait (HELP answers and conversation replies);
//   - idle (optional): many patients enrolled and waiting on long timers.
//
// The launch and reply comparison runs on the Temporal dev server and, with
// -cluster, again on a Temporal cluster on PostgreSQL (internal/tcluster,
// or the one TEMPORAL_ADDRESS names, such as `make cluster`'s).
//
// It prints a table per server, writes the figures as JSON, and ends with
// every target per server, its threshold and PASS or FAIL:
// bench: server=dev launch_ratio=R1(>=1.00 PASS) ... n=N
// bench: targets PASS (...)
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"os/signal"
	"path/filepath"
	"runtime"
	"strings"
	"syscall"
	"time"

	"go.temporal.io/sdk/client"
	tlog "go.temporal.io/sdk/log"
)

type options struct {
	n           int
	replyRate   float64
	concurrency int
	rateLimit   int
	rateSeconds int
	rateDelay   time.Duration
	idle        int
	idleWindow  time.Duration
	phases      string
	dir         string
	out         string
	carepathBin string
	explain     bool
	profile     bool
	cluster     bool
	dev         bool
	strict      bool
	order       string // baseline-first, carepath-first
	rounds      int

	urgentLaunch int
	urgentRate   int
	urgentCount  int
	urgentEvery  time.Duration
	urgentWarmup time.Duration
	urgentWait   time.Duration
}

func main() {
	var o options
	flag.IntVar(&o.n, "n", 1000, "patients (and baseline workflows) in the launch and reply phases")
	flag.Float64Var(&o.replyRate, "reply-rate", 20, "replies per second in the reply phase (open loop, the same for both)")
	flag.IntVar(&o.concurrency, "concurrency", 32, "concurrent workflow starts for the baseline launch")
	flag.IntVar(&o.rateLimit, "rate", 20, "the fake provider's messages per second per number in the outbound-rate phase")
	flag.IntVar(&o.rateSeconds, "rate-seconds", 15, "how many seconds of sends the outbound-rate phase asks for")
	flag.DurationVar(&o.rateDelay, "rate-delay", 15*time.Second, "the outbound-rate phase's campaign delay: first messages fall due this long after each enrollment (0s: during the launch)")
	flag.IntVar(&o.idle, "idle", 10000, "patients enrolled and left waiting in the idle phase")
	flag.DurationVar(&o.idleWindow, "idle-window", time.Minute, "how long the idle phase measures CPU")
	flag.IntVar(&o.urgentLaunch, "urgent-launch", 1000, "patients in the urgent phase's bulk launch")
	flag.IntVar(&o.urgentRate, "urgent-rate", 1, "the provider's messages per second per number in the urgent phase")
	flag.IntVar(&o.urgentCount, "urgent-count", 20, "HELPs (and as many answers) sent during the urgent phase's launch")
	flag.DurationVar(&o.urgentEvery, "urgent-every", 3*time.Second, "one urgent message (HELP and answer, alternating) per period in the urgent phase")
	flag.DurationVar(&o.urgentWarmup, "urgent-warmup", 5*time.Second, "how long after the launch's first message the urgent traffic starts")
	flag.DurationVar(&o.urgentWait, "urgent-wait", 2*time.Minute, "how long the urgent phase waits for its replies after the last inbound")
	flag.StringVar(&o.phases, "phases", "compare,rate,urgent", "phases to run: compare, rate, idle, urgent (comma-separated; urgent runs last)")
	flag.StringVar(&o.dir, "dir", ".data/bench", "working directory (emptied first) for the services, logs and results")
	flag.StringVar(&o.out, "out", "", "where to write the JSON figures (default <dir>/result.json)")
	flag.StringVar(&o.carepathBin, "carepath", "bin/carepath", "the carepath binary to run")
	flag.BoolVar(&o.explain, "explain", false, "print where the reply path's time goes (stage times from sampled histories) and carepath's Temporal calls per reply")
	flag.BoolVar(&o.profile, "profile", false, "take CPU profiles of carepath during its launch and reply phases (into <dir>)")
	flag.BoolVar(&o.cluster, "cluster", false, "compare again on a Temporal cluster on PostgreSQL: started here (internal/tcluster), or the one TEMPORAL_ADDRESS names (e.g. `make cluster`'s)")
	flag.BoolVar(&o.dev, "dev", true, "run on the Temporal dev server (or TEMPORAL_ADDRESS without -cluster); -dev=false -cluster: the cluster only")
	flag.StringVar(&o.order, "order", "baseline-first", "with -rounds 1, which side of the comparison runs first: baseline-first or carepath-first")
	flag.IntVar(&o.rounds, "rounds", 2, "comparison rounds per server, alternating which side goes first; each side's figures pool its rounds")
	flag.BoolVar(&o.strict, "strict", false, "exit 1 when a ratio target is missed")
	flag.Parse()
	if o.out == "" {
		o.out = filepath.Join(o.dir, "result.json")
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, o); err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(1)
	}
}

func logf(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "%s  %s\n", time.Now().Format("15:04:05"), fmt.Sprintf(format, args...))
}

func run(ctx context.Context, o options) (err error) {
	phases := map[string]bool{}
	for _, p := range strings.Split(o.phases, ",") {
		switch p = strings.TrimSpace(p); p {
		case "compare", "rate", "idle", "urgent":
			phases[p] = true
		default:
			return fmt.Errorf("-phases: unknown phase %q (compare, rate, idle, urgent)", p)
		}
	}
	if o.order != "baseline-first" && o.order != "carepath-first" {
		return fmt.Errorf("-order: %q is neither baseline-first nor carepath-first", o.order)
	}
	if o.rounds < 1 || o.rounds > maxRounds || (o.rounds > 1 && o.n > roundsOffset) {
		return fmt.Errorf("-rounds: 1 to %d (with -n at most %d when more than one)", maxRounds, roundsOffset)
	}
	bin, err := filepath.Abs(o.carepathBin)
	if err != nil {
		return err
	}
	if _, err := os.Stat(bin); err != nil {
		return fmt.Errorf("carepath binary: %w (run `make build`)", err)
	}
	if err := os.RemoveAll(o.dir); err != nil {
		return err
	}
	if err := os.MkdirAll(o.dir, 0o755); err != nil {
		return err
	}
	if !o.dev && !o.cluster {
		return errors.New("nothing to run: -dev=false without -cluster")
	}
	// TEMPORAL_ADDRESS names the cluster when there is one to measure, else
	// the one server.
	devAddress, clusterAddress := os.Getenv("TEMPORAL_ADDRESS"), ""
	if o.cluster && phases["compare"] {
		devAddress, clusterAddress = "", devAddress
	}
	st, err := startStack(ctx, o.dir, bin, devAddress, o.dev, logf)
	if err != nil {
		return err
	}
	defer func() {
		if serr := st.stop(); serr != nil && err == nil {
			err = serr
		}
	}()
	if o.profile {
		port, perr := freeAddr()
		if perr != nil {
			return perr
		}
		st.pprofAddr = port
	}
	res := &result{Started: time.Now().UTC(), N: o.n, ReplyRate: o.replyRate, CPUs: runtime.NumCPU(), GoVersion: runtime.Version(),
		Embedded: map[string]bool{"temporal": st.temporalPID != 0, "postgres": st.postgresPID != 0}}
	runID := fmt.Sprintf("%06d", rand.IntN(1_000_000))
	prefix := 200 + rand.IntN(700) // phone numbers unique to this run, if the database is reused

	if o.dev {
		if err := onDevServer(ctx, o, st, res, runID, prefix, phases); err != nil {
			return err
		}
	}
	if o.cluster && phases["compare"] {
		// Numbers of their own: the fake provider's arrivals span the run.
		// A cluster that fails is reported (and fails the targets) without
		// losing the dev server's figures.
		err := st.useCluster(ctx, clusterAddress, logf)
		if err == nil {
			err = onServer(ctx, o, st, res, "cluster", runID+"c", prefix, 6_000_000, phases["compare"])
		}
		if err != nil {
			if ctx.Err() != nil {
				return err
			}
			logf("cluster: %v", err)
			res.ClusterError = err.Error()
		}
	}
	res.Rejected429 = st.twilio.Rejected()
	res.Finished = time.Now().UTC()
	if err := writeJSON(o.out, res); err != nil {
		return err
	}
	if err := res.print(os.Stdout, o.out); err != nil {
		return fmt.Errorf("print the report: %w", err)
	}
	if o.strict && (!allMet(res.Compare) || res.ClusterError != "") {
		return errors.New("a ratio target was missed (-strict)")
	}
	return nil
}

// onDevServer runs every phase asked for on the first server: the
// comparison, then the outbound rate, idle and urgent phases.
func onDevServer(ctx context.Context, o options, st *stack, res *result, runID string, prefix int, phases map[string]bool) error {
	name := "dev"
	if st.temporalPID == 0 {
		name = "given" // TEMPORAL_ADDRESS's server
	}
	if err := onServer(ctx, o, st, res, name, runID, prefix, 0, phases["compare"]); err != nil {
		return err
	}
	tc, err := dialTemporal(st.temporalAddress, st.namespace)
	if err != nil {
		return err
	}
	defer tc.Close()
	if phases["rate"] {
		if err := outboundRate(ctx, o, st, res, prefix); err != nil {
			return err
		}
	}
	if phases["idle"] {
		if err := idle(ctx, o, st, tc, res, prefix); err != nil {
			return err
		}
	}
	// Last: its bulk launch is left unfinished.
	if phases["urgent"] {
		if err := urgentDuringLaunch(ctx, o, st, res, prefix); err != nil {
			return err
		}
	}
	return st.stopCarepath()
}

// onServer runs the comparison (when asked for) on the stack's current
// server, with phone numbers from offset on.
func onServer(ctx context.Context, o options, st *stack, res *result, name, runID string, prefix, offset int, run bool) error {
	if !run {
		return nil
	}
	tc, err := dialTemporal(st.temporalAddress, st.namespace)
	if err != nil {
		return err
	}
	defer tc.Close()
	c, err := compareRounds(ctx, o, st, tc, runID, prefix, offset)
	if err != nil {
		return fmt.Errorf("%s server: %w", name, err)
	}
	c.Server, c.Address = name, st.temporalAddress
	res.Compare = append(res.Compare, c)
	return nil
}

// dialTemporal connects as carepath does (no gRPC compression), so the
// comparison measures carepath's work, not a transport setting.
func dialTemporal(address, namespace string) (client.Client, error) {
	tc, err := client.Dial(client.Options{HostPort: address, Namespace: namespace, Logger: tlog.NewStructuredLogger(quietLogger()),
		ConnectionOptions: client.ConnectionOptions{GrpcCompression: &client.GrpcCompressionNone{}}})
	if err != nil {
		return nil, fmt.Errorf("dial Temporal at %s: %w", address, err)
	}
	return tc, nil
}

// replies sends one reply per number at a steady rate (open loop: the
// schedule does not wait for answers) and returns, per number, the time
// from sending the reply to the next message reaching the provider.
func replies(ctx context.Context, arr *arrivals, nums []string, perSecond float64, send func(context.Context, int) error) (lat, acks []time.Duration, err error) {
	sent := make([]time.Time, len(nums))
	acks = make([]time.Duration, len(nums))
	errc := make(chan error, len(nums))
	start := time.Now()
	for i := range nums {
		at := start.Add(time.Duration(float64(i) / perSecond * float64(time.Second)))
		if d := time.Until(at); d > 0 {
			select {
			case <-time.After(d):
			case <-ctx.Done():
				return nil, nil, ctx.Err()
			}
		}
		sent[i] = time.Now()
		go func() {
			err := send(ctx, i)
			acks[i] = time.Since(sent[i])
			errc <- err
		}()
	}
	for range nums {
		if err := <-errc; err != nil {
			return nil, nil, err
		}
	}
	next, err := arr.waitAll(ctx, nums, 2, 5*time.Minute)
	if err != nil {
		return nil, nil, err
	}
	lat = make([]time.Duration, len(nums))
	for i := range nums {
		lat[i] = next[i].Sub(sent[i])
	}
	return lat, acks, nil
}

func writeJSON(path string, v any) error {
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	return os.WriteFile(path, append(b, '\n'), 0o644)
}
