package activities

import (
	"context"
	"encoding/json"
	"errors"
	"sync"
	"testing"

	"github.com/google/uuid"

	"github.com/carepath/carepath"
)

// A chunk that dies half-way resumes on retry, and nobody is enrolled twice.
func TestLaunchBatchResumesWithoutDoubleEnrolling(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	var ids []string
	for range 5 {
		ids = append(ids, f.patient(12, false).ID)
	}
	job := uuid.NewString()
	if err := f.store.BatchJobInsert(ctx, job, "post_visit_checkin", json.RawMessage(`{}`), nil, "test", ids); err != nil {
		t.Fatal(err)
	}
	enrolled := map[string]int{} // enrollment ID → times created
	calls := 0
	var mu sync.Mutex // a chunk launches its patients in parallel
	f.acts.Enroll = func(_ context.Context, r EnrollmentRequest) (Enrolled, error) {
		mu.Lock()
		defer mu.Unlock()
		calls++
		if r.ByParent {
			return Enrolled{}, errors.New("a bulk launch asked for an enrollment only its parent would start")
		}
		if calls == 3 {
			return Enrolled{}, errors.New("temporal unavailable") // the crash
		}
		id := r.EnrollmentID
		if enrolled[id] > 0 {
			return Enrolled{ID: id, Active: true}, nil // found by its derived ID
		}
		enrolled[id]++
		return Enrolled{ID: id, Created: true, Active: true}, nil
	}
	if _, err := f.acts.LaunchBatch(ctx, LaunchBatchRequest{JobID: job, Limit: 10}); err == nil {
		t.Fatal("the failing chunk reported success")
	}
	res, err := f.acts.LaunchBatch(ctx, LaunchBatchRequest{JobID: job, Limit: 10})
	if err != nil || !res.Done {
		t.Fatalf("resumed chunk: %+v %v", res, err)
	}
	got, err := f.store.BatchJobGet(ctx, job)
	if err != nil || got.Status != "completed" || got.Counts["launched"] != 5 {
		t.Fatalf("job: %+v %v", got, err)
	}
	if len(enrolled) != 5 {
		t.Fatalf("%d enrollments for 5 patients", len(enrolled))
	}
	for id, n := range enrolled {
		if n != 1 {
			t.Fatalf("enrollment %s created %d times", id, n)
		}
	}
}

// Every patient's result is recorded, across more than one write: the
// launched with their enrollment, the skipped and failed with why.
func TestLaunchBatchRecordsEveryResult(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	n := 2*itemsPerWrite + 3
	var ids []string
	for range n {
		ids = append(ids, f.patient(12, false).ID)
	}
	unknown, refused := ids[5], ids[itemsPerWrite+1]
	job := uuid.NewString()
	if err := f.store.BatchJobInsert(ctx, job, "post_visit_checkin", json.RawMessage(`{}`), nil, "test", ids); err != nil {
		t.Fatal(err)
	}
	f.acts.Enroll = func(_ context.Context, r EnrollmentRequest) (Enrolled, error) {
		switch r.PatientID {
		case unknown:
			return Enrolled{}, carepath.NotFound("patient")
		case refused:
			return Enrolled{}, carepath.Invalid("params", "refused")
		}
		return Enrolled{ID: r.EnrollmentID, Created: true, Active: true}, nil
	}
	res, err := f.acts.LaunchBatch(ctx, LaunchBatchRequest{JobID: job, Limit: 1000})
	if err != nil || !res.Done || res.Processed != n {
		t.Fatalf("chunk: %+v %v", res, err)
	}
	got, err := f.store.BatchJobGet(ctx, job)
	if err != nil {
		t.Fatal(err)
	}
	if got.Counts["launched"] != n-2 || got.Counts["skipped"] != 1 || got.Counts["failed"] != 1 || got.Counts["pending"] != 0 {
		t.Fatalf("counts %v; want %d launched, 1 skipped, 1 failed", got.Counts, n-2)
	}
	why := map[string]string{}
	for _, p := range got.Problems {
		why[p.PatientID] = p.Status + ": " + p.Reason
	}
	if why[unknown] != "skipped: "+SkipUnknownPatient || why[refused] != "failed: "+carepath.EINVALID {
		t.Fatalf("problems %v", why)
	}
}

// One call launches page after page (Limit per page) while its budget
// lasts, reading the next page while the last one is still launching,
// and launches each patient once.
func TestLaunchBatchStreamsPages(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	const n, page = 25, 4
	var ids []string
	for range n {
		ids = append(ids, f.patient(12, false).ID)
	}
	job := uuid.NewString()
	if err := f.store.BatchJobInsert(ctx, job, "post_visit_checkin", json.RawMessage(`{}`), nil, "test", ids); err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	launched := map[string]int{}
	f.acts.Enroll = func(_ context.Context, r EnrollmentRequest) (Enrolled, error) {
		mu.Lock()
		defer mu.Unlock()
		launched[r.PatientID]++
		return Enrolled{ID: r.EnrollmentID, Created: true, Active: true}, nil
	}
	res, err := f.acts.LaunchBatch(ctx, LaunchBatchRequest{JobID: job, Limit: page})
	if err != nil || !res.Done || res.Processed != n {
		t.Fatalf("one call with pages of %d: %+v %v; want all %d processed and done", page, res, err, n)
	}
	for _, id := range ids {
		if launched[id] != 1 {
			t.Fatalf("patient launched %d times", launched[id])
		}
	}
	got, err := f.store.BatchJobGet(ctx, job)
	if err != nil || got.Status != "completed" || got.Counts["launched"] != n {
		t.Fatalf("job: %+v %v", got, err)
	}
}
