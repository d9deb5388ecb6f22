package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"time"
)

// runHealthcheck is `carepath healthcheck URL`: a GET that succeeds on a 2xx
// answer within five seconds. The image is distroless (no shell, curl or
// wget), so Docker's and Kubernetes' exec probes call the binary itself. It
// reads no configuration: a probe must not fail on a setting the process it
// probes already accepted.
func runHealthcheck(ctx context.Context, args []string, stdout io.Writer) error {
	if len(args) != 1 {
		return errors.New("usage: carepath healthcheck URL (e.g. http://127.0.0.1:8080/healthz)")
	}
	u, err := url.Parse(args[0])
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return fmt.Errorf("healthcheck: %q is not an http(s) URL", args[0])
	}
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return fmt.Errorf("healthcheck: %w", err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return fmt.Errorf("healthcheck: %w", err)
	}
	// The body (a JSON summary of the checks) is read to say what failed.
	body, rerr := io.ReadAll(io.LimitReader(resp.Body, 4<<10))
	if cerr := resp.Body.Close(); rerr == nil {
		rerr = cerr
	}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return fmt.Errorf("healthcheck: %s answered %s: %s", u.Redacted(), resp.Status, body)
	}
	if rerr != nil {
		return fmt.Errorf("healthcheck: read the answer: %w", rerr)
	}
	_, err = fmt.Fprintf(stdout, "%s %s\n", resp.Status, body)
	return err
}
