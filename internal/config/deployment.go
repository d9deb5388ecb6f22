package config

import (
	"errors"
	"regexp"
	"runtime/debug"
)

// Deployment is the Temporal worker deployment this process's workers join
// (Worker Versioning, docs/operations.md). The zero value is unversioned:
// the workers poll every task queue as before, which is what `make run` and
// every test without the setting get.
type Deployment struct {
	// Name is the worker deployment (CAREPATH_WORKER_DEPLOYMENT, e.g.
	// "carepath"); empty turns versioning off.
	Name string
	// BuildID names this build's code (CAREPATH_BUILD_ID); by default the
	// binary's VCS revision. Two binaries with different workflow code must
	// never share one: a journey pinned to a build replays on any worker
	// of it.
	BuildID string
}

// Enabled reports whether the workers poll as a deployment version.
func (d Deployment) Enabled() bool { return d.Name != "" }

// Version is "<name>:<build id>", as the Temporal CLI and UI print it.
func (d Deployment) Version() string { return d.Name + ":" + d.BuildID }

// Names a Temporal server accepts in a version string: no ':' (its
// separator) nor '.' (the older separator) in the deployment name.
var (
	deploymentName = regexp.MustCompile(`^[A-Za-z0-9_-]{1,100}$`)
	buildIDPattern = regexp.MustCompile(`^[A-Za-z0-9._+-]{1,100}$`)
)

// deploymentFromEnv reads CAREPATH_WORKER_DEPLOYMENT and CAREPATH_BUILD_ID.
// A build ID without a deployment is refused rather than ignored: whoever
// set it expected versioned workers.
func deploymentFromEnv(get func(k, def string) string, bad func(key, format string, args ...any)) Deployment {
	d := Deployment{Name: get("CAREPATH_WORKER_DEPLOYMENT", ""), BuildID: get("CAREPATH_BUILD_ID", "")}
	if d.Name == "" {
		if d.BuildID != "" {
			bad("CAREPATH_BUILD_ID", "is set but CAREPATH_WORKER_DEPLOYMENT is not (versioning is off without a deployment name)")
		}
		return d
	}
	if !deploymentName.MatchString(d.Name) {
		bad("CAREPATH_WORKER_DEPLOYMENT", "must be 1-100 letters, digits, '-' or '_'")
	}
	if d.BuildID == "" {
		id, err := BinaryBuildID()
		if err != nil {
			bad("CAREPATH_BUILD_ID", "is required with CAREPATH_WORKER_DEPLOYMENT: %v", err)
			return d
		}
		d.BuildID = id
	}
	if !buildIDPattern.MatchString(d.BuildID) {
		bad("CAREPATH_BUILD_ID", "must be 1-100 letters, digits, '.', '_', '+' or '-'")
	}
	return d
}

// BinaryBuildID is this binary's build ID: the first 12 hex digits of the
// VCS revision `go build` stamped into it.
func BinaryBuildID() (string, error) {
	info, ok := debug.ReadBuildInfo()
	if !ok {
		return "", errors.New("this binary carries no build information")
	}
	return buildIDFrom(info.Settings)
}

// buildIDFrom derives the build ID from a binary's build settings. A
// binary built from a modified tree has none: two different edits of the
// same commit would share it, and a journey pinned to it could meet code
// it did not start on.
func buildIDFrom(settings []debug.BuildSetting) (string, error) {
	var rev string
	for _, s := range settings {
		switch s.Key {
		case "vcs.revision":
			rev = s.Value
		case "vcs.modified":
			if s.Value == "true" {
				return "", errors.New("this binary was built from a modified tree: name the build explicitly")
			}
		}
	}
	if rev == "" {
		return "", errors.New("this binary carries no VCS revision (go run, or built outside a git checkout)")
	}
	if len(rev) > 12 {
		rev = rev[:12]
	}
	return rev, nil
}
