package engine

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"slices"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/carepath/carepath"
	"github.com/carepath/carepath/fhir"
	"github.com/carepath/carepath/internal/testenv"
	"github.com/carepath/carepath/store"
)

// fhirRes is the part of a rendered resource the tests look at.
type fhirRes struct {
	ResourceType string `json:"resourceType"`
	ID           string `json:"id"`
	Status       string `json:"status"`
	Meta         struct {
		VersionID   string `json:"versionId"`
		LastUpdated string `json:"lastUpdated"`
	} `json:"meta"`
	Subject      *struct{ Reference string }  `json:"subject"`
	For          *struct{ Reference string }  `json:"for"`
	InResponseTo []struct{ Reference string } `json:"inResponseTo"`
	StatusReason *struct {
		Coding []struct{ System, Code string } `json:"coding"`
	} `json:"statusReason"`
	Payload []struct {
		ContentString string `json:"contentString"`
	} `json:"payload"`
	Code *struct {
		Coding []struct{ System, Code string } `json:"coding"`
	} `json:"code"`
}

func decodeRes(t *testing.T, raw json.RawMessage) fhirRes {
	t.Helper()
	var r fhirRes
	if err := json.Unmarshal(raw, &r); err != nil {
		t.Fatalf("%v: %s", err, raw)
	}
	return r
}

// searchAll pages through a search with _count=count and returns every
// resource and the number of pages.
func searchAll(t *testing.T, e *Engine, typ string, q url.Values, count int) ([]fhirRes, int) {
	t.Helper()
	q.Set("_count", fmt.Sprint(count))
	var out []fhirRes
	pages := 0
	for {
		s, err := fhir.ParseSearch(typ, q, []string{fhir.ParamID, fhir.ParamSubject, fhir.ParamPatient,
			fhir.ParamLastUpdated, fhir.ParamIdentifier, fhir.ParamStatus})
		if err != nil {
			t.Fatal(err)
		}
		page, err := e.FHIRSearch(context.Background(), testActor, typ, s)
		if err != nil {
			t.Fatalf("search %s %v: %v", typ, q, err)
		}
		pages++
		if len(page.Resources) > count {
			t.Fatalf("page of %d with _count=%d", len(page.Resources), count)
		}
		for _, raw := range page.Resources {
			out = append(out, decodeRes(t, raw))
		}
		if page.Next == "" {
			return out, pages
		}
		if pages > 50 {
			t.Fatal("paging does not end")
		}
		q.Set(fhir.ParamCursor, page.Next)
	}
}

func resIDs(rs []fhirRes) []string {
	var ids []string
	for _, r := range rs {
		ids = append(ids, r.ID)
	}
	return ids
}

// fhirFixture is a patient with a journey's messages written as the
// outbox and the reply router write them, at known times.
type fhirFixture struct {
	pid, enrollment       string
	outbound              []string // oldest first; [1] asks the question, [3] was suppressed
	reply, question, task string
	base                  time.Time
}

func newFHIRFixture(t *testing.T, e *Engine) fhirFixture {
	t.Helper()
	ctx := context.Background()
	db := testenv.Pool(t)
	f := fhirFixture{pid: newTestPatient(t, e), enrollment: uuid.NewString(), question: uuid.NewString(),
		base: time.Now().UTC().Add(-time.Hour).Truncate(time.Second)}
	exec := func(sql string, args ...any) {
		t.Helper()
		if _, err := db.Exec(ctx, sql, args...); err != nil {
			t.Fatalf("%s: %v", sql, err)
		}
	}
	exec(`INSERT INTO enrollments (id, patient_id, journey, status, workflow_id) VALUES ($1, $2, 'post_visit_checkin', 'active', $3)`,
		f.enrollment, f.pid, "enrollment-"+f.enrollment)
	at := func(minutes int) time.Time { return f.base.Add(time.Duration(minutes) * time.Minute) }
	for i := range 5 {
		id := uuid.NewString()
		f.outbound = append(f.outbound, id)
		status, reason := "sent", ""
		if i == 3 {
			status, reason = "suppressed", "opted_out"
		}
		exec(`INSERT INTO messages (id, patient_id, enrollment_id, direction, channel, template, body, status, status_reason,
		      provider, provider_message_id, created_at, updated_at, sent_at)
		      VALUES ($1, $2, $3, 'outbound', 'sms', 'post_visit.feeling', $4, $5, $6, 'twilio', $7, $8, $8, $8)`,
			id, f.pid, f.enrollment, fmt.Sprintf("message %d", i), status, reason, "SM"+id[:8], at(i*10))
	}
	// Message 1 asked; the question was opened as it went, and the reply
	// (after message 4) answered it.
	f.reply = uuid.NewString()
	exec(`INSERT INTO messages (id, patient_id, direction, channel, body, status, provider, provider_message_id, created_at, updated_at)
	      VALUES ($1, $2, 'inbound', 'sms', '1', 'routed', 'twilio', $3, $4, $4)`, f.reply, f.pid, "SM"+f.reply[:8], at(45))
	exec(`INSERT INTO questions (id, enrollment_id, patient_id, workflow_id, question_key, choices, status, asked_at, answered_at, answer_message_id)
	      VALUES ($1, $2, $3, 'w', 'feeling', '{"choices":[{"value":"better","words":["1"]}]}', 'answered', $4, $5, $6)`,
		f.question, f.enrollment, f.pid, at(10).Add(time.Second), at(45), f.reply)
	var err error
	f.task, err = e.Store.TaskInsert(ctx, store.NewTask{ID: uuid.NewString(), PatientID: f.pid, MessageID: f.reply,
		Priority: carepath.PriorityUrgent, Reason: carepath.ReasonRedFlag, DedupeKey: "fhir-test/" + uuid.NewString()})
	if err != nil {
		t.Fatal(err)
	}
	return f
}

// Messages read back as Communications: paging with _count=2 over three
// pages returns each exactly once, in last-updated order; _lastUpdated
// narrows; the suppressed one is not-done with its reason; the reply is in
// response to the message that asked; the EHR's Patient id works as
// subject and is the reference; every search and read is audited.
func TestFHIRSearchCommunications(t *testing.T) {
	ctx := context.Background()
	e := newTestEngine(t, false)
	f := newFHIRFixture(t, e)

	got, pages := searchAll(t, e, "Communication", url.Values{"subject": {"Patient/" + f.pid}}, 2)
	want := append(slices.Clone(f.outbound), f.reply)
	if ids := resIDs(got); !slices.Equal(ids, want) || pages != 3 {
		t.Fatalf("paged %v in %d pages, want %v in 3", ids, pages, want)
	}
	fmt.Printf("FHIR Communication search: %d resources in %d pages of 2, each once\n", len(got), pages)
	byID := map[string]fhirRes{}
	for _, r := range got {
		byID[r.ID] = r
		if r.ResourceType != "Communication" || r.Meta.VersionID == "" || r.Meta.LastUpdated == "" || r.Subject == nil ||
			r.Subject.Reference != "Patient/"+f.pid || len(r.Payload) != 1 {
			t.Fatalf("communication %+v", r)
		}
	}
	if s := byID[f.outbound[3]]; s.Status != "not-done" || s.StatusReason == nil || s.StatusReason.Coding[0].Code != "opted_out" ||
		s.StatusReason.Coding[0].System != fhir.CodeSystemSuppressionReason {
		t.Fatalf("suppressed message: %+v", s)
	}
	if r := byID[f.reply]; len(r.InResponseTo) != 1 || r.InResponseTo[0].Reference != "Communication/"+f.outbound[1] {
		t.Fatalf("reply in response to %+v, want the asking message %s", r.InResponseTo, f.outbound[1])
	}

	// _lastUpdated: [base+10m, base+30m) holds messages 1 and 2.
	from, to := f.base.Add(10*time.Minute).Format(time.RFC3339), f.base.Add(30*time.Minute).Format(time.RFC3339)
	got, _ = searchAll(t, e, "Communication", url.Values{"patient": {f.pid}, "_lastUpdated": {"ge" + from, "lt" + to}}, 50)
	if ids := resIDs(got); !slices.Equal(ids, f.outbound[1:3]) {
		t.Fatalf("_lastUpdated range: %v, want %v", ids, f.outbound[1:3])
	}
	got, _ = searchAll(t, e, "Communication", url.Values{"patient": {f.pid}, "_lastUpdated": {"gt" + f.base.Add(40*time.Minute).Format(time.RFC3339)}}, 50)
	if ids := resIDs(got); !slices.Equal(ids, []string{f.reply}) {
		t.Fatalf("_lastUpdated gt: %v", ids)
	}

	// The EHR's Patient: its id names the patient in searches and references.
	ehrID := "ehr-" + uuid.NewString()[:8]
	if _, err := e.Store.FHIRResourcePut(ctx, store.FHIRResource{Type: "Patient", ID: ehrID, ContentHash: "h",
		Content: json.RawMessage(`{"resourceType":"Patient","id":"` + ehrID + `","name":[{"family":"Onciler"}]}`), PatientID: f.pid,
		Ref: "patient/" + f.pid}); err != nil {
		t.Fatal(err)
	}
	got, _ = searchAll(t, e, "Communication", url.Values{"subject": {"Patient/" + ehrID}}, 50)
	if len(got) != 6 || got[0].Subject.Reference != "Patient/"+ehrID {
		t.Fatalf("by the EHR's Patient id: %d, subject %+v", len(got), got[0].Subject)
	}
	raw, err := e.FHIRRead(ctx, testActor, "Patient", ehrID)
	if err != nil || decodeRes(t, raw).ID != ehrID {
		t.Fatalf("read the EHR's Patient: %s %v", raw, err)
	}
	if _, err := e.FHIRRead(ctx, testActor, "Patient", f.pid); carepath.ErrorCode(err) != carepath.ENOTFOUND {
		t.Fatalf("the carepath UUID of a patient the EHR sent: %v, want not found (its FHIR id is the EHR's)", err)
	}

	// Read: one resource, audited; unknown ids and types are not found.
	raw, err = e.FHIRRead(ctx, testActor, "Communication", f.reply)
	if err != nil || decodeRes(t, raw).ID != f.reply {
		t.Fatalf("read: %s %v", raw, err)
	}
	for _, id := range []string{uuid.NewString(), "not-a-uuid"} {
		if _, err := e.FHIRRead(ctx, testActor, "Communication", id); carepath.ErrorCode(err) != carepath.ENOTFOUND {
			t.Fatalf("read unknown %s: %v", id, err)
		}
	}
	var unsupported *fhir.StatusError
	if _, err := e.FHIRRead(ctx, testActor, "Medication", "x"); !errors.As(err, &unsupported) || unsupported.Status != 404 {
		t.Fatalf("unsupported type: %v", err)
	}
	var reads, searches int
	if err := testenv.Pool(t).QueryRow(ctx, `SELECT count(*) FILTER (WHERE action = 'fhir.read'), count(*) FILTER (WHERE action = 'fhir.search')
	      FROM audit_log WHERE patient_id = $1`, f.pid).Scan(&reads, &searches); err != nil || reads != 2 || searches < 6 {
		t.Fatalf("audit: %d reads, %d searches, %v", reads, searches, err)
	}

	// A search for a patient carepath does not know is empty, not an error.
	if got, _ := searchAll(t, e, "Communication", url.Values{"subject": {"Patient/nobody-here"}}, 10); len(got) != 0 {
		t.Fatalf("unknown patient: %v", resIDs(got))
	}
}

// Paging is stable under writes made between pages: a resource written
// after the first page is on a later one, and nothing is repeated.
func TestFHIRSearchVersionsChange(t *testing.T) {
	ctx := context.Background()
	e := newTestEngine(t, false)
	f := newFHIRFixture(t, e)
	raw, err := e.FHIRRead(ctx, testActor, "Communication", f.outbound[0])
	if err != nil {
		t.Fatal(err)
	}
	before := decodeRes(t, raw)
	if err := e.Store.MessageMarkFailed(ctx, f.outbound[0], carepath.MessageUndelivered, "carrier_rejected"); err != nil {
		t.Fatal(err)
	}
	raw, err = e.FHIRRead(ctx, testActor, "Communication", f.outbound[0])
	if err != nil {
		t.Fatal(err)
	}
	after := decodeRes(t, raw)
	if after.Meta.VersionID == before.Meta.VersionID || after.Meta.LastUpdated <= before.Meta.LastUpdated ||
		after.Status != "not-done" || after.StatusReason.Coding[0].Code != "carrier_rejected" {
		t.Fatalf("a delivery failure: version %s → %s, updated %s → %s, %+v", before.Meta.VersionID, after.Meta.VersionID,
			before.Meta.LastUpdated, after.Meta.LastUpdated, after)
	}
}

// Tasks, questions and readings: Task with status search, the question as
// a completed QuestionnaireResponse, readings as vital-signs Observations
// except one the EHR sent, which reads as the EHR's content.
func TestFHIRSearchTasksQuestionsReadings(t *testing.T) {
	ctx := context.Background()
	e := newTestEngine(t, false)
	f := newFHIRFixture(t, e)

	tasks, _ := searchAll(t, e, "Task", url.Values{"patient": {f.pid}, "status": {"requested"}}, 10)
	if len(tasks) != 1 || tasks[0].ID != f.task || tasks[0].For.Reference != "Patient/"+f.pid {
		t.Fatalf("open tasks: %+v", tasks)
	}
	if done, _ := searchAll(t, e, "Task", url.Values{"patient": {f.pid}, "status": {"completed"}}, 10); len(done) != 0 {
		t.Fatalf("completed tasks: %v", resIDs(done))
	}
	qrs, _ := searchAll(t, e, "QuestionnaireResponse", url.Values{"subject": {f.pid}}, 10)
	if len(qrs) != 1 || qrs[0].ID != f.question || qrs[0].Status != "completed" {
		t.Fatalf("questionnaire responses: %+v", qrs)
	}

	reading := func(code string, v float64, unit, source string) store.Observation {
		t.Helper()
		o := store.Observation{ID: uuid.NewString(), PatientID: f.pid, Code: code, Value: v, Unit: unit, OriginalValue: v,
			OriginalUnit: unit, EffectiveAt: time.Now().Add(-time.Minute), SourceID: source}
		if _, _, err := e.Store.ObservationInsert(ctx, o); err != nil {
			t.Fatal(err)
		}
		return o
	}
	mine := reading("heart_rate", 72, "/min", "")
	fromEHR := reading("weight", 80, "kg", "fhir:Observation/ehr-obs-"+f.pid[:8])
	ehrObs := "ehr-obs-" + f.pid[:8]
	if _, err := e.Store.FHIRResourcePut(ctx, store.FHIRResource{Type: "Observation", ID: ehrObs, ContentHash: "h", PatientID: f.pid,
		Ref: "observation/" + fromEHR.ID, Content: json.RawMessage(`{"resourceType":"Observation","id":"` + ehrObs +
			`","status":"final","code":{"coding":[{"system":"http://loinc.org","code":"29463-7"}]},"note":[{"text":"from the EHR"}]}`)}); err != nil {
		t.Fatal(err)
	}
	obs, _ := searchAll(t, e, "Observation", url.Values{"subject": {"Patient/" + f.pid}}, 1)
	if ids := resIDs(obs); len(ids) != 2 || !slices.Contains(ids, mine.ID) || !slices.Contains(ids, ehrObs) {
		t.Fatalf("observations %v, want the reading %s and the EHR's %s", ids, mine.ID, ehrObs)
	}
	for _, o := range obs {
		if o.ID == mine.ID && (o.Code == nil || o.Code.Coding[0].Code != "8867-4" || o.Subject.Reference != "Patient/"+f.pid) {
			t.Fatalf("reading: %+v", o)
		}
		if o.ID == ehrObs && o.Meta.VersionID != "1" {
			t.Fatalf("stored observation meta: %+v", o.Meta)
		}
	}
	if _, err := e.FHIRRead(ctx, testActor, "Observation", fromEHR.ID); carepath.ErrorCode(err) != carepath.ENOTFOUND {
		t.Fatalf("the EHR's reading by carepath's id: %v, want not found (it is Observation/%s)", err, ehrObs)
	}
	raw, err := e.FHIRRender(ctx, "Task", f.task)
	if err != nil || decodeRes(t, raw).Status != "requested" {
		t.Fatalf("render for the pusher: %s %v", raw, err)
	}
}

// Merging two sources keeps each one's own order (PostgreSQL's, by its
// collation) and interleaves them by time.
func TestMergeFHIRItemsKeepsEachSourcesOrder(t *testing.T) {
	t0 := time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)
	at := func(id string, s int) fhirItem {
		return fhirItem{id: id, updated: t0.Add(time.Duration(s) * time.Second)}
	}
	// "b" before "B" at one instant: a collation's order, not Go's.
	stored := []fhirItem{at("b", 1), at("B", 1), at("c", 3)}
	rows := []fhirItem{at("x", 0), at("y", 2), at("z", 4)}
	var ids []string
	for _, it := range mergeFHIRItems(stored, rows) {
		ids = append(ids, it.id)
	}
	if want := []string{"x", "b", "B", "y", "c", "z"}; !slices.Equal(ids, want) {
		t.Fatalf("merged %v, want %v", ids, want)
	}
}
