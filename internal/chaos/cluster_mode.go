package chaos

import (
	"context"
	"fmt"
	"path/filepath"
	"time"

	"github.com/carepath/carepath/internal/embedded"
	"github.com/carepath/carepath/internal/tcluster"
)

// startTemporalCluster starts a real Temporal cluster (internal/tcluster:
// frontend, history, matching and worker services as processes, on a
// PostgreSQL of its own, so the harness's PostgreSQL crash stays
// carepath's) and returns its frontend's address.
func (c *Cluster) startTemporalCluster(ctx context.Context, logf func(string, ...any)) (string, error) {
	tc, err := tcluster.Start(ctx, tcluster.Options{Dir: filepath.Join(c.Dir, "temporal-cluster"), Namespace: "default", Log: logf})
	if err != nil {
		return "", fmt.Errorf("start the Temporal cluster: %w", err)
	}
	c.tc = tc
	logf("Temporal cluster up: frontend %s", tc.Address)
	return tc.Address, nil
}

// historyOutage SIGKILLs the Temporal cluster's history service, keeps it
// down for d, and starts it again (its shards move back to it).
func (c *Cluster) historyOutage(ctx context.Context, d time.Duration) error {
	if err := c.tc.Kill(tcluster.History); err != nil {
		return fmt.Errorf("kill Temporal history: %w", err)
	}
	select {
	case <-time.After(d):
	case <-ctx.Done():
	}
	return c.tc.Restart(context.WithoutCancel(ctx), tcluster.History)
}

// startMoreAPIs starts api processes 2..n, each on its own port with the
// same public URL (a load balancer's: webhook signatures cover it).
func (c *Cluster) startMoreAPIs(n int) error {
	c.apiURLs = []string{c.APIBase}
	for i := 2; i <= n; i++ {
		port, err := embedded.FreePort()
		if err != nil {
			return err
		}
		name := fmt.Sprintf("api-%d", i)
		s := c.newService(name, []string{fmt.Sprintf("CAREPATH_HTTP_ADDR=127.0.0.1:%d", port)})
		s.args = []string{"api"}
		if err := s.start(); err != nil {
			return err
		}
		c.moreAPIs = append(c.moreAPIs, s)
		c.apiURLs = append(c.apiURLs, fmt.Sprintf("http://127.0.0.1:%d", port))
	}
	return nil
}

// apis is every api process, the first one first.
func (c *Cluster) apis() []*service { return append([]*service{c.API}, c.moreAPIs...) }

// apiBases is every api's base URL, in the order of apis.
func (c *Cluster) apiBases() []string {
	if len(c.apiURLs) == 0 {
		return []string{c.APIBase}
	}
	return c.apiURLs
}

// TemporalCluster is the real Temporal cluster in cluster mode, else nil.
func (c *Cluster) TemporalCluster() *tcluster.Cluster { return c.tc }
