package main

import (
	"flag"
	"fmt"
	"io"
	"time"

	"github.com/carepath/carepath/codec"
)

// runKeygen prints a fresh key line. To rotate, put the new line first in
// CAREPATH_ENCRYPTION_KEYS (or the key file) and keep the old ones after it
// until no running workflow's history needs them.
func runKeygen(args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("keygen", flag.ContinueOnError)
	id := fs.String("id", time.Now().UTC().Format("k20060102"), "key id (letters, digits, _ . -)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	line, err := codec.NewKeyLine(*id)
	if err != nil {
		return err
	}
	_, err = fmt.Fprintln(stdout, line)
	return err
}
