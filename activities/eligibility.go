package activities

import (
	"context"

	"github.com/carepath/carepath"
	"github.com/carepath/carepath/store"
)

// The rules that decide whether a launched patient is reached, shared by
// the bulk launch and the send path (which apply them) and by a bulk
// launch's dry run (which reports them without applying them).

// Reasons a bulk launch skips a patient (batch_items.reason).
const (
	SkipUnknownPatient = "unknown patient"
	SkipAlreadyActive  = "already active in this journey"
)

// ChannelRequest is what decides a message's channel: the channel asked
// for ("" for the patient's preferred), whether the other may be used
// instead, and the purpose whose consent is needed.
type ChannelRequest struct {
	Channel    carepath.Channel
	NoFallback bool
	Purpose    carepath.Purpose
}

// Reach is the channel a message would go on and its address, or, when no
// channel can be used, Reason (ReasonNoContact, ReasonInvalidContact,
// ReasonNoConsent or ReasonOptedOut) and the channel it would have used.
type Reach struct {
	Channel carepath.Channel
	To      string
	Reason  string
}

// ChooseChannel picks the first usable channel: requested or preferred,
// then the other unless fallback is forbidden. A channel is usable with an
// address not marked invalid, a provider configured for it (hasSender; nil
// counts every channel as configured) and, except for compliance replies,
// consent for the purpose.
func ChooseChannel(ctx context.Context, q *store.Queries, p store.PatientRecord, r ChannelRequest, hasSender func(carepath.Channel) bool) (Reach, error) {
	first := p.PreferredChannel
	if r.Channel == carepath.ChannelSMS || r.Channel == carepath.ChannelEmail {
		first = r.Channel
	}
	order := []carepath.Channel{first}
	if !r.NoFallback {
		order = append(order, other(first))
	}
	reason := ReasonNoContact
	for _, c := range order {
		addr, status := p.Phone, p.PhoneStatus
		if c == carepath.ChannelEmail {
			addr, status = p.Email, p.EmailStatus
		}
		switch {
		case addr == "":
			continue
		case status == store.ContactInvalid:
			if reason == ReasonNoContact {
				reason = ReasonInvalidContact
			}
			continue
		case hasSender != nil && !hasSender(c):
			continue
		}
		if r.Purpose != carepath.PurposeCompliance {
			granted, revokedAll, err := q.ConsentState(ctx, p.ID, c, r.Purpose)
			if err != nil {
				return Reach{}, err
			}
			if !granted {
				reason = ReasonNoConsent
				if revokedAll {
					reason = ReasonOptedOut
				}
				continue
			}
		}
		return Reach{Channel: c, To: addr}, nil
	}
	return Reach{Channel: first, Reason: reason}, nil
}
