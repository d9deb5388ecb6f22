package main

import (
	"fmt"
	"io"
	"path/filepath"
	"strings"

	"github.com/carepath/carepath/internal/tcluster"
)

func printBanner(w io.Writer, dir string, tc *tcluster.Cluster, f *fleet, s secrets) error {
	var b strings.Builder
	fmt.Fprintf(&b, "\ncarepath cluster is running\n")
	for i, a := range f.apis {
		fmt.Fprintf(&b, "  API %d:             %s   (console: %s/console)\n", i+1, a, a)
	}
	for i, wk := range f.workers {
		fmt.Fprintf(&b, "  Worker %d:          %s/healthz, /metrics\n", i+1, wk)
	}
	fmt.Fprintf(&b, "  Admin API key:     %s\n", s.adminKey)
	fmt.Fprintf(&b, "  Admin sign-in:     %s  password: %s\n", s.adminEmail, s.adminPassword)
	fmt.Fprintf(&b, "  Outbound SMS/email: sandbox (recorded in PostgreSQL, nothing is sent)\n")
	fmt.Fprintf(&b, "  Temporal:          %s (namespace %s; frontend, history, matching, worker: one process each)\n", tc.Address, tc.Namespace)
	if tc.UIAddress != "" {
		fmt.Fprintf(&b, "  Temporal UI:       %s\n", tc.UIAddress)
	} else {
		fmt.Fprintf(&b, "  Temporal UI:       none (no UI server builds from the module proxy; use ./bin/temporal --address %s)\n", tc.Address)
	}
	fmt.Fprintf(&b, "  Codec server:      %s  (temporal workflow show -w ID --address %s --codec-endpoint %s --codec-auth \"Bearer <key>\")\n", f.codec, tc.Address, f.codec)
	fmt.Fprintf(&b, "  Data directory:    %s (logs: %s, Temporal's: %s)\n", dir, filepath.Join(dir, "logs"), tc.Dir())
	fmt.Fprintf(&b, "Press Ctrl-C to stop.\n\n")
	_, err := io.WriteString(w, b.String())
	return err
}
