package chaos

import (
	"fmt"
	"math/rand"
	"sync"
	"time"
)

// rnd is the run's one source of random choices, seeded so a run's
// schedule can be replayed (CHAOS_SEED); goroutines share it.
type rnd struct {
	mu sync.Mutex
	r  *rand.Rand
}

func newRnd(seed int64) *rnd { return &rnd{r: rand.New(rand.NewSource(seed))} }

// chance reports true with probability p.
func (r *rnd) chance(p float64) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.r.Float64() < p
}

// intn returns 0..n-1.
func (r *rnd) intn(n int) int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.r.Intn(n)
}

// between returns a duration in [lo, hi).
func (r *rnd) between(lo, hi time.Duration) time.Duration {
	if hi <= lo {
		return lo
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	return lo + time.Duration(r.r.Int63n(int64(hi-lo)))
}

// pick returns one of the choices.
func pick[T any](r *rnd, choices ...T) T { return choices[r.intn(len(choices))] }

func sprintf(format string, args ...any) string { return fmt.Sprintf(format, args...) }
