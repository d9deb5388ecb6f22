package chaos

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"encoding/base64"
	"errors"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/carepath/carepath/codec"
	"github.com/carepath/carepath/internal/embedded"
	"github.com/carepath/carepath/internal/tcluster"
	"github.com/carepath/carepath/internal/testenv"
)

// Credentials the cluster is configured with (test values, not secrets).
const (
	adminKey     = "cp_chaos_admin_key_0123456789abcdef"
	twilioSID    = "ACchaos0000000000000000000000000"
	twilioToken  = "chaosauthtoken0123456789"
	twilioFrom   = "+15550007777"
	sendgridKey  = "SG.chaos"
	sendgridFrom = "care@chaos.example.org"
	inboundToken = "chaosinboundtoken0123456789abcdef"
)

// Cluster is carepath deployed as separate processes.
type Cluster struct {
	Dir     string
	APIBase string // http://127.0.0.1:port, also CAREPATH_PUBLIC_URL
	API     *service
	Workers []*service

	webhookKey *ecdsa.PrivateKey // signs SendGrid events
	bin        string
	env        []string
	workerURLs []string // each worker's /healthz (worker, database and Temporal all up)

	pgMu    sync.Mutex
	pgDir   string
	pgPort  int
	pg      *embedded.Postgres
	tempMu  sync.Mutex
	tempBin string
	tempDB  string
	tempLog string
	tempPrt int
	temp    *embedded.Temporal

	crashMu    sync.Mutex
	crashes    map[string]*crash // by process name
	crashOrder []string

	// Cluster mode (cluster_mode.go): more api processes and a real
	// Temporal cluster.
	moreAPIs []*service
	apiURLs  []string // every api's base URL, APIBase first
	tc       *tcluster.Cluster
}

// ClusterOptions says where the fakes are and what else to set.
type ClusterOptions struct {
	Dir         string
	TwilioURL   string
	SendGridURL string
	Env         map[string]string // extra environment for api and workers (e.g. CAREPATH_SEND_*)
	Workers     int
	// MemoryLimitWorkers of the workers (the last ones) keep the send
	// limit in memory (CAREPATH_SEND_LIMITER=process), as `carepath dev`
	// does, so the journeys whose workflow tasks they run send in those
	// tasks when a slot is free (SendNow); the others use the shared
	// limiter, whose sends go on the lane.
	MemoryLimitWorkers int
	APIs               int // api processes; 0 means 1
	// TemporalCluster runs internal/tcluster instead of the dev server.
	TemporalCluster bool
	Log             func(format string, args ...any)
}

// StartCluster builds carepath, starts PostgreSQL and Temporal, migrates,
// and starts the api and the workers. Stop it with Close.
func StartCluster(ctx context.Context, o ClusterOptions) (*Cluster, error) {
	c := &Cluster{Dir: o.Dir}
	ok := false
	defer func() {
		if !ok {
			c.Close()
		}
	}()
	var err error
	if c.bin, err = buildCarepath(ctx, o.Dir); err != nil {
		return nil, err
	}
	o.Log("built carepath")
	if c.pgPort, err = embedded.FreePort(); err != nil {
		return nil, err
	}
	c.pgDir = filepath.Join(o.Dir, "pg", "data")
	if err := c.startPostgres(ctx); err != nil {
		return nil, err
	}
	o.Log("PostgreSQL up on port %d", c.pgPort)
	if c.tempBin, err = testenv.TemporalBin(); err != nil {
		return nil, err
	}
	if c.tempPrt, err = embedded.FreePort(); err != nil {
		return nil, err
	}
	c.tempDB, c.tempLog = filepath.Join(o.Dir, "temporal.db"), filepath.Join(o.Dir, "temporal.log")
	temporalAddress := fmt.Sprintf("127.0.0.1:%d", c.tempPrt)
	if o.TemporalCluster {
		if temporalAddress, err = c.startTemporalCluster(ctx, o.Log); err != nil {
			return nil, err
		}
	} else {
		if err := c.startTemporal(ctx); err != nil {
			return nil, err
		}
		o.Log("Temporal up on port %d", c.tempPrt)
	}

	if c.webhookKey, err = ecdsa.GenerateKey(elliptic.P256(), rand.Reader); err != nil {
		return nil, fmt.Errorf("webhook key: %w", err)
	}
	der, err := x509.MarshalPKIXPublicKey(&c.webhookKey.PublicKey)
	if err != nil {
		return nil, fmt.Errorf("webhook key: %w", err)
	}
	keys, err := codec.NewKeyLine("chaos1")
	if err != nil {
		return nil, err
	}
	apiPort, err := embedded.FreePort()
	if err != nil {
		return nil, err
	}
	c.APIBase = fmt.Sprintf("http://127.0.0.1:%d", apiPort)
	env := map[string]string{
		"PATH":                        os.Getenv("PATH"),
		"HOME":                        os.Getenv("HOME"),
		"DATABASE_URL":                c.pg.URL,
		"TEMPORAL_ADDRESS":            temporalAddress,
		"TEMPORAL_NAMESPACE":          "default",
		"CAREPATH_HTTP_ADDR":          fmt.Sprintf("127.0.0.1:%d", apiPort),
		"CAREPATH_PUBLIC_URL":         c.APIBase,
		"CAREPATH_DATA_DIR":           o.Dir,
		"CAREPATH_BOOTSTRAP_API_KEY":  adminKey,
		"CAREPATH_ENCRYPTION_KEYS":    keys,
		"CAREPATH_LOG_LEVEL":          "warn",
		"CAREPATH_SMS_PER_SECOND":     "20",
		"CAREPATH_OUTREACH_PER_DAY":   "10",
		"CAREPATH_OUTREACH_PER_WEEK":  "50",
		"TWILIO_ACCOUNT_SID":          twilioSID,
		"TWILIO_AUTH_TOKEN":           twilioToken,
		"TWILIO_FROM_NUMBER":          twilioFrom,
		"TWILIO_API_URL":              o.TwilioURL,
		"SENDGRID_API_KEY":            sendgridKey,
		"SENDGRID_FROM_EMAIL":         sendgridFrom,
		"SENDGRID_API_URL":            o.SendGridURL,
		"SENDGRID_WEBHOOK_PUBLIC_KEY": base64.StdEncoding.EncodeToString(der),
		"SENDGRID_INBOUND_TOKEN":      inboundToken,
	}
	for k, v := range o.Env {
		env[k] = v
	}
	for k, v := range env {
		c.env = append(c.env, k+"="+v)
	}
	if out, err := c.command(ctx, "migrate").CombinedOutput(); err != nil {
		return nil, fmt.Errorf("carepath migrate: %w\n%s", err, out)
	}
	o.Log("migrated")

	c.API = c.newService("api", nil)
	if err := c.API.start(); err != nil {
		return nil, err
	}
	if err := c.startMoreAPIs(o.APIs); err != nil {
		return nil, err
	}
	for i := range o.Workers {
		port, err := embedded.FreePort()
		if err != nil {
			return nil, err
		}
		addr := fmt.Sprintf("127.0.0.1:%d", port)
		env := []string{"CAREPATH_METRICS_ADDR=" + addr}
		if i >= o.Workers-o.MemoryLimitWorkers {
			env = append(env, "CAREPATH_SEND_LIMITER=process")
		}
		w := c.newService(fmt.Sprintf("worker-%d", i+1), env)
		w.args = []string{"worker"}
		if err := w.start(); err != nil {
			return nil, err
		}
		c.Workers = append(c.Workers, w)
		c.workerURLs = append(c.workerURLs, "http://"+addr+"/healthz")
	}
	if err := c.WaitHealthy(ctx, 2*time.Minute); err != nil {
		return nil, err
	}
	o.Log("%d api and %d worker processes healthy", len(c.apis()), len(c.Workers))
	ok = true
	return c, nil
}

func (c *Cluster) newService(name string, extraEnv []string) *service {
	return &service{name: name, bin: c.bin, args: []string{name}, env: append(append([]string(nil), c.env...), extraEnv...),
		logPath: filepath.Join(c.Dir, name+".log"), onCrash: c.crashed}
}

// crash is a process's exits that the harness did not cause.
type crash struct {
	n           int
	first, last time.Time
	why         string // the last "carepath: ..." line of its log (carepath's logs carry no PHI)
}

func (c *Cluster) crashed(name string, err error) {
	why := lastErrorLine(filepath.Join(c.Dir, name+".log"))
	if why == "" {
		why = fmt.Sprint(err)
	}
	now := time.Now()
	c.crashMu.Lock()
	defer c.crashMu.Unlock()
	if c.crashes == nil {
		c.crashes = map[string]*crash{}
	}
	k := c.crashes[name]
	if k == nil {
		k = &crash{first: now}
		c.crashes[name] = k
		c.crashOrder = append(c.crashOrder, name)
	}
	k.n++
	k.last, k.why = now, why
}

// Crashes describes the processes that exited on their own.
func (c *Cluster) Crashes() []string {
	c.crashMu.Lock()
	defer c.crashMu.Unlock()
	var out []string
	for _, name := range c.crashOrder {
		k := c.crashes[name]
		out = append(out, fmt.Sprintf("%s exited on its own %d time(s) between %s and %s (supervisor restarted it); last: %s",
			name, k.n, k.first.Format(time.TimeOnly), k.last.Format(time.TimeOnly), truncate(k.why, 240)))
	}
	return out
}

// lastErrorLine is the last line carepath printed before exiting.
func lastErrorLine(path string) string {
	b, err := os.ReadFile(path)
	if err != nil {
		return ""
	}
	lines := strings.Split(strings.TrimSpace(string(b)), "\n")
	for i := len(lines) - 1; i >= 0 && i >= len(lines)-20; i-- {
		if strings.HasPrefix(lines[i], "carepath:") {
			return lines[i]
		}
	}
	return ""
}

func (c *Cluster) command(ctx context.Context, args ...string) *exec.Cmd {
	cmd := exec.CommandContext(ctx, c.bin, args...)
	cmd.Env = c.env
	return cmd
}

// buildCarepath builds ./cmd/carepath once into dir, or uses the binary
// CHAOS_CAREPATH_BIN names (another build under test).
func buildCarepath(ctx context.Context, dir string) (string, error) {
	if bin := os.Getenv("CHAOS_CAREPATH_BIN"); bin != "" {
		return bin, nil
	}
	root, err := testenv.ModuleRoot()
	if err != nil {
		return "", err
	}
	// The go that runs this test (go test puts its GOROOT's bin first on
	// PATH), else the one on PATH.
	goBin := "go"
	if goroot, err := exec.Command("go", "env", "GOROOT").Output(); err == nil {
		p := filepath.Join(strings.TrimSpace(string(goroot)), "bin", "go")
		if _, err := os.Stat(p); err == nil {
			goBin = p
		}
	}
	out := filepath.Join(dir, "carepath")
	cmd := exec.CommandContext(ctx, goBin, "build", "-o", out, "./cmd/carepath")
	cmd.Dir = root
	if b, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("go build ./cmd/carepath: %w\n%s", err, b)
	}
	return out, nil
}

func (c *Cluster) startPostgres(ctx context.Context) error {
	pg, err := embedded.StartPostgres(ctx, embedded.PostgresOptions{Dir: c.pgDir, Port: c.pgPort, Database: "carepath"})
	if err != nil {
		return fmt.Errorf("start PostgreSQL: %w", err)
	}
	c.pgMu.Lock()
	c.pg = pg
	c.pgMu.Unlock()
	return nil
}

func (c *Cluster) startTemporal(ctx context.Context) error {
	t, err := embedded.StartTemporal(ctx, embedded.TemporalOptions{Bin: c.tempBin, DBFile: c.tempDB, Port: c.tempPrt,
		UIPort: -1, Namespace: "default", LogPath: c.tempLog})
	if err != nil {
		return fmt.Errorf("start Temporal: %w", err)
	}
	c.tempMu.Lock()
	c.temp = t
	c.tempMu.Unlock()
	return nil
}

// TemporalOutage stops the dev server, keeps it down for d, and starts it
// again on the same port and database file.
func (c *Cluster) TemporalOutage(ctx context.Context, d time.Duration) error {
	if c.tc != nil {
		return c.historyOutage(ctx, d)
	}
	c.tempMu.Lock()
	t := c.temp
	c.temp = nil
	c.tempMu.Unlock()
	if t == nil {
		return errors.New("temporal is not running")
	}
	if err := t.Stop(); err != nil {
		return fmt.Errorf("stop Temporal: %w", err)
	}
	select {
	case <-time.After(d):
	case <-ctx.Done():
	}
	return c.startTemporal(context.WithoutCancel(ctx))
}

// PostgresCrash stops PostgreSQL as `pg_ctl stop -m immediate` does
// (SIGQUIT to the postmaster: no checkpoint, crash recovery at start),
// keeps it down for d and starts it again.
func (c *Cluster) PostgresCrash(ctx context.Context, d time.Duration) error {
	c.pgMu.Lock()
	pg := c.pg
	c.pg = nil
	c.pgMu.Unlock()
	if pg == nil {
		return errors.New("postgres is not running")
	}
	if err := syscall.Kill(pg.PID(), syscall.SIGQUIT); err != nil {
		return fmt.Errorf("SIGQUIT postgres: %w", err)
	}
	if err := pg.Stop(); err != nil { // waits for the exit
		return fmt.Errorf("wait for postgres: %w", err)
	}
	select {
	case <-time.After(d):
	case <-ctx.Done():
	}
	return c.startPostgres(context.WithoutCancel(ctx))
}

// WaitHealthy polls the api's /healthz and each worker's /healthz until all
// answer 200, or fails after timeout.
func (c *Cluster) WaitHealthy(ctx context.Context, timeout time.Duration) error {
	deadline := time.Now().Add(timeout)
	for {
		bad := c.unhealthy()
		if len(bad) == 0 {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("not healthy after %s: %v (logs in %s)", timeout, bad, c.Dir)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(500 * time.Millisecond):
		}
	}
}

func (c *Cluster) unhealthy() []string {
	var bad []string
	for i, base := range c.apiBases() {
		if !httpOK(base + "/healthz") {
			bad = append(bad, c.apis()[i].name+" /healthz")
		}
	}
	for i, w := range c.Workers {
		if !w.alive() || !httpOK(c.workerURLs[i]) {
			bad = append(bad, w.name)
		}
	}
	return bad
}

var probe = &http.Client{Timeout: 5 * time.Second}

func httpOK(url string) bool {
	resp, err := probe.Get(url)
	if err != nil {
		return false
	}
	_ = resp.Body.Close() // the status is the probe's answer; the body is not read
	return resp.StatusCode == http.StatusOK
}

// Close stops everything: carepath first, then Temporal and PostgreSQL.
func (c *Cluster) Close() {
	var wg sync.WaitGroup
	for _, s := range append(c.apis(), c.Workers...) {
		if s == nil {
			continue
		}
		wg.Add(1)
		go func() { defer wg.Done(); s.shutdown(15 * time.Second) }()
	}
	wg.Wait()
	c.tempMu.Lock()
	if c.temp != nil {
		_ = c.temp.Stop()
		c.temp = nil
	}
	c.tempMu.Unlock()
	if c.tc != nil {
		_ = c.tc.Stop() // the run's verdict is made; logs stay in Dir
		c.tc = nil
	}
	c.pgMu.Lock()
	if c.pg != nil {
		_ = c.pg.Stop()
		c.pg = nil
	}
	c.pgMu.Unlock()
}
