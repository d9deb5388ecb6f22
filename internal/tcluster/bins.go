package tcluster

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
)

// ServerVersion is the go.temporal.io/server release scripts/temporal-server.sh
// builds (`make temporal-server`).
const ServerVersion = "v1.29.1"

// Environment variables naming the binaries (else ./bin is searched).
const (
	EnvServerBin = "CAREPATH_TEMPORAL_SERVER_BIN"
	EnvSQLBin    = "CAREPATH_TEMPORAL_SQL_BIN"
)

// Bins finds the server and sql-tool binaries: the environment variables,
// else bin/temporal-server and bin/temporal-sql-tool in the working
// directory or one above it (tests run in their package's directory),
// else beside the running executable.
func Bins() (server, sqlTool string, err error) {
	server, err1 := findBin(EnvServerBin, "temporal-server")
	sqlTool, err2 := findBin(EnvSQLBin, "temporal-sql-tool")
	if err := errors.Join(err1, err2); err != nil {
		return "", "", err
	}
	return server, sqlTool, nil
}

func findBin(env, name string) (string, error) {
	if p := os.Getenv(env); p != "" {
		if !isExecutable(p) {
			return "", fmt.Errorf("%s=%s is not an executable file", env, p)
		}
		return p, nil
	}
	var dirs []string
	if wd, err := os.Getwd(); err == nil {
		for d := wd; ; d = filepath.Dir(d) {
			dirs = append(dirs, filepath.Join(d, "bin"))
			if _, err := os.Stat(filepath.Join(d, "go.mod")); err == nil || d == filepath.Dir(d) {
				break // the module root: no further up
			}
		}
	}
	if exe, err := os.Executable(); err == nil {
		dirs = append(dirs, filepath.Dir(exe))
	}
	for _, d := range dirs {
		if p := filepath.Join(d, name); isExecutable(p) {
			return filepath.Abs(p)
		}
	}
	return "", fmt.Errorf("%s was not found: run `make temporal-server` (builds go.temporal.io/server %s into ./bin) or set %s",
		name, ServerVersion, env)
}

func isExecutable(p string) bool {
	st, err := os.Stat(p)
	return err == nil && !st.IsDir() && st.Mode()&0o111 != 0
}
