package main

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"mime/multipart"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/carepath/carepath/internal/fakesendgrid"
	"github.com/carepath/carepath/internal/testenv"
	"github.com/carepath/carepath/messaging"
)

const testInboundToken = "inboundtoken0123456789abcdef"

func TestEndToEndEmail(t *testing.T) {
	sg := fakesendgrid.New()
	t.Cleanup(sg.Close)
	priv, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	der, _ := x509.MarshalPKIXPublicKey(&priv.PublicKey)
	in := startDevWith(t, map[string]string{
		"SENDGRID_API_KEY": "SG.test", "SENDGRID_FROM_EMAIL": "care@example.org", "SENDGRID_API_URL": sg.URL,
		"SENDGRID_WEBHOOK_PUBLIC_KEY": base64.StdEncoding.EncodeToString(der), "SENDGRID_INBOUND_TOKEN": testInboundToken,
	})
	email := "eve.email@example.org"
	var p item
	if st := in.call("POST", "/v1/patients", item{"given_name": "Eve", "family_name": "M", "birth_date": "1975-05-05",
		"email": email, "preferred_channel": "email", "locale": "es", "timezone": testenv.ZoneAt(12)}, &p); st != http.StatusCreated {
		t.Fatalf("patient: %d %v", st, p)
	}
	pid := p["id"].(string)
	var e item
	in.call("POST", "/v1/patients/"+pid+"/enrollments", item{"journey": "post_visit_checkin", "params": item{"delay": "0s"}}, &e)
	eventually(t, "the question by email", func() bool { return len(sg.To(email)) == 1 })
	mail := sg.To(email)[0]
	if !strings.Contains(mail.Text, "¿Cómo se siente") || mail.Subject == "" || mail.CarepathID == "" {
		t.Fatalf("email (Spanish, with subject and message ID expected): %+v", mail)
	}
	eventually(t, "asking", func() bool {
		var got item
		in.call("GET", "/v1/enrollments/"+e["id"].(string), nil, &got)
		return got["step"] == "asking_how_feeling"
	})

	reply := func(token, msgID string) int {
		var buf bytes.Buffer
		w := multipart.NewWriter(&buf)
		_ = w.WriteField("envelope", fmt.Sprintf(`{"from":%q,"to":["care@example.org"]}`, email))
		_ = w.WriteField("headers", "Message-ID: <"+msgID+">\nSubject: Re: hello\n")
		_ = w.WriteField("SPF", "pass") // SendGrid vouches for the sender (an unverified one goes to the inbox)
		_ = w.WriteField("text", "3\n\nOn Mon, Care Team wrote:\n> ¿Cómo se siente? Responda 1 mejor, 2 igual, 3 peor.\n")
		_ = w.WriteField("from", "Eve <"+email+">")
		if err := w.Close(); err != nil {
			t.Fatal(err)
		}
		req, _ := http.NewRequest("POST", in.base+"/webhooks/sendgrid/inbound/"+token, &buf)
		req.Header.Set("Content-Type", w.FormDataContentType())
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		closeBody(resp.Body)
		return resp.StatusCode
	}
	if st := reply("wrongtoken0123456789abcdefgh", "m1@mail.example.org"); st != http.StatusForbidden {
		t.Fatalf("wrong token: %d", st)
	}
	if st := reply(testInboundToken, "m1@mail.example.org"); st != http.StatusOK {
		t.Fatalf("inbound email: %d", st)
	}
	if st := reply(testInboundToken, "m1@mail.example.org"); st != http.StatusOK {
		t.Fatalf("re-posted inbound email: %d", st)
	}
	eventually(t, "journey completed from an email reply", func() bool {
		var got item
		in.call("GET", "/v1/enrollments/"+e["id"].(string), nil, &got)
		return got["status"] == "completed" && got["outcome"] == "worse"
	})

	events := func(sign bool, evs ...map[string]string) int {
		body, _ := json.Marshal(evs)
		ts := fmt.Sprint(time.Now().Unix())
		sig, _ := messaging.SignSendGrid(priv, body, ts)
		if !sign {
			sig, _ = messaging.SignSendGrid(priv, []byte("something else"), ts)
		}
		req, _ := http.NewRequest("POST", in.base+"/webhooks/sendgrid/events", bytes.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set(messaging.SendGridSignatureHeader, sig)
		req.Header.Set(messaging.SendGridTimestampHeader, ts)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		closeBody(resp.Body)
		return resp.StatusCode
	}
	unsub := map[string]string{"event": "unsubscribe", "sg_event_id": "ev1", "carepath_message_id": mail.CarepathID, "sg_message_id": mail.ID + ".filter"}
	if st := events(false, unsub); st != http.StatusForbidden {
		t.Fatalf("forged events: %d", st)
	}
	delivered := map[string]string{"event": "delivered", "sg_event_id": "ev0", "carepath_message_id": mail.CarepathID}
	if st := events(true, delivered, unsub); st != http.StatusOK {
		t.Fatalf("events: %d", st)
	}
	unsubAgain := map[string]string{"event": "unsubscribe", "sg_event_id": "ev2-new-id", "carepath_message_id": mail.CarepathID}
	if st := events(true, unsubAgain); st != http.StatusOK {
		t.Fatalf("re-posted event: %d", st)
	}
	var audit struct{ Items []item }
	in.call("GET", "/v1/audit?patient_id="+pid+"&limit=500", nil, &audit)
	revocations := 0
	for _, a := range audit.Items {
		if a["action"] == "consent.revoke" {
			revocations++
		}
	}
	if revocations != 1 {
		t.Fatalf("%d consent revocations recorded for one unsubscribe posted twice", revocations)
	}
	// After the unsubscribe, no more email goes out: a new journey's message is suppressed.
	var e2 item
	in.call("POST", "/v1/patients/"+pid+"/enrollments", item{"journey": "post_visit_checkin", "params": item{"delay": "0s"}}, &e2)
	eventually(t, "suppressed email", func() bool {
		var msgs struct{ Items []item }
		in.call("GET", "/v1/patients/"+pid+"/messages", nil, &msgs)
		for _, m := range msgs.Items {
			if m["enrollment_id"] == e2["id"] && m["status"] == "suppressed" {
				return true
			}
		}
		return false
	})
	if n := len(sg.To(email)); n != 2 {
		// the question and the nurse-will-call, and nothing after the unsubscribe
		t.Fatalf("%d emails sent, want 2", n)
	}
}

func TestEndToEndPreferencesFromAReply(t *testing.T) {
	sg := fakesendgrid.New()
	t.Cleanup(sg.Close)
	in := startDevWith(t, map[string]string{"SENDGRID_API_KEY": "SG.test", "SENDGRID_FROM_EMAIL": "care@example.org",
		"SENDGRID_API_URL": sg.URL, "SENDGRID_INBOUND_TOKEN": testInboundToken})
	phone, email := "+15551230008", "pref.patient@example.org"
	var p item
	in.call("POST", "/v1/patients", item{"given_name": "Pref", "family_name": "Erence", "birth_date": "1980-01-01",
		"phone": phone, "email": email, "timezone": testenv.ZoneAt(12)}, &p)
	pid := p["id"].(string)

	if st := in.sms(testAuthToken, "SMpref0001", phone, "Email me instead, in Spanish please"); st != http.StatusOK {
		t.Fatalf("preference reply: %d", st)
	}
	eventually(t, "acknowledgement", func() bool { return len(in.twilio.To(phone)) == 1 })
	if ack := in.twilio.To(phone)[0].Body; !strings.Contains(ack, "Entendido") {
		t.Fatalf("acknowledgement not in the new language: %q", ack)
	}
	var got item
	in.call("GET", "/v1/patients/"+pid, nil, &got)
	if got["preferred_channel"] != "email" || got["locale"] != "es" {
		t.Fatalf("preferences not updated: %v", got)
	}
	// The next journey honours them: by email, in Spanish.
	var e item
	in.call("POST", "/v1/patients/"+pid+"/enrollments", item{"journey": "post_visit_checkin", "params": item{"delay": "0s"}}, &e)
	eventually(t, "question by email", func() bool { return len(sg.To(email)) == 1 })
	if body := sg.To(email)[0].Text; !strings.Contains(body, "¿Cómo se siente") {
		t.Fatalf("question: %q", body)
	}
	if n := len(in.twilio.To(phone)); n != 1 {
		t.Fatalf("%d SMS after asking for email", n)
	}
	var tasks struct{ Items []item }
	in.call("GET", "/v1/tasks?patient_id="+pid, nil, &tasks)
	if len(tasks.Items) != 0 {
		t.Fatalf("a preference request became a task: %v", tasks.Items)
	}
}
