package chaos

import (
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/carepath/carepath"
)

// What the checker reads: only what the fake providers received and what
// the API reports, plus what the simulated people and the harness did.

// Send is one message a fake provider accepted (it reached the person).
type Send struct {
	Channel    carepath.Channel // sms or email
	To         string           // phone or email address
	Body       string
	CarepathID string // from the per-message callback URL or custom arg; "" if the send carried none
	At         time.Time
	Answer     string // how the fake answered: "none" (normally) or the fault injected after accepting
}

// Reply is one inbound webhook carepath acknowledged with a 2xx.
type Reply struct {
	Channel    carepath.Channel
	From       string
	ProviderID string   // MessageSid or the email's Message-ID
	Body       string   // never printed
	PatientIDs []string // the patients at that address (empty: a caregiver or a stranger)
	Keyword    bool     // STOP/START/HELP: handled by compliance, not by a journey
	AckedAt    time.Time
}

// OptOut is a STOP acknowledged for an address, and the START that ended
// it (zero: never).
type OptOut struct {
	Address string
	Stop    time.Time
	Start   time.Time
	// Helps is how many times the person texted HELP after the STOP: each
	// may be answered (carriers require HELP to be answered even then).
	Helps int
}

// PatientView is a patient as the API reports it, with their timeline.
type PatientView struct {
	ID       string
	Phone    string
	Email    string
	Messages []carepath.Message
	// Caregivers are the addresses of the patient's caregivers: a message
	// listed on the patient's timeline may have gone to one of them.
	Caregivers []string
}

// Observed is everything a run saw.
type Observed struct {
	Sends       []Send
	Replies     []Reply
	OptOuts     []OptOut
	Patients    []PatientView
	Enrollments []carepath.Enrollment
	// Tasks are the care team's tasks (GET /v1/tasks) and TaskMessages the
	// messages they name (GET /v1/messages/{id}), by task ID: a reply on no
	// patient's timeline (a shared phone's) is kept when a task names it.
	Tasks        []carepath.Task
	TaskMessages map[string]carepath.Message
	// CaregiverStops are the patients whose caregiver sent STOP (the
	// patient's own consent must not change).
	CaregiverStops []string
	// Unrecovered names api/worker processes that exited on their own or
	// did not come back healthy after the faults.
	Unrecovered []string
	// StopGrace is how long after its acknowledgement a STOP may take to
	// apply (a provider call already under way).
	StopGrace time.Duration
}

// Violation is one broken promise, described with IDs only (no PHI).
type Violation struct {
	Kind   string // duplicate, lost, reply_lost, after_stop, consent_crossed, unfinished, unrecovered
	Detail string
}

// Report is the checker's verdict.
type Report struct {
	Sends, Duplicates, Lost, Replies, RepliesLost, AfterStop, ConsentCrossed, Unfinished, Unrecovered int
	Violations                                                                                        []Violation
}

// Failed reports whether any invariant broke.
func (r *Report) Failed() bool { return len(r.Violations) > 0 }

func (r *Report) add(kind, format string, args ...any) {
	r.Violations = append(r.Violations, Violation{Kind: kind, Detail: fmt.Sprintf(format, args...)})
	switch kind {
	case "duplicate":
		r.Duplicates++
	case "lost":
		r.Lost++
	case "reply_lost":
		r.RepliesLost++
	case "after_stop":
		r.AfterStop++
	case "consent_crossed":
		r.ConsentCrossed++
	case "unfinished":
		r.Unfinished++
	case "unrecovered":
		r.Unrecovered++
	}
}

// Statuses of an outbound row that may have reached the person.
var mayHaveSent = map[string]bool{
	carepath.MessageSending: true, carepath.MessageSent: true, carepath.MessageDelivered: true,
	carepath.MessageUndelivered: true, carepath.MessageFailed: true,
}

// Statuses that say the provider took it.
var claimsSent = map[string]bool{carepath.MessageSent: true, carepath.MessageDelivered: true, carepath.MessageUndelivered: true}

// Check applies every invariant to what a run observed.
func Check(o Observed) *Report {
	r := &Report{Sends: len(o.Sends)}
	rows := outboundRows(o.Patients)
	checkDuplicates(o, rows, r)
	checkLost(o, rows, r)
	checkReplies(o, r)
	checkAfterStop(o, r)
	checkConsent(o, rows, r)
	for _, e := range o.Enrollments {
		if e.Status == carepath.EnrollmentActive {
			r.add("unfinished", "enrollment %s (%s) still active at step %q", e.ID, e.Journey, e.Step)
		}
	}
	for _, u := range o.Unrecovered {
		r.add("unrecovered", "%s", u)
	}
	sort.SliceStable(r.Violations, func(i, j int) bool { return r.Violations[i].Kind < r.Violations[j].Kind })
	return r
}

// row is an outbound message row with the address it went to.
type row struct {
	carepath.Message
	address string
}

func outboundRows(ps []PatientView) []row {
	var out []row
	seen := map[string]bool{} // a row can be listed under two patients only by mistake; count it once
	for _, p := range ps {
		for _, m := range p.Messages {
			if m.Direction != carepath.DirectionOutbound || seen[m.ID] {
				continue
			}
			seen[m.ID] = true
			addr := p.Phone
			if m.Channel == carepath.ChannelEmail {
				addr = p.Email
			}
			out = append(out, row{Message: m, address: addr})
		}
	}
	return out
}

type addrBody struct{ addr, body string }

func checkDuplicates(o Observed, rows []row, r *Report) {
	byID := map[addrBody]int{}
	byBody := map[addrBody]int{}
	answers := map[addrBody][]string{} // evidence: when each send arrived and how it was answered
	for _, s := range o.Sends {
		k := addrBody{s.To, s.Body}
		if s.CarepathID != "" {
			k = addrBody{s.To, s.CarepathID}
			byID[k]++
		} else {
			byBody[k]++
		}
		answers[k] = append(answers[k], s.At.Format("15:04:05.000")+" "+s.Answer)
	}
	for k, n := range byID {
		for range n - 1 {
			r.add("duplicate", "message %s reached its recipient %d times (sends answered: %v)", k.body, n, answers[k])
		}
	}
	// Sends without an ID: more identical bodies at an address than rows
	// carepath could have sent there.
	could := map[addrBody]int{}
	ids := map[addrBody][]string{}
	for _, w := range rows {
		if mayHaveSent[w.Status] {
			k := addrBody{w.address, w.Body}
			could[k]++
			ids[k] = append(ids[k], w.ID)
		}
	}
	patientAddr := map[string]bool{}
	for _, p := range o.Patients {
		patientAddr[p.Phone], patientAddr[p.Email] = true, true
	}
	for k, n := range byBody {
		if !patientAddr[k.addr] {
			// A caregiver's address: carepath's rows may name the patient, so
			// only a repeated identical body counts.
			could[k] = max(could[k], 1)
		}
		for range n - could[k] {
			r.add("duplicate", "%d identical sends to one recipient for %d message row(s) %v (sends answered: %v)",
				n, could[k], ids[k], answers[k])
		}
	}
}

func checkLost(o Observed, rows []row, r *Report) {
	sentIDs := map[string]bool{}
	withIDs := map[carepath.Channel]bool{} // channels whose sends carry carepath's message ID
	sentBodies := map[addrBody]int{}
	for _, s := range o.Sends {
		if s.CarepathID != "" {
			sentIDs[s.CarepathID] = true
			withIDs[s.Channel] = true
		}
		sentBodies[addrBody{s.To, s.Body}]++
	}
	claimed := map[addrBody][]string{}
	for _, w := range rows {
		switch {
		case claimsSent[w.Status]:
			if sentIDs[w.ID] {
				continue
			}
			if withIDs[w.Channel] {
				r.add("lost", "message %s (enrollment %s) reported %s but never reached the provider", w.ID, w.EnrollmentID, w.Status)
				continue
			}
			k := addrBody{w.address, w.Body}
			claimed[k] = append(claimed[k], w.ID)
		case w.Status == carepath.MessageQueued, w.Status == carepath.MessageSending, w.Status == carepath.MessageDeferred:
			r.add("lost", "message %s (enrollment %s) stuck in %s", w.ID, w.EnrollmentID, w.Status)
		case w.Status == carepath.MessageFailed:
			// The fakes never refuse a message for good: a failure is a give-up.
			r.add("lost", "message %s (enrollment %s) failed: %s", w.ID, w.EnrollmentID, w.StatusReason)
		case w.Status == carepath.MessageSuppressed && w.StatusReason != "opted_out":
			r.add("lost", "message %s (enrollment %s) suppressed: %s", w.ID, w.EnrollmentID, w.StatusReason)
		}
	}
	caregiversOf := map[string][]string{}
	for _, p := range o.Patients {
		for _, a := range []string{p.Phone, p.Email} {
			if a != "" {
				caregiversOf[a] = append(caregiversOf[a], p.Caregivers...)
			}
		}
	}
	for k, idsClaimed := range claimed {
		reached := sentBodies[k]
		for _, a := range caregiversOf[k.addr] {
			reached += sentBodies[addrBody{a, k.body}]
		}
		if missing := len(idsClaimed) - reached; missing > 0 {
			r.add("lost", "%d of message(s) %v reported sent but never reached the provider", missing, idsClaimed)
		}
	}
}

func checkReplies(o Observed, r *Report) {
	inbound := map[string]carepath.Message{} // by provider message ID
	for _, p := range o.Patients {
		for _, m := range p.Messages {
			if m.Direction == carepath.DirectionInbound {
				inbound[normalizeID(m.ProviderMessageID)] = m
			}
		}
	}
	held := map[string]bool{} // provider IDs of the inbound messages tasks name
	for _, t := range o.Tasks {
		if m, ok := o.TaskMessages[t.ID]; ok && m.Direction == carepath.DirectionInbound {
			held[normalizeID(m.ProviderMessageID)] = true
		}
	}
	for _, rep := range o.Replies {
		if rep.Keyword || len(rep.PatientIDs) == 0 {
			continue
		}
		r.Replies++
		m, ok := inbound[normalizeID(rep.ProviderID)]
		switch {
		case !ok && held[normalizeID(rep.ProviderID)]:
			// On no patient's timeline (a shared phone's), and a task holds it.
		case !ok:
			r.add("reply_lost", "reply %s acknowledged at %s is on no timeline of patient(s) %v and no task holds it",
				rep.ProviderID, rep.AckedAt.Format(time.TimeOnly), rep.PatientIDs)
		case m.Status != carepath.MessageRouted:
			r.add("reply_lost", "reply %s (message %s) acknowledged at %s, still %s: no journey took it and no task holds it",
				rep.ProviderID, m.ID, rep.AckedAt.Format(time.TimeOnly), m.Status)
		}
	}
}

// normalizeID compares email Message-IDs with or without angle brackets.
func normalizeID(s string) string { return strings.Trim(strings.TrimSpace(s), "<>") }

func checkAfterStop(o Observed, r *Report) {
	rowByID := map[string]carepath.Message{}
	patientsAt := map[string][]string{}
	for _, p := range o.Patients {
		for _, m := range p.Messages {
			rowByID[m.ID] = m
		}
		for _, a := range []string{p.Phone, p.Email} {
			if a != "" {
				patientsAt[a] = append(patientsAt[a], p.ID)
			}
		}
	}
	for _, opt := range o.OptOuts {
		from := opt.Stop.Add(o.StopGrace)
		confirmations, helps := 0, 0
		for _, s := range o.Sends {
			if s.To != opt.Address || s.At.Before(opt.Stop) || (!opt.Start.IsZero() && !s.At.Before(opt.Start)) {
				continue
			}
			if isStopConfirmation(s.Body) {
				if confirmations++; confirmations == 1 {
					continue
				}
			} else if isHelpText(s.Body) && helps < opt.Helps {
				helps++
				continue
			} else if !s.At.After(from) {
				continue // a provider call already under way when the STOP came
			}
			id, what := s.CarepathID, ""
			if id == "" {
				id = "(no id)"
			}
			if m, ok := rowByID[s.CarepathID]; ok {
				what = fmt.Sprintf(" (template %s, enrollment %s, patient %s)", m.Template, m.EnrollmentID, m.PatientID)
			}
			r.add("after_stop", "message %s%s reached an address %s after its STOP (acknowledged at %s; patients at the address: %v)",
				id, what, s.At.Sub(opt.Stop).Round(time.Millisecond), opt.Stop.Format(time.TimeOnly), patientsAt[opt.Address])
		}
	}
}

func isHelpText(body string) bool {
	return strings.Contains(body, "Msg frequency varies") || strings.Contains(body, "Frecuencia variable")
}

func isStopConfirmation(body string) bool {
	return strings.Contains(body, "unsubscribed") || strings.Contains(body, "Ya no recibirá")
}

// checkConsent: a patient whose own address never sent STOP must never be
// treated as opted out — in particular not because a caregiver did.
func checkConsent(o Observed, rows []row, r *Report) {
	stopped := map[string][]OptOut{}
	for _, opt := range o.OptOuts {
		stopped[opt.Address] = append(stopped[opt.Address], opt)
	}
	patientOf := map[string]string{}
	for _, p := range o.Patients {
		for _, m := range p.Messages {
			patientOf[m.ID] = p.ID
		}
	}
	caregiverStopped := map[string]bool{}
	for _, id := range o.CaregiverStops {
		caregiverStopped[id] = true
	}
	for _, w := range rows {
		if w.Status != carepath.MessageSuppressed || w.StatusReason != "opted_out" {
			continue
		}
		if len(stopped[w.address]) > 0 {
			continue
		}
		why := "without any STOP from the patient's address"
		if caregiverStopped[patientOf[w.ID]] {
			why = "after only their caregiver sent STOP"
		}
		r.add("consent_crossed", "message %s to patient %s suppressed as opted out %s", w.ID, patientOf[w.ID], why)
	}
	addrs := map[string][]string{}
	for _, p := range o.Patients {
		addrs[p.ID] = []string{p.Phone, p.Email}
	}
	for _, e := range o.Enrollments {
		if e.Outcome != "opted_out" {
			continue
		}
		any := false
		for _, a := range addrs[e.PatientID] {
			any = any || (a != "" && len(stopped[a]) > 0)
		}
		if !any {
			r.add("consent_crossed", "enrollment %s of patient %s ended opted_out without the patient's STOP", e.ID, e.PatientID)
		}
	}
}

// Summary is the one line a run ends with.
func (r *Report) Summary(f FaultCounts, seed int64) string {
	return fmt.Sprintf("chaos: sends=%d duplicates=%d lost=%d replies=%d replies_lost=%d after_stop=%d consent_crossed=%d "+
		"unfinished=%d unrecovered=%d worker_kills=%d api_kills=%d temporal_outages=%d replies_in_outage=%d pg_restarts=%d "+
		"provider_faults=%d callbacks=%d seed=%d",
		r.Sends, r.Duplicates, r.Lost, r.Replies, r.RepliesLost, r.AfterStop, r.ConsentCrossed, r.Unfinished, r.Unrecovered,
		f.WorkerKills, f.APIKills, f.TemporalOutages, f.RepliesInOutage, f.PGRestarts, f.ProviderFaults, f.Callbacks, seed)
}

// FaultCounts is what the run injected.
type FaultCounts struct {
	WorkerKills, APIKills, TemporalOutages, PGRestarts, ProviderFaults, Callbacks int
	RepliesInOutage                                                               int // replies acknowledged while Temporal was down
}
