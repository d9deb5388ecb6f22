package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"os"

	"github.com/jackc/pgx/v5"
	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/client"
)

// historyEvents is the mean length of the given workflows' histories
// (current runs), read from the server.
func historyEvents(ctx context.Context, tc client.Client, ids []string) (float64, error) {
	if len(ids) == 0 {
		return 0, nil
	}
	total := 0
	for _, id := range ids {
		it := tc.GetWorkflowHistory(ctx, id, "", false, enumspb.HISTORY_EVENT_FILTER_TYPE_ALL_EVENT)
		for it.HasNext() {
			if _, err := it.Next(); err != nil {
				return 0, fmt.Errorf("history of %s: %w", id, err)
			}
			total++
		}
	}
	return float64(total) / float64(len(ids)), nil
}

// sample picks up to k evenly spaced IDs out of n.
func sample(n, k int, id func(int) string) []string {
	var out []string
	step := max(n/k, 1)
	for i := 0; i < n && len(out) < k; i += step {
		out = append(out, id(i))
	}
	return out
}

// enrollmentWorkflows returns the workflow IDs of up to k of the patients'
// enrollments, read from carepath's database.
func enrollmentWorkflows(ctx context.Context, databaseURL string, patientIDs []string, k int) (_ []string, err error) {
	conn, err := pgx.Connect(ctx, databaseURL)
	if err != nil {
		return nil, fmt.Errorf("connect to PostgreSQL: %w", err)
	}
	defer func() { err = errors.Join(err, conn.Close(ctx)) }()
	ids := sample(len(patientIDs), k, func(i int) string { return patientIDs[i] })
	rows, err := conn.Query(ctx, `SELECT workflow_id FROM enrollments WHERE patient_id = ANY($1::uuid[]) ORDER BY workflow_id`, ids)
	if err != nil {
		return nil, fmt.Errorf("enrollment workflows: %w", err)
	}
	return pgx.CollectRows(rows, pgx.RowTo[string])
}

// databaseBytes is the size of carepath's database.
func databaseBytes(ctx context.Context, databaseURL string) (_ int64, err error) {
	conn, err := pgx.Connect(ctx, databaseURL)
	if err != nil {
		return 0, fmt.Errorf("connect to PostgreSQL: %w", err)
	}
	defer func() { err = errors.Join(err, conn.Close(ctx)) }()
	var n int64
	if err := conn.QueryRow(ctx, `SELECT pg_database_size(current_database())`).Scan(&n); err != nil {
		return 0, fmt.Errorf("database size: %w", err)
	}
	return n, nil
}

// quietLogger keeps the SDK's chatter (warnings only) off the report.
func quietLogger() *slog.Logger {
	return slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
}

// freeAddr is a free loopback address.
func freeAddr() (string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	addr := ln.Addr().String()
	return addr, ln.Close()
}
