// Command carepath runs the patient-engagement engine: `carepath dev` runs
// everything in one process for a laptop; `api`, `worker` and `migrate` are
// the production pieces.
package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Getenv, os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "carepath:", err)
		os.Exit(1)
	}
}
