package fhir

import (
	"encoding/json"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/carepath/carepath"
	"github.com/carepath/carepath/answers"
	"github.com/carepath/carepath/store"
)

// outDoc decodes a rendered resource and checks what every one needs.
func outDoc(t *testing.T, raw json.RawMessage, err error, typ string) map[string]any {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
	var doc map[string]any
	if err := json.Unmarshal(raw, &doc); err != nil {
		t.Fatalf("%v: %s", err, raw)
	}
	if doc["resourceType"] != typ {
		t.Fatalf("resourceType %v, want %s: %s", doc["resourceType"], typ, raw)
	}
	id, _ := doc["id"].(string)
	if !ValidID(id) {
		t.Fatalf("id %q: %s", id, raw)
	}
	if v := outGet(doc, "meta.versionId"); v == nil || v == "" {
		t.Fatalf("no meta.versionId: %s", raw)
	}
	if _, err := time.Parse(time.RFC3339Nano, outStr(doc, "meta.lastUpdated")); err != nil {
		t.Fatalf("meta.lastUpdated: %v: %s", err, raw)
	}
	outNoEmpty(t, "", doc, raw)
	return doc
}

// outNoEmpty fails on an empty object, array or string anywhere: FHIR
// forbids them (samply's non-omitempty fields would produce them).
func outNoEmpty(t *testing.T, path string, v any, raw json.RawMessage) {
	t.Helper()
	switch x := v.(type) {
	case map[string]any:
		if len(x) == 0 {
			t.Fatalf("empty object at %s: %s", path, raw)
		}
		for k, e := range x {
			outNoEmpty(t, path+"."+k, e, raw)
		}
	case []any:
		if len(x) == 0 {
			t.Fatalf("empty array at %s: %s", path, raw)
		}
		for i, e := range x {
			outNoEmpty(t, path+"["+strconv.Itoa(i)+"]", e, raw)
		}
	case string:
		if x == "" {
			t.Fatalf("empty string at %s: %s", path, raw)
		}
	}
}

// outGet follows a path like "payload[0].contentString".
func outGet(doc any, path string) any {
	cur := doc
	for _, part := range strings.Split(path, ".") {
		name, idx, hasIdx := strings.Cut(part, "[")
		m, ok := cur.(map[string]any)
		if !ok {
			return nil
		}
		cur = m[name]
		if hasIdx {
			i, _ := strconv.Atoi(strings.TrimSuffix(idx, "]"))
			a, ok := cur.([]any)
			if !ok || i >= len(a) {
				return nil
			}
			cur = a[i]
		}
	}
	return cur
}

func outStr(doc any, path string) string {
	s, _ := outGet(doc, path).(string)
	return s
}

func outWant(t *testing.T, doc map[string]any, want map[string]any) {
	t.Helper()
	for path, w := range want {
		got := outGet(doc, path)
		if n, ok := got.(float64); ok {
			if wf, ok := w.(float64); ok && n == wf {
				continue
			}
		}
		if got != w {
			b, _ := json.Marshal(doc)
			t.Errorf("%s = %#v, want %#v\n%s", path, got, w, b)
		}
	}
}

var outT0 = time.Date(2026, 11, 30, 14, 5, 6, 123456000, time.UTC)

func TestCommunicationOutboundSent(t *testing.T) {
	sent, delivered := outT0.Add(time.Second), outT0.Add(5*time.Second)
	m := store.FHIRMessage{Message: carepath.Message{ID: "6f1c1c0e-8a7b-4b55-9c51-0f7b2f4f2a10", PatientID: "p", Direction: carepath.DirectionOutbound,
		Channel: carepath.ChannelSMS, Template: "checkin.ask", Body: "How are you feeling? Reply 1 better, 2 same, 3 worse",
		Status: carepath.MessageDelivered, Provider: "twilio", ProviderMessageID: "SM123", CreatedAt: outT0, SentAt: &sent,
		Author: "user:5b9a2a4e-1d1b-4f0c-a77b-2b8f1f0e3c11", AuthorName: "Nora Nurse"},
		Purpose: carepath.PurposeCare, DeliveredAt: &delivered, UpdatedAt: delivered, Version: 3, PatientFHIRID: "ehr-pat-1"}
	raw, err := Communication(m)
	doc := outDoc(t, raw, err, "Communication")
	outWant(t, doc, map[string]any{
		"id": m.ID, "meta.versionId": "3", "status": "completed",
		"subject.reference": "Patient/ehr-pat-1", "recipient[0].reference": "Patient/ehr-pat-1",
		"sent": "2026-11-30T14:05:07.123Z", "received": "2026-11-30T14:05:11.123Z",
		"payload[0].contentString": m.Body, "medium[0].coding[0].code": "SMSWRIT",
		"medium[0].coding[0].system": "http://terminology.hl7.org/CodeSystem/v3-ParticipationMode",
		"category[0].coding[0].code": "care", "topic.coding[0].code": "checkin.ask",
		"identifier[0].system": SystemMessageID, "identifier[1].system": SystemProviderMessagePrefix + "twilio",
		"identifier[1].value": "SM123", "sender.identifier.value": "5b9a2a4e-1d1b-4f0c-a77b-2b8f1f0e3c11",
		"sender.display": "Nora Nurse", "statusReason": nil, "inResponseTo": nil,
	})
	if p := outGet(doc, "payload[0]").(map[string]any); len(p) != 1 {
		t.Fatalf("payload carries more than contentString: %v", p)
	}
}

func TestCommunicationSuppressedHasReason(t *testing.T) {
	m := store.FHIRMessage{Message: carepath.Message{ID: "0d6c3a53-3c5a-4f65-9a8e-5b8d2d1a7e01", PatientID: "p", Direction: carepath.DirectionOutbound,
		Channel: carepath.ChannelEmail, Body: "x", Status: carepath.MessageSuppressed, StatusReason: "opted_out", CreatedAt: outT0},
		Purpose: carepath.PurposeOutreach, UpdatedAt: outT0, Version: 2, PatientFHIRID: "p"}
	raw, err := Communication(m)
	doc := outDoc(t, raw, err, "Communication")
	outWant(t, doc, map[string]any{
		"status": "not-done", "statusReason.coding[0].system": CodeSystemSuppressionReason,
		"statusReason.coding[0].code": "opted_out", "medium[0].coding[0].code": "EMAILWRIT",
		"category[0].coding[0].code": "outreach", "sent": nil,
	})
}

func TestCommunicationInboundReplyThreads(t *testing.T) {
	m := store.FHIRMessage{Message: carepath.Message{ID: "a3e1b8e4-0a57-4c1c-8c0c-2f6d9e8b7a61", PatientID: "p", Direction: carepath.DirectionInbound,
		Channel: carepath.ChannelSMS, Body: "1", Status: carepath.MessageRouted, Provider: "twilio", ProviderMessageID: "SMin", CreatedAt: outT0},
		UpdatedAt: outT0, Version: 2, PatientFHIRID: "ehr-pat-1",
		QuestionID: "9b0c9c7e-5f0e-4d8b-9d35-7c4e3f2a1b00", InResponseTo: "6f1c1c0e-8a7b-4b55-9c51-0f7b2f4f2a10"}
	raw, err := Communication(m)
	doc := outDoc(t, raw, err, "Communication")
	outWant(t, doc, map[string]any{
		"status": "completed", "received": "2026-11-30T14:05:06.123Z", "sender.reference": "Patient/ehr-pat-1",
		"inResponseTo[0].reference": "Communication/6f1c1c0e-8a7b-4b55-9c51-0f7b2f4f2a10",
		"about[0].reference":        "QuestionnaireResponse/9b0c9c7e-5f0e-4d8b-9d35-7c4e3f2a1b00",
		"recipient":                 nil, "topic": nil,
	})
}

func TestCommunicationStatusesAllKnown(t *testing.T) {
	for _, s := range []string{carepath.MessageQueued, carepath.MessageSending, carepath.MessageSent, carepath.MessageDelivered,
		carepath.MessageFailed, carepath.MessageSuppressed, carepath.MessageDeferred, carepath.MessageUndelivered,
		carepath.MessageHeld, carepath.MessageReceived, carepath.MessageRouted} {
		if _, ok := communicationStatus[s]; !ok {
			t.Errorf("message status %s has no EventStatus", s)
		}
	}
}

func TestTaskRendering(t *testing.T) {
	ack, due := outT0.Add(time.Minute), outT0.Add(5*time.Minute)
	task := store.FHIRTask{Task: carepath.Task{ID: "1c2d3e4f-0000-4000-8000-000000000001", PatientID: "p",
		MessageID: "a3e1b8e4-0a57-4c1c-8c0c-2f6d9e8b7a61", Priority: carepath.PriorityUrgent, Status: carepath.TaskAcknowledged,
		Reason: carepath.ReasonRedFlag, Note: "red flag: chest pain", CreatedAt: outT0, AcknowledgedAt: &ack, DueAt: &due},
		AssignedTo: "5b9a2a4e-1d1b-4f0c-a77b-2b8f1f0e3c11", AssignedName: "Nora Nurse", UpdatedAt: ack, Version: 4, PatientFHIRID: "ehr-pat-1"}
	raw, err := Task(task)
	doc := outDoc(t, raw, err, "Task")
	outWant(t, doc, map[string]any{
		"status": "accepted", "intent": "order", "priority": "asap", "businessStatus.coding[0].code": "acknowledged",
		"description": carepath.ReasonRedFlag, "code.text": carepath.ReasonRedFlag, "for.reference": "Patient/ehr-pat-1",
		"focus.reference": "Communication/a3e1b8e4-0a57-4c1c-8c0c-2f6d9e8b7a61", "basedOn[0].reference": "Communication/a3e1b8e4-0a57-4c1c-8c0c-2f6d9e8b7a61",
		"owner.display": "Nora Nurse", "owner.identifier.system": SystemUserID, "authoredOn": "2026-11-30T14:05:06.123Z",
		"lastModified": "2026-11-30T14:06:06.123Z", "executionPeriod.start": "2026-11-30T14:06:06.123Z", "executionPeriod.end": nil,
		"restriction": nil, "note[0].text": "red flag: chest pain", "meta.versionId": "4",
	})
	for p, want := range map[carepath.Priority]string{carepath.PriorityHigh: "urgent", carepath.PriorityNormal: "routine", carepath.PriorityLow: "routine"} {
		task.Priority, task.Status = p, carepath.TaskOpen
		raw, err := Task(task)
		doc := outDoc(t, raw, err, "Task")
		outWant(t, doc, map[string]any{"priority": want, "status": "requested", "restriction.period.end": "2026-11-30T14:10:06.123Z"})
	}
}

func TestTaskStatusesSearch(t *testing.T) {
	if got := TaskStatuses("completed"); len(got) != 1 || got[0] != carepath.TaskResolved {
		t.Fatalf("completed → %v", got)
	}
	if got := TaskStatuses("draft"); len(got) != 0 {
		t.Fatalf("draft → %v", got)
	}
}

func TestQuestionnaireResponseAnswers(t *testing.T) {
	answered := outT0.Add(time.Hour)
	spec := answers.Spec{Choices: []answers.Choice{{Value: "better", Words: []string{"1", "better"}}, {Value: "worse", Words: []string{"3", "worse"}}}}
	q := store.FHIRQuestion{ID: "9b0c9c7e-5f0e-4d8b-9d35-7c4e3f2a1b00", PatientID: "p", Journey: "post_visit_checkin", Key: "feeling",
		Accepts: spec, Status: "answered", AskedAt: outT0, AnsweredAt: &answered, AnswerMessageID: "m", AnswerBody: "1",
		UpdatedAt: answered, Version: 2, PatientFHIRID: "ehr-pat-1"}
	raw, err := QuestionnaireResponse(q)
	doc := outDoc(t, raw, err, "QuestionnaireResponse")
	canonical := QuestionnaireBase + "post_visit_checkin/feeling"
	outWant(t, doc, map[string]any{
		"status": "completed", "questionnaire": canonical, "item[0].linkId": "feeling",
		"item[0].answer[0].valueCoding.code": "better", "item[0].answer[0].valueCoding.system": canonical + "/choices",
		"authored": "2026-11-30T15:05:06.123Z", "subject.reference": "Patient/ehr-pat-1", "source.reference": "Patient/ehr-pat-1",
	})

	q.Accepts, q.AnswerBody = answers.Spec{Number: &answers.NumberRange{Min: 0, Max: 10}}, "I'd say 9"
	raw, err = QuestionnaireResponse(q)
	outWant(t, outDoc(t, raw, err, "QuestionnaireResponse"), map[string]any{"item[0].answer[0].valueInteger": 9.0})

	q.Accepts, q.AnswerBody = answers.Spec{}, "still a bit sore"
	raw, err = QuestionnaireResponse(q)
	outWant(t, outDoc(t, raw, err, "QuestionnaireResponse"), map[string]any{"item[0].answer[0].valueString": "still a bit sore"})

	open := store.FHIRQuestion{ID: q.ID, Journey: "j", Key: "k", Status: "open", AskedAt: outT0, UpdatedAt: outT0, Version: 1, PatientFHIRID: "p"}
	raw, err = QuestionnaireResponse(open)
	outWant(t, outDoc(t, raw, err, "QuestionnaireResponse"), map[string]any{"status": "in-progress", "item[0].answer": nil, "item[0].linkId": "k"})
	open.Status = "closed"
	raw, err = QuestionnaireResponse(open)
	outWant(t, outDoc(t, raw, err, "QuestionnaireResponse"), map[string]any{"status": "stopped"})
}

func TestObservationVitalSigns(t *testing.T) {
	dia := 82.0
	bp := store.FHIRObservation{Observation: store.Observation{ID: "0a0b0c0d-0000-4000-8000-000000000002", PatientID: "p", Code: "blood_pressure",
		Value: 141, Value2: &dia, Unit: "mm[Hg]", EffectiveAt: outT0, SourceID: "device-77"}, CreatedAt: outT0.Add(time.Second), PatientFHIRID: "ehr-pat-1"}
	raw, err := Observation(bp)
	doc := outDoc(t, raw, err, "Observation")
	outWant(t, doc, map[string]any{
		"status": "final", "meta.profile[0]": profileVitalSigns, "meta.profile[1]": "http://hl7.org/fhir/StructureDefinition/bp",
		"category[0].coding[0].code": "vital-signs", "code.coding[0].system": SystemLOINC, "code.coding[0].code": "85354-9",
		"component[0].code.coding[0].code": "8480-6", "component[0].valueQuantity.value": 141.0,
		"component[0].valueQuantity.system": SystemUCUM, "component[0].valueQuantity.code": "mm[Hg]",
		"component[1].code.coding[0].code": "8462-4", "component[1].valueQuantity.value": 82.0,
		"valueQuantity": nil, "effectiveDateTime": "2026-11-30T14:05:06.123Z", "subject.reference": "Patient/ehr-pat-1",
		"performer[0].reference": "Patient/ehr-pat-1", "identifier[1].value": "device-77",
	})
	glucose := store.FHIRObservation{Observation: store.Observation{ID: "0a0b0c0d-0000-4000-8000-000000000003", Code: "blood_glucose",
		Value: 312.5, Unit: "mg/dL", EffectiveAt: outT0}, CreatedAt: outT0, PatientFHIRID: "p"}
	raw, err = Observation(glucose)
	outWant(t, outDoc(t, raw, err, "Observation"), map[string]any{
		"code.coding[0].code": "2339-0", "valueQuantity.value": 312.5, "valueQuantity.code": "mg/dL", "meta.profile": nil,
	})
	for code := range carepath.ObservationCodes {
		if _, ok := readingsOut[code]; !ok {
			t.Errorf("reading code %s has no LOINC rendering", code)
		}
	}
}

func TestPatientFromRow(t *testing.T) {
	p := store.FHIRPatientRow{PatientRecord: store.PatientRecord{Patient: carepath.Patient{ID: "3f0e6a8c-2f4b-4c8e-9d3a-1b2c3d4e5f60",
		GivenName: "Ana", FamilyName: "Lopez", BirthDate: "1960-02-03", Phone: "+15551234567", Email: "ana@example.org",
		Timezone: "America/Chicago", Locale: "es", PreferredChannel: carepath.ChannelSMS, UpdatedAt: outT0}, PhoneStatus: "valid"}, Version: 2}
	raw, err := Patient(p)
	outWant(t, outDoc(t, raw, err, "Patient"), map[string]any{
		"name[0].family": "Lopez", "name[0].given[0]": "Ana", "birthDate": "1960-02-03",
		"telecom[0].system": "phone", "telecom[0].value": "+15551234567", "telecom[0].rank": 1.0,
		"telecom[1].system": "email", "telecom[1].rank": 2.0, "communication[0].language.coding[0].code": "es",
		"extension[0].url": "http://hl7.org/fhir/StructureDefinition/timezone", "extension[0].valueCode": "America/Chicago",
		"meta.versionId": "2",
	})
}

func TestAppointmentOverlay(t *testing.T) {
	content := json.RawMessage(`{"resourceType":"Appointment","id":"appt-9","meta":{"versionId":"7","source":"ehr"},"status":"booked",
		"start":"2026-12-02T15:00:00Z","participant":[{"actor":{"reference":"Patient/ehr-pat-1"},"status":"needs-action"},
		{"actor":{"reference":"Practitioner/dr-1"},"status":"accepted"}]}`)
	updated := outT0.Add(time.Hour)
	a := store.FHIRAppointment{Resource: store.FHIRResource{Type: "Appointment", ID: "appt-9", Version: 1, Content: content, LastUpdated: outT0},
		AppointmentID: "x", Status: "cancelled", PatientResponse: "declined", Version: 3, UpdatedAt: &updated,
		PatientFHIRID: "ehr-pat-1", LastUpdated: updated}
	raw, err := Appointment(a)
	outWant(t, outDoc(t, raw, err, "Appointment"), map[string]any{
		"status": "cancelled", "participant[0].status": "declined", "participant[1].status": "accepted",
		"meta.versionId": "3", "meta.source": "ehr", "meta.lastUpdated": "2026-11-30T15:05:06.123Z",
		"start": "2026-12-02T15:00:00Z",
	})
	// Not followed by carepath: the stored resource with the store's version.
	a.AppointmentID = ""
	raw, err = Appointment(a)
	outWant(t, outDoc(t, raw, err, "Appointment"), map[string]any{"status": "booked", "participant[0].status": "needs-action", "meta.versionId": "1"})
}
