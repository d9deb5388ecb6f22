package main

import (
	"flag"
	"time"
)

// The scale (idle) phase's own flags, registered beside main's before it
// parses them, so the phase's knobs live with the phase.
var (
	scaleStickyCache = flag.Int("sticky-cache", -1, "idle phase: the worker's CAREPATH_STICKY_CACHE_SIZE (-1: carepath's default)")
	scaleChunk       = flag.Int("scale-chunk", 10000, "idle phase: patients per bulk launch (POST /v1/enrollments/batch; at most 10,000)")
	scaleJobs        = flag.Int("scale-jobs", 2, "idle phase: bulk launches in flight at once")
	scaleRegister    = flag.Int("scale-register", 2, "idle phase: registrations in flight at once (Bundles, or single patients with -scale-bundle 0)")
	scaleBundle      = flag.Int("scale-bundle", 500, "idle phase: Patients per FHIR transaction Bundle (0: one POST /v1/patients each)")
	scaleLaunchFor   = flag.Duration("scale-launch-for", 0, "idle phase: submit no new bulk launch after this long (0: launch everyone); the figures then say how many were launched")
	scaleWake        = flag.Int("scale-wake", 50, "idle phase: journeys woken (cancelled) at the end from each end of the launch, to time a sticky-cache miss against a hit")
	scaleSample      = flag.Duration("scale-sample", 5*time.Second, "idle phase: how often memory is sampled")
)
