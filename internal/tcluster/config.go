package tcluster

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// configEnv is the --env the services run with: config/<configEnv>.yaml.
const configEnv = "cluster"

// numHistoryShards is fixed when the databases are first set up (Temporal
// cannot change it later). Four keeps a laptop's cluster small while still
// spreading workflows over more than one shard.
const numHistoryShards = 4

// ports are one service's gRPC and membership (ringpop) ports.
type ports struct{ grpc, membership int }

// dbConn is how the services reach PostgreSQL.
type dbConn struct {
	host     string
	port     int
	user     string
	password string
}

// writeConfig writes the server's static config (persistence, one set of
// ports per service, the cluster's metadata) and its dynamic config under
// dir/config, for `--root dir --config config --env cluster`.
func writeConfig(dir string, db dbConn, svc map[Service]ports, httpPort int) error {
	cfgDir := filepath.Join(dir, "config")
	if err := os.MkdirAll(filepath.Join(cfgDir, "dynamicconfig"), 0o700); err != nil {
		return fmt.Errorf("create temporal config dir: %w", err)
	}
	store := func(name string, conns int) string {
		return fmt.Sprintf(`    %s:
      sql:
        pluginName: "postgres12"
        databaseName: %q
        connectAddr: %q
        connectProtocol: "tcp"
        user: %q
        password: %q
        maxConns: %d
        maxIdleConns: %d
        maxConnLifetime: "1h"
`, name, map[string]string{"default": "temporal", "visibility": "temporal_visibility"}[name],
			db.host+":"+strconv.Itoa(db.port), db.user, db.password, conns, conns)
	}
	var b strings.Builder
	fmt.Fprintf(&b, `# Written by carepath's internal/tcluster at every start: edits are lost.
log:
  stdout: true
  level: warn

persistence:
  defaultStore: default
  visibilityStore: visibility
  numHistoryShards: %d
  datastores:
`, numHistoryShards)
	b.WriteString(store("default", 10))
	b.WriteString(store("visibility", 4))
	b.WriteString(`
global:
  membership:
    maxJoinDuration: 30s
    broadcastAddress: "127.0.0.1"

services:
`)
	for _, s := range services {
		p := svc[s]
		fmt.Fprintf(&b, "  %s:\n    rpc:\n      grpcPort: %d\n      membershipPort: %d\n      bindOnLocalHost: true\n", s, p.grpc, p.membership)
		if s == Frontend {
			fmt.Fprintf(&b, "      httpPort: %d\n", httpPort)
		}
	}
	fmt.Fprintf(&b, `
clusterMetadata:
  enableGlobalNamespace: false
  failoverVersionIncrement: 10
  masterClusterName: "active"
  currentClusterName: "active"
  clusterInformation:
    active:
      enabled: true
      initialFailoverVersion: 1
      rpcName: "frontend"
      rpcAddress: "127.0.0.1:%d"

dcRedirectionPolicy:
  policy: "noop"

dynamicConfigClient:
  filepath: %q
  pollInterval: "10s"
`, svc[Frontend].grpc, filepath.Join(cfgDir, "dynamicconfig", "cluster.yaml"))
	if err := os.WriteFile(filepath.Join(cfgDir, configEnv+".yaml"), []byte(b.String()), 0o600); err != nil {
		return fmt.Errorf("write temporal config: %w", err)
	}
	if err := os.WriteFile(filepath.Join(cfgDir, "dynamicconfig", "cluster.yaml"), []byte(dynamicConfig), 0o600); err != nil {
		return fmt.Errorf("write temporal dynamic config: %w", err)
	}
	return nil
}

// dynamicConfig turns on what the dev server has on and carepath uses:
// Worker Versioning (worker deployments), update-with-start, long IDs.
const dynamicConfig = `limit.maxIDLength:
  - value: 255
frontend.workerVersioningDataAPIs:
  - value: true
frontend.workerVersioningWorkflowAPIs:
  - value: true
frontend.workerVersioningRuleAPIs:
  - value: true
system.enableDeploymentVersions:
  - value: true
system.enableDeployments:
  - value: true
frontend.enableExecuteMultiOperation:
  - value: true
frontend.enableUpdateWorkflowExecution:
  - value: true
frontend.enableUpdateWorkflowExecutionAsyncAccepted:
  - value: true
`
