package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
)

// profiler takes one CPU profile of carepath over its pprof endpoint.
type profiler struct{ done chan struct{} }

// startProfile records 20 seconds of carepath's CPU into path (or fewer,
// if the phase ends first and wait is called: the profile still covers
// the start of the phase, which is where the load is).
func startProfile(ctx context.Context, addr, path string) *profiler {
	p := &profiler{done: make(chan struct{})}
	go func() {
		defer close(p.done)
		if err := fetchProfile(ctx, addr, path); err != nil {
			logf("profile: %v", err)
			return
		}
		logf("profile written to %s (go tool pprof -top %s)", path, path)
	}()
	return p
}

func fetchProfile(ctx context.Context, addr, path string) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, "http://"+addr+"/debug/pprof/profile?seconds=20", nil)
	if err != nil {
		return err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	if resp.StatusCode != http.StatusOK {
		_, rerr := readAll(resp)
		return errors.Join(fmt.Errorf("pprof: status %d", resp.StatusCode), rerr)
	}
	f, err := os.Create(path)
	if err != nil {
		_, rerr := readAll(resp)
		return errors.Join(err, rerr)
	}
	_, err = io.Copy(f, resp.Body)
	return errors.Join(err, resp.Body.Close(), f.Close())
}

// wait waits for the profile to be written; nil (not profiling) is fine.
func (p *profiler) wait() {
	if p != nil {
		<-p.done
	}
}
