package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"

	"github.com/carepath/carepath/internal/config"
	"github.com/carepath/carepath/store"
)

const auditUsage = "usage: carepath audit verify [--checkpoint FILE] | carepath audit checkpoint"

// runAudit implements `carepath audit verify` (walk every chain and say
// whether each row is intact; --checkpoint FILE also checks the live chains
// still contain every checkpoint line kept in FILE) and `carepath audit
// checkpoint` (record every partition's head now and print it as one line
// to keep outside the database: cut tails show against it).
func runAudit(ctx context.Context, cfg *config.Config, args []string, stdout io.Writer) error {
	if len(args) == 0 {
		return errors.New(auditUsage)
	}
	fs := flag.NewFlagSet("audit "+args[0], flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	checkpointFile := fs.String("checkpoint", "", "a file of checkpoint lines kept outside the database")
	if err := fs.Parse(args[1:]); err != nil || fs.NArg() != 0 || (args[0] != "verify" && *checkpointFile != "") {
		return errors.New(auditUsage)
	}
	if args[0] != "verify" && args[0] != "checkpoint" {
		return errors.New(auditUsage)
	}
	if cfg.DatabaseURL == "" {
		return errors.New("DATABASE_URL is required")
	}
	keys, err := auditKeys(cfg)
	if err != nil {
		return err
	}
	var anchors []store.AuditCheckpoint
	if *checkpointFile != "" {
		f, err := os.Open(*checkpointFile)
		if err != nil {
			return fmt.Errorf("--checkpoint: %w", err)
		}
		anchors, err = store.ParseAuditCheckpoints(f)
		if cerr := f.Close(); err == nil && cerr != nil {
			err = cerr
		}
		if err != nil {
			return fmt.Errorf("--checkpoint %s: %w", *checkpointFile, err)
		}
	}
	// Walking a long trail takes longer than a request may.
	o := store.DefaultOptions
	o.StatementTimeout, o.IdleInTransactionSessionTimeout = 0, 0
	st, err := store.OpenWith(ctx, cfg.DatabaseURL, o)
	if err != nil {
		return err
	}
	defer st.Close()
	if args[0] == "checkpoint" {
		store.UseAuditKeys(keys)
		c, err := st.AuditCheckpoint(ctx)
		if err != nil {
			return err
		}
		line, err := json.Marshal(c)
		if err != nil {
			return err
		}
		_, err = fmt.Fprintf(stdout, "%s\n", line)
		return err
	}
	r, err := st.AuditVerifyWith(ctx, store.AuditVerifyOptions{Keys: keys, Anchors: anchors})
	if err != nil {
		return err
	}
	if !r.Intact() {
		where := ""
		if r.BrokenAt != 0 {
			where = fmt.Sprintf(" at entry %d", r.BrokenAt)
		}
		_, perr := fmt.Fprintf(stdout, "audit trail BROKEN%s: %s (%d entries checked)\n", where, r.Problem, r.Rows)
		for _, p := range r.Problems[1:] {
			if perr == nil {
				_, perr = fmt.Fprintf(stdout, "  also: %s\n", p)
			}
		}
		return errors.Join(fmt.Errorf("audit trail failed verification (%d problems)", len(r.Problems)), perr)
	}
	_, err = fmt.Fprintf(stdout, "audit trail intact: %d entries (%d legacy) in %d partitions; %d stored checkpoints, %d kept checkpoints found\n",
		r.Rows, r.Legacy.Rows, len(r.Heads), r.Checkpoints, r.Anchors)
	return err
}
