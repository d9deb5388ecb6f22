package main

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// clockTicks is USER_HZ, the unit of /proc/<pid>/stat CPU times: 100 on
// every mainstream Linux build (reading it needs sysconf, i.e. cgo).
const clockTicks = 100

// procStat reads a process's parent and CPU time (user+system) from /proc.
func procStat(pid int) (ppid int, cpu time.Duration, err error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0, 0, err
	}
	// The command name may hold spaces and parentheses: fields start after the last ')'.
	s := string(b)
	f := strings.Fields(s[strings.LastIndexByte(s, ')')+1:])
	if len(f) < 13 {
		return 0, 0, fmt.Errorf("/proc/%d/stat: short", pid)
	}
	ppid, perr := strconv.Atoi(f[1])
	utime, uerr := strconv.ParseInt(f[11], 10, 64)
	stime, serr := strconv.ParseInt(f[12], 10, 64)
	if err := errors.Join(perr, uerr, serr); err != nil {
		return 0, 0, fmt.Errorf("/proc/%d/stat: %w", pid, err)
	}
	return ppid, time.Duration(utime+stime) * time.Second / clockTicks, nil
}

// treeCPUs is the CPU time of a process and of each of its direct
// children (a PostgreSQL postmaster and its backends), by PID.
func treeCPUs(root int) (map[int]time.Duration, error) {
	_, rootCPU, err := procStat(root)
	if err != nil {
		return nil, err
	}
	out := map[int]time.Duration{root: rootCPU}
	dirs, err := filepath.Glob("/proc/[0-9]*")
	if err != nil {
		return nil, err
	}
	for _, d := range dirs {
		pid, err := strconv.Atoi(filepath.Base(d))
		if err != nil || pid == root {
			continue
		}
		if ppid, cpu, err := procStat(pid); err == nil && ppid == root {
			out[pid] = cpu
		}
	}
	return out, nil
}

// treeCPUSince reads the CPU a process tree has used since the call, per
// process: a child that exits meanwhile drops out with what it used
// before (the figure undercounts it) instead of taking that away from the
// total, and a new child counts from zero.
func treeCPUSince(root int) (func() (time.Duration, error), error) {
	start, err := treeCPUs(root)
	if err != nil {
		return nil, err
	}
	return func() (time.Duration, error) {
		now, err := treeCPUs(root)
		if err != nil {
			return 0, err
		}
		var used time.Duration
		for pid, c := range now {
			used += max(c-start[pid], 0)
		}
		return used, nil
	}, nil
}

// rssMiB is a process's resident memory.
func rssMiB(pid int) (float64, error) {
	status, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, err
	}
	for line := range strings.Lines(string(status)) {
		if rest, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			kb, err := strconv.ParseFloat(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(rest), "kB")), 64)
			return kb / 1024, err
		}
	}
	return 0, fmt.Errorf("/proc/%d/status: no VmRSS", pid)
}

// cpuMeter measures CPU use of a set of processes over a window.
type cpuMeter struct {
	read  func() (time.Duration, error)
	start time.Duration
	at    time.Time
}

func newMeter(read func() (time.Duration, error)) (*cpuMeter, error) {
	c, err := read()
	return &cpuMeter{read: read, start: c, at: time.Now()}, err
}

// percent is CPU used since the meter started, in percent of one core.
func (m *cpuMeter) percent() (float64, error) {
	c, err := m.read()
	if err != nil {
		return 0, err
	}
	return 100 * (c - m.start).Seconds() / time.Since(m.at).Seconds(), nil
}
