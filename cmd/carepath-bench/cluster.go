package main

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"path/filepath"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/carepath/carepath/internal/tcluster"
)

// useCluster moves the stack onto a Temporal cluster for the next
// comparison: the one at address (`make cluster`'s, say), or one started
// here with internal/tcluster, keeping Temporal's databases on the bench's
// PostgreSQL. The dev server stops first (it would only take CPU), and
// carepath gets a database of its own, so nothing of the dev server's
// journeys follows it onto the cluster. The fake provider stays: the same
// provider, the same schedule, a new server for both sides.
func (s *stack) useCluster(ctx context.Context, address string, logf func(string, ...any)) error {
	if err := s.stopCarepath(); err != nil {
		return err
	}
	if s.stopTemporal != nil {
		logf("stopping the Temporal dev server")
		err := s.stopTemporal()
		s.stopTemporal = nil
		if err != nil {
			return fmt.Errorf("stop the dev server: %w", err)
		}
	}
	s.temporalPID = 0
	if address != "" {
		logf("using the Temporal cluster at %s (TEMPORAL_ADDRESS)", address)
		s.temporalAddress = address
	} else {
		logf("starting a Temporal cluster on PostgreSQL (frontend, history, matching, worker)")
		c, err := tcluster.Start(ctx, tcluster.Options{Dir: filepath.Join(s.dir, "cluster"), PostgresURL: s.databaseURL,
			Namespace: s.namespace, Log: logf})
		if err != nil {
			return fmt.Errorf("start the Temporal cluster: %w", err)
		}
		s.stopTemporal = c.Stop
		s.temporalAddress = c.Address
	}
	u, err := ownDatabase(ctx, s.databaseURL, "_cluster")
	if err != nil {
		return err
	}
	s.databaseURL = u
	return nil
}

// ownDatabase creates (if missing) a database named after the one in
// databaseURL plus suffix, on the same server, and returns its URL.
func ownDatabase(ctx context.Context, databaseURL, suffix string) (_ string, err error) {
	u, err := url.Parse(databaseURL)
	if err != nil || u.Scheme == "" {
		return "", fmt.Errorf("DATABASE_URL: want a postgres:// URL to make the cluster run's database beside it")
	}
	name := strings.TrimPrefix(u.Path, "/") + suffix
	conn, err := pgx.Connect(ctx, databaseURL)
	if err != nil {
		return "", fmt.Errorf("connect to PostgreSQL: %w", err)
	}
	defer func() { err = errors.Join(err, conn.Close(ctx)) }()
	_, err = conn.Exec(ctx, "CREATE DATABASE "+pgx.Identifier{name}.Sanitize())
	var pgErr *pgconn.PgError
	if err != nil && !(errors.As(err, &pgErr) && pgErr.Code == "42P04") { // 42P04: it exists (DATABASE_URL reused)
		return "", fmt.Errorf("create database %s: %w", name, err)
	}
	u.Path = "/" + name
	return u.String(), nil
}
