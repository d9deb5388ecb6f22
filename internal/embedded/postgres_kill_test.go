package embedded_test

import (
	"context"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/carepath/carepath/internal/embedded"
)

// A crash is a crash: after Kill, the backend serving an open connection is
// gone too. PostgreSQL's backends call setsid, so a kill of the process
// group alone left them answering for a moment, and recovery tests could
// see a query succeed "with PostgreSQL down".
func TestPostgresKillTakesItsBackends(t *testing.T) {
	if testing.Short() {
		t.Skip("starts PostgreSQL: run make test")
	}
	ctx := context.Background()
	pg, err := embedded.StartPostgres(ctx, embedded.PostgresOptions{Dir: t.TempDir(), Database: "kill_test", Ephemeral: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := pg.Stop(); err != nil {
			t.Log(err)
		}
	})
	conn, err := pgx.Connect(ctx, pg.URL)
	if err != nil {
		t.Fatal(err)
	}
	var backend int
	if err := conn.QueryRow(ctx, "SELECT pg_backend_pid()").Scan(&backend); err != nil {
		t.Fatal(err)
	}
	if err := pg.Kill(); err != nil {
		t.Fatal(err)
	}
	if alive(backend) {
		t.Fatalf("backend %d still running after Kill", backend)
	}
	qctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	if err := conn.QueryRow(qctx, "SELECT 1").Scan(new(int)); err == nil {
		t.Fatal("a query succeeded on an open connection after Kill")
	}
}

// alive reports whether pid is a running process (a zombie is not).
func alive(pid int) bool {
	stat, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return false
	}
	// The state follows the command name in parentheses.
	rest := string(stat[strings.LastIndexByte(string(stat), ')')+1:])
	fields := strings.Fields(rest)
	return len(fields) > 0 && fields[0] != "Z" && fields[0] != "X"
}
