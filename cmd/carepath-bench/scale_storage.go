package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/jackc/pgx/v5"
)

// relationSize is one table's size with its indexes and TOAST.
type relationSize struct {
	Table string  `json:"table"`
	MiB   float64 `json:"mib"`
	Rows  int64   `json:"rows_estimate"`
}

// largestTables are carepath's biggest tables, largest first.
func largestTables(ctx context.Context, databaseURL string, k int) (_ []relationSize, err error) {
	conn, err := pgx.Connect(ctx, databaseURL)
	if err != nil {
		return nil, fmt.Errorf("connect to PostgreSQL: %w", err)
	}
	defer func() { err = errors.Join(err, conn.Close(ctx)) }()
	if _, err := conn.Exec(ctx, `ANALYZE`); err != nil {
		return nil, fmt.Errorf("analyze: %w", err)
	}
	rows, err := conn.Query(ctx, `SELECT c.relname, pg_total_relation_size(c.oid)::float8 / 1048576, c.reltuples::int8
		FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
		WHERE c.relkind IN ('r', 'p') AND n.nspname = 'public'
		ORDER BY pg_total_relation_size(c.oid) DESC LIMIT $1`, k)
	if err != nil {
		return nil, fmt.Errorf("table sizes: %w", err)
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (relationSize, error) {
		var s relationSize
		return s, r.Scan(&s.Table, &s.MiB, &s.Rows)
	})
}

// sqliteMiB is the dev server's database on disk: the file and its WAL.
func sqliteMiB(dir string) float64 {
	var total float64
	for _, f := range []string{"temporal.db", "temporal.db-wal"} {
		if fi, err := os.Stat(filepath.Join(dir, f)); err == nil {
			total += float64(fi.Size()) / (1 << 20)
		}
	}
	return total
}
