package chaos

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/carepath/carepath/internal/fakesendgrid"
	"github.com/carepath/carepath/internal/faketwilio"
	"github.com/carepath/carepath/internal/testenv"
)

// Three `carepath worker` processes on one sending number with a limit of
// 20/s (issue 15): a bulk launch's first messages reach the provider never
// more than 20 in any one-second window, with none refused. The achieved
// rate is printed, not asserted (the machine is shared; the bench asserts
// it).
func TestFleetRateThreeWorkers(t *testing.T) {
	if testing.Short() {
		t.Skip("-short")
	}
	const limit, patients = 20, 200
	ctx, cancel := context.WithTimeout(context.Background(), 8*time.Minute)
	defer cancel()

	tw, sg := faketwilio.New(), fakesendgrid.New()
	defer tw.Close()
	defer sg.Close()
	tw.Limit(limit)
	var mu sync.Mutex
	var arrivals []time.Time
	tw.OnAccept = func(m faketwilio.Message) {
		mu.Lock()
		arrivals = append(arrivals, m.At)
		mu.Unlock()
	}
	cl, err := StartCluster(ctx, ClusterOptions{Dir: t.TempDir(), TwilioURL: tw.URL, SendGridURL: sg.URL, Workers: 3,
		Env: map[string]string{"CAREPATH_SMS_PER_SECOND": fmt.Sprint(limit)}, Log: t.Logf})
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()

	api := newClient(cl.APIBase)
	zone := testenv.ZoneAt(12)
	ids := make([]string, patients)
	for i := range ids {
		var p struct{ ID string }
		body := map[string]any{"given_name": "Rate", "family_name": fmt.Sprint("P", i), "birth_date": "1970-01-01",
			"phone": fmt.Sprintf("+1555%07d", 3_000_000+i), "timezone": zone}
		if err := api.retry(ctx, http.MethodPost, "/v1/patients", body, &p); err != nil {
			t.Fatal(err)
		}
		ids[i] = p.ID
	}
	if err := api.retry(ctx, http.MethodPost, "/v1/enrollments/batch",
		map[string]any{"journey": "post_visit_checkin", "params": map[string]any{"delay": "0s"}, "patient_ids": ids}, nil); err != nil {
		t.Fatal(err)
	}
	for {
		mu.Lock()
		n := len(arrivals)
		mu.Unlock()
		if n >= patients {
			break
		}
		if ctx.Err() != nil {
			t.Fatalf("%d of %d first messages arrived", n, patients)
		}
		time.Sleep(200 * time.Millisecond)
	}
	mu.Lock()
	at := slices.Clone(arrivals)
	mu.Unlock()
	slices.SortFunc(at, func(a, b time.Time) int { return a.Compare(b) })
	most, lo := 0, 0
	for hi := range at {
		for at[hi].Sub(at[lo]) >= time.Second {
			lo++
		}
		most = max(most, hi-lo+1)
	}
	// The steady rate: whole seconds after the first (which measures the
	// launch filling the queue), as the bench counts it.
	from := at[0].Add(time.Second)
	whole := at[len(at)-1].Sub(from).Truncate(time.Second)
	steady := 0
	for _, a := range at {
		if !a.Before(from) && a.Sub(from) < whole {
			steady++
		}
	}
	rate := 0.0
	if whole > 0 {
		rate = float64(steady) / whole.Seconds()
	}
	fmt.Printf("fleet rate: workers=3 limit=%d/s messages=%d rate=%.2f/s (%.1f%%) max_in_window=%d 429s=%d\n",
		limit, len(at), rate, 100*rate/limit, most, tw.Rejected())
	if most > limit {
		t.Errorf("%d messages in one one-second window at the provider, limit %d", most, limit)
	}
	if tw.Rejected() > 0 {
		t.Errorf("the provider refused %d requests over its limit", tw.Rejected())
	}
	if crashes := cl.Crashes(); len(crashes) > 0 {
		t.Errorf("processes crashed: %v", crashes)
	}
}
