package main

import (
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"io"

	"github.com/carepath/carepath/internal/config"
	"github.com/carepath/carepath/store"
)

// runAudit implements `carepath audit verify`: walk the hash chain and say
// whether every row is intact. It prints the head hash so it can be kept
// elsewhere; a later head that no longer extends it means rows were cut.
func runAudit(ctx context.Context, cfg *config.Config, args []string, stdout io.Writer) error {
	if len(args) != 1 || args[0] != "verify" {
		return errors.New("usage: carepath audit verify")
	}
	if cfg.DatabaseURL == "" {
		return errors.New("DATABASE_URL is required")
	}
	st, err := store.Open(ctx, cfg.DatabaseURL)
	if err != nil {
		return err
	}
	defer st.Close()
	r, err := st.AuditVerify(ctx)
	if err != nil {
		return err
	}
	if r.BrokenAt != 0 {
		_, perr := fmt.Fprintf(stdout, "audit trail BROKEN at entry %d: %s (%d entries checked)\n", r.BrokenAt, r.Problem, r.Rows)
		return errors.Join(fmt.Errorf("audit trail failed verification at entry %d", r.BrokenAt), perr)
	}
	_, err = fmt.Fprintf(stdout, "audit trail intact: %d entries, head %s\n", r.Rows, hex.EncodeToString(r.Head))
	return err
}
