package engine

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"testing"
	"time"

	"github.com/carepath/carepath"
	"github.com/carepath/carepath/activities"
	"github.com/carepath/carepath/fhir"
	"github.com/carepath/carepath/internal/testenv"
)

// TestFHIRCommunicationsOfARealConversation runs a post-visit check-in as
// production wires it (worker, send lanes, the fake Twilio through
// twilio-go): the question the patient got by SMS and their reply read back
// as two Communications, the question with Twilio's message SID as an
// identifier and the reply in response to it, and the question as a
// completed QuestionnaireResponse with the chosen answer.
func TestFHIRCommunicationsOfARealConversation(t *testing.T) {
	testenv.SkipShort(t)
	ctx := context.Background()
	testenv.Pool(t) // migrations
	h := startE2E(t, testenv.Get(t).DatabaseURL, 10, func(a *activities.Activities) { a.Policy = activities.DefaultPolicy })
	e, tw := h.e, h.tw

	p, err := e.CreatePatient(ctx, testActor, carepath.NewPatient{GivenName: "Fhir", FamilyName: "Reader", BirthDate: "1962-03-04",
		Locale: "en", PreferredChannel: carepath.ChannelSMS, Phone: fmt.Sprintf("+1337%07d", phoneSeq.Add(1)%10_000_000),
		Timezone: testenv.ZoneAt(12)})
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := e.Enroll(ctx, testActor, EnrollRequest{PatientID: p.ID, Journey: "post_visit_checkin", Key: "visit-fhir",
		Params: json.RawMessage(`{"delay":"0s","reply_timeout":"1h","reminders":0}`)}); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(30 * time.Second)
	for len(tw.To(p.Phone)) == 0 {
		if time.Now().After(deadline) {
			t.Fatal("the check-in question did not reach Twilio in 30 s")
		}
		time.Sleep(50 * time.Millisecond)
	}
	asked := tw.To(p.Phone)[0]
	// The question is opened as the send is claimed; wait for its row so
	// the reply is routed to it.
	for {
		var open int
		if err := testenv.Pool(t).QueryRow(ctx, `SELECT count(*) FROM questions WHERE patient_id = $1 AND status = 'open'`, p.ID).Scan(&open); err != nil {
			t.Fatal(err)
		}
		if open == 1 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("no open question")
		}
		time.Sleep(50 * time.Millisecond)
	}
	if err := e.ReceiveMessage(ctx, sms(p.Phone, "1")); err != nil {
		t.Fatal(err)
	}

	search := func(typ string) []json.RawMessage {
		t.Helper()
		s, err := fhir.ParseSearch(typ, url.Values{"subject": {"Patient/" + p.ID}}, []string{fhir.ParamSubject})
		if err != nil {
			t.Fatal(err)
		}
		page, err := e.FHIRSearch(ctx, testActor, typ, s)
		if err != nil {
			t.Fatal(err)
		}
		return page.Resources
	}
	type comm struct {
		ID         string `json:"id"`
		Status     string `json:"status"`
		Sent       string `json:"sent"`
		Received   string `json:"received"`
		Identifier []struct{ System, Value string }
		Payload    []struct {
			ContentString string `json:"contentString"`
		} `json:"payload"`
		InResponseTo []struct{ Reference string } `json:"inResponseTo"`
		Sender       *struct{ Reference string }  `json:"sender"`
	}
	var question, reply *comm
	for _, raw := range search("Communication") {
		var c comm
		if err := json.Unmarshal(raw, &c); err != nil {
			t.Fatal(err)
		}
		switch {
		case len(c.Payload) == 1 && c.Payload[0].ContentString == asked.Body:
			question = &c
		case c.Received != "" && c.Sender != nil && c.Sender.Reference == "Patient/"+p.ID:
			reply = &c
		}
	}
	if question == nil || reply == nil {
		t.Fatalf("question %+v, reply %+v: want both as Communications", question, reply)
	}
	if question.Status != "completed" || question.Sent == "" || len(question.Identifier) != 2 || question.Identifier[1].Value != asked.SID {
		t.Fatalf("the question as sent: %+v (Twilio SID %s)", question, asked.SID)
	}
	if len(reply.InResponseTo) != 1 || reply.InResponseTo[0].Reference != "Communication/"+question.ID || reply.Payload[0].ContentString != "1" {
		t.Fatalf("the reply: %+v, want in response to Communication/%s", reply, question.ID)
	}
	fmt.Printf("FHIR: a check-in question sent through the fake Twilio and its reply read back as 2 threaded Communications\n")

	var qr struct {
		Status string `json:"status"`
		Item   []struct {
			LinkID string `json:"linkId"`
			Answer []struct {
				ValueCoding struct{ Code string } `json:"valueCoding"`
			} `json:"answer"`
		} `json:"item"`
	}
	// The journey goes on to ask for a score: find the feeling question.
	qrs := search("QuestionnaireResponse")
	found := false
	for _, raw := range qrs {
		if err := json.Unmarshal(raw, &qr); err != nil {
			t.Fatal(err)
		}
		if qr.Item[0].LinkID != "feeling" {
			continue
		}
		found = true
		if qr.Status != "completed" || len(qr.Item[0].Answer) != 1 || qr.Item[0].Answer[0].ValueCoding.Code != "better" {
			t.Fatalf("questionnaire response: %s", raw)
		}
	}
	if !found {
		t.Fatalf("no QuestionnaireResponse for the feeling question among %d", len(qrs))
	}
}
