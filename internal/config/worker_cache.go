package config

import "fmt"

// DefaultStickyCacheSize is how many journeys a worker process keeps in
// memory between their workflow tasks (CAREPATH_STICKY_CACHE_SIZE). The
// SDK's own default is 10,000. `make bench-scale` measured at most about
// 50 KiB of worker memory per cached waiting journey (60 MiB before a
// launch, 265 MiB with the cache full) and the worker's memory flat once
// the cache is full, however many more journeys wait. A journey not in
// the cache costs, when it wakes, one history fetch and a replay of its
// events (6–10 ms more than a cached one, measured), and waiting journeys
// wake after days, when they would have left any cache. The cache pays for conversations (a reply minutes
// after the message): 4,096 holds every journey that sent in the last
// three and a half minutes at 20 messages a second and keeps the worker
// near 265 MiB (docs/performance.md, docs/decisions.md).
const DefaultStickyCacheSize = 4096

// maxStickyCacheSize keeps a typo from sizing the cache past the memory of
// any machine: 1,000,000 journeys is up to about 50 GiB.
const maxStickyCacheSize = 1_000_000

// stickyCacheFromEnv reads CAREPATH_STICKY_CACHE_SIZE; 0 turns the cache
// off (every workflow task replays its journey's whole history).
func stickyCacheFromEnv(get func(k, def string) string, bad func(key, format string, args ...any)) int {
	n, err := boundedInt(get("CAREPATH_STICKY_CACHE_SIZE", fmt.Sprint(DefaultStickyCacheSize)), 0, maxStickyCacheSize)
	if err != nil {
		bad("CAREPATH_STICKY_CACHE_SIZE", "%v", err)
	}
	return n
}
