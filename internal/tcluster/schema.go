package tcluster

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"

	"github.com/jackc/pgx/v5"
)

// databases are Temporal's two: workflows (the default store) and visibility.
var databases = []struct{ name, schema string }{
	{"temporal", "temporal"},
	{"temporal_visibility", "visibility"},
}

// EnvSchemaDir names a directory holding Temporal's PostgreSQL schemas
// (temporal/versioned and visibility/versioned, as in
// go.temporal.io/server's schema/postgresql/v12); empty uses the ones
// compiled into the sql tool, which are the same files.
const EnvSchemaDir = "CAREPATH_TEMPORAL_SCHEMA_DIR"

// parseDB reads host, port, user and password from a postgres:// URL.
func parseDB(raw string) (dbConn, error) {
	u, err := url.Parse(raw)
	if err != nil {
		return dbConn{}, fmt.Errorf("parse the PostgreSQL URL: %w", err)
	}
	port := 5432
	if p := u.Port(); p != "" {
		if port, err = strconv.Atoi(p); err != nil {
			return dbConn{}, fmt.Errorf("the PostgreSQL URL's port %q: %w", p, err)
		}
	}
	pw, _ := u.User.Password()
	return dbConn{host: u.Hostname(), port: port, user: u.User.Username(), password: pw}, nil
}

// setUpSchemas creates Temporal's databases if missing and brings both
// schemas to the sql tool's latest version. Both steps are idempotent, so
// they run at every start (a newer server build updates the schema).
func setUpSchemas(ctx context.Context, pgURL, sqlTool, logPath string) error {
	if err := createDatabases(ctx, pgURL); err != nil {
		return err
	}
	db, err := parseDB(pgURL)
	if err != nil {
		return err
	}
	schemaDir := os.Getenv(EnvSchemaDir)
	for _, d := range databases {
		base := []string{"--plugin", "postgres12", "--endpoint", db.host, "--port", strconv.Itoa(db.port),
			"--user", db.user, "--database", d.name, "--quiet"}
		update := []string{"update-schema", "--schema-name", "postgresql/v12/" + d.schema}
		if schemaDir != "" {
			update = []string{"update-schema", "--schema-dir", filepath.Join(schemaDir, d.schema, "versioned")}
		}
		// setup-schema -v 0.0 creates the version tables only; update-schema
		// applies every versioned step after the recorded version.
		for _, step := range [][]string{{"setup-schema", "-v", "0.0"}, update} {
			if err := runTool(ctx, sqlTool, append(append([]string(nil), base...), step...), db.password, logPath); err != nil {
				return fmt.Errorf("temporal-sql-tool %s on %s: %w", step[0], d.name, err)
			}
		}
	}
	return nil
}

// runTool runs the sql tool, the password in its environment (SQL_PASSWORD)
// rather than on its command line, where ps shows it.
func runTool(ctx context.Context, bin string, args []string, password, logPath string) error {
	cmd := exec.CommandContext(ctx, bin, args...)
	cmd.Env = append(os.Environ(), "SQL_PASSWORD="+password)
	out, err := cmd.CombinedOutput()
	f, ferr := os.OpenFile(logPath, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if ferr == nil {
		_, werr := f.Write(out)
		ferr = errors.Join(werr, f.Close())
	}
	if err != nil {
		return fmt.Errorf("%w (see %s)", err, logPath)
	}
	return ferr
}

func createDatabases(ctx context.Context, pgURL string) (err error) {
	c, err := pgx.Connect(ctx, pgURL)
	if err != nil {
		return fmt.Errorf("connect to PostgreSQL for Temporal's databases: %w", err)
	}
	defer func() { err = errors.Join(err, c.Close(ctx)) }()
	for _, d := range databases {
		var exists bool
		if err := c.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)`, d.name).Scan(&exists); err != nil {
			return fmt.Errorf("check database %s: %w", d.name, err)
		}
		if exists {
			continue
		}
		if _, err := c.Exec(ctx, "CREATE DATABASE "+pgx.Identifier{d.name}.Sanitize()); err != nil {
			return fmt.Errorf("create database %s: %w", d.name, err)
		}
	}
	return nil
}
