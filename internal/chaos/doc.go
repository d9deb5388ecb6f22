// Package chaos deploys carepath as production runs it — PostgreSQL and the
// Temporal dev server as their own processes, `carepath migrate`, one
// `carepath api` and two `carepath worker` processes — against a fake Twilio
// and a fake SendGrid that misbehave at seeded random moments, drives
// patients' traffic through the public API and signed webhooks, injects
// faults (SIGKILL of workers and the API, a Temporal outage, a PostgreSQL
// crash-restart), and then checks the promises carepath makes from what the
// fake providers received and what the API reports.
//
// TestChaosShort runs inside `make test`; `make chaos` runs the full
// schedule (go test -run TestChaosFull ./internal/chaos -chaos.full).
// CHAOS_SEED replays a run's random choices (the seed is printed).
package chaos
