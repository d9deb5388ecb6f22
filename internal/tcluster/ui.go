package tcluster

import (
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"time"

	"github.com/carepath/carepath/internal/embedded"
)

// EnvUIBin names the Temporal UI server binary (else bin/temporal-ui-server,
// found as Bins finds the server).
const EnvUIBin = "CAREPATH_TEMPORAL_UI_BIN"

// startUI starts github.com/temporalio/ui-server (what the Temporal CLI's
// dev server embeds) against the frontend, when its binary is there; the
// cluster runs without it otherwise.
func (c *Cluster) startUI(codecEndpoint string) error {
	bin, err := findBin(EnvUIBin, "temporal-ui-server")
	if err != nil {
		c.logf("temporal: no UI (%v)", err)
		return nil
	}
	port, err := embedded.FreePort()
	if err != nil {
		return err
	}
	root := filepath.Join(c.dir, "ui")
	if err := os.MkdirAll(filepath.Join(root, "config"), 0o700); err != nil {
		return fmt.Errorf("create the UI config dir: %w", err)
	}
	cfg := fmt.Sprintf(`# Written by carepath's internal/tcluster at every start: edits are lost.
temporalGrpcAddress: %q
host: 127.0.0.1
port: %d
enableUi: true
defaultNamespace: %q
hideLogs: true
cors:
  cookieInsecure: true
codec:
  endpoint: %q
`, c.Address, port, c.Namespace, codecEndpoint)
	if err := os.WriteFile(filepath.Join(root, "config", configEnv+".yaml"), []byte(cfg), 0o600); err != nil {
		return fmt.Errorf("write the UI config: %w", err)
	}
	logPath := filepath.Join(c.dir, "temporal-ui.log")
	p, err := embedded.StartProcess("temporal ui", exec.Command(bin, "--root", root, "--config", "config", "--env", configEnv, "start"), logPath)
	if err != nil {
		return err
	}
	c.mu.Lock()
	c.ui = p
	c.mu.Unlock()
	addr := fmt.Sprintf("127.0.0.1:%d", port)
	if err := p.WaitReady(time.Minute, func() error {
		conn, err := net.DialTimeout("tcp", addr, time.Second)
		if err != nil {
			return err
		}
		return conn.Close()
	}); err != nil {
		return err
	}
	c.UIAddress = "http://" + addr
	return nil
}
