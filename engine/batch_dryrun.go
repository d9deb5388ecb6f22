package engine

import (
	"context"
	"strings"

	"github.com/carepath/carepath"
	"github.com/carepath/carepath/activities"
	"github.com/carepath/carepath/store"
)

// DryRun is what a bulk launch would do now, decided by the rules the
// launch applies: who its journey's first message would reach, on which
// channel, and who would be skipped and why. Nothing is enrolled, started
// or sent, and no job is recorded.
type DryRun struct {
	DryRun       bool            `json:"dry_run"` // always true: tells the answer from a job
	Journey      string          `json:"journey"`
	WouldMessage []DryRunPatient `json:"would_message"`
	Skipped      []DryRunSkip    `json:"skipped"`
	// Counts: patients, would_message, skipped, and one count per skip
	// reason.
	Counts map[string]int `json:"counts"`
	// MessagesEach is how many messages the journey sends each patient
	// before the patient's first reply (workflows.Opening).
	MessagesEach int `json:"messages_each"`
	// ExpectedMessages is len(WouldMessage) × MessagesEach: what the
	// launch sends before anyone replies. Replies lead to more.
	ExpectedMessages int `json:"expected_messages"`
}

// DryRunPatient is a patient the launch would message.
type DryRunPatient struct {
	PatientID   string           `json:"patient_id"`
	DisplayName string           `json:"display_name"`
	Channel     carepath.Channel `json:"channel"`
}

// DryRunSkip is a patient the launch would not message, and why: not
// enrolled at all (activities.SkipUnknownPatient, SkipAlreadyActive), or
// enrolled but its first message suppressed (activities.ReasonOptedOut,
// ReasonNoConsent, ReasonNoContact, ReasonInvalidContact; WouldEnroll).
type DryRunSkip struct {
	PatientID   string `json:"patient_id"`
	DisplayName string `json:"display_name,omitempty"`
	Reason      string `json:"reason"`
	WouldEnroll bool   `json:"would_enroll"`
}

// DryRunBatch validates a bulk launch exactly as CreateBatch does and
// reports what it would do. Consent and contact points are read as they
// are now; a journey that waits before its first message (a check-in days
// after a visit) checks them again then. Each patient shown is audited as
// disclosed by the dry run.
func (e *Engine) DryRunBatch(ctx context.Context, a carepath.Actor, r BatchRequest) (DryRun, error) {
	def, params, ids, err := e.checkBatch(r)
	if err != nil {
		return DryRun{}, err
	}
	opening, err := def.OpeningFor(params)
	if err != nil {
		return DryRun{}, err
	}
	out := DryRun{DryRun: true, Journey: r.Journey, WouldMessage: []DryRunPatient{}, Skipped: []DryRunSkip{},
		Counts: map[string]int{}, MessagesEach: opening.Messages}
	err = e.Store.Tx(ctx, func(q *store.Queries) error {
		if r.Segment != nil {
			var err error
			if ids, err = r.Segment.resolve(ctx, q); err != nil {
				return err
			}
		}
		for _, pid := range ids {
			if err := e.dryRunOne(ctx, q, a, &out, r.Journey, opening.Purpose, pid); err != nil {
				return err
			}
		}
		if found := len(out.WouldMessage) + len(out.Skipped) - out.Counts[activities.SkipUnknownPatient]; found == 0 {
			// No patient was found: the trail still shows the attempt.
			return audit(ctx, q, a, "enrollment.batch_dry_run", "", "journey/"+r.Journey)
		}
		return nil
	})
	if err != nil {
		return DryRun{}, err
	}
	out.Counts["patients"] = len(ids)
	out.Counts["would_message"] = len(out.WouldMessage)
	out.Counts["skipped"] = len(out.Skipped)
	out.ExpectedMessages = len(out.WouldMessage) * opening.Messages
	return out, nil
}

// dryRunOne decides one patient: the launch's own skips first (as
// activities.LaunchBatch records them), then the first message's channel
// by the send path's rule (activities.ChooseChannel).
func (e *Engine) dryRunOne(ctx context.Context, q *store.Queries, a carepath.Actor, out *DryRun, journey string, purpose carepath.Purpose, pid string) error {
	skip := func(s DryRunSkip) {
		out.Skipped = append(out.Skipped, s)
		out.Counts[s.Reason]++
	}
	p, err := q.PatientGet(ctx, pid)
	if carepath.ErrorCode(err) == carepath.ENOTFOUND {
		skip(DryRunSkip{PatientID: pid, Reason: activities.SkipUnknownPatient})
		return nil
	}
	if err != nil {
		return err
	}
	name := displayName(p.Patient)
	if err := audit(ctx, q, a, "enrollment.batch_dry_run", pid, "patient/"+pid); err != nil {
		return err
	}
	// A bulk launch conflicts with the patient's active enrollment in the
	// journey (an unkeyed one: bulk launches carry no key).
	if _, err := q.EnrollmentActiveGet(ctx, pid, journey, ""); err == nil {
		skip(DryRunSkip{PatientID: pid, DisplayName: name, Reason: activities.SkipAlreadyActive})
		return nil
	} else if carepath.ErrorCode(err) != carepath.ENOTFOUND {
		return err
	}
	// The journey's messages go on the patient's preferred channel with
	// fallback; which providers the workers have is not known here, so
	// every channel counts as configured.
	reach, err := activities.ChooseChannel(ctx, q, p, activities.ChannelRequest{Purpose: purpose}, nil)
	if err != nil {
		return err
	}
	if reach.Reason != "" {
		skip(DryRunSkip{PatientID: pid, DisplayName: name, Reason: reach.Reason, WouldEnroll: true})
		return nil
	}
	out.WouldMessage = append(out.WouldMessage, DryRunPatient{PatientID: pid, DisplayName: name, Channel: reach.Channel})
	return nil
}

// displayName is how the console names a patient.
func displayName(p carepath.Patient) string {
	return strings.TrimSpace(p.GivenName + " " + p.FamilyName)
}
