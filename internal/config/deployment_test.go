package config

import (
	"runtime/debug"
	"strings"
	"testing"
)

func TestDeploymentFromEnv(t *testing.T) {
	read := func(vars map[string]string) (Deployment, []string) {
		var problems []string
		get := func(k, def string) string {
			if v := vars[k]; v != "" {
				return v
			}
			return def
		}
		d := deploymentFromEnv(get, func(key, format string, _ ...any) { problems = append(problems, key) })
		return d, problems
	}
	if d, p := read(nil); d.Enabled() || len(p) != 0 {
		t.Fatalf("unset: %+v %v, want unversioned", d, p)
	}
	d, p := read(map[string]string{"CAREPATH_WORKER_DEPLOYMENT": "carepath", "CAREPATH_BUILD_ID": "2026.12.01-1"})
	if !d.Enabled() || d.Version() != "carepath:2026.12.01-1" || len(p) != 0 {
		t.Fatalf("set: %+v %v", d, p)
	}
	for _, c := range []struct {
		vars map[string]string
		key  string
	}{
		{map[string]string{"CAREPATH_BUILD_ID": "abc"}, "CAREPATH_BUILD_ID"},
		{map[string]string{"CAREPATH_WORKER_DEPLOYMENT": "care:path", "CAREPATH_BUILD_ID": "abc"}, "CAREPATH_WORKER_DEPLOYMENT"},
		{map[string]string{"CAREPATH_WORKER_DEPLOYMENT": "carepath", "CAREPATH_BUILD_ID": "a:b"}, "CAREPATH_BUILD_ID"},
		// A test binary carries no VCS revision: the build must be named.
		{map[string]string{"CAREPATH_WORKER_DEPLOYMENT": "carepath"}, "CAREPATH_BUILD_ID"},
	} {
		if _, p := read(c.vars); len(p) != 1 || p[0] != c.key {
			t.Errorf("%v: problems %v, want one naming %s", c.vars, p, c.key)
		}
	}
}

func TestBuildIDFrom(t *testing.T) {
	rev := []debug.BuildSetting{{Key: "vcs", Value: "git"}, {Key: "vcs.revision", Value: "3f25286a1b2c3d4e5f60718293a4b5c6d7e8f901"}}
	if id, err := buildIDFrom(rev); err != nil || id != "3f25286a1b2c" {
		t.Fatalf("clean tree: %q %v", id, err)
	}
	if _, err := buildIDFrom(append(rev, debug.BuildSetting{Key: "vcs.modified", Value: "true"})); err == nil || !strings.Contains(err.Error(), "modified") {
		t.Fatalf("modified tree: %v, want refused", err)
	}
	if _, err := buildIDFrom(nil); err == nil {
		t.Fatal("no revision: want an error")
	}
}
