package main

import (
	"context"
	"fmt"
	"time"

	"github.com/carepath/carepath/internal/config"
	"github.com/carepath/carepath/messaging"
)

// senders returns the configured providers, or the sandbox for a channel
// without credentials when sandbox is allowed.
func (a *app) senders(sandbox bool) (sms, email messaging.Sender, err error) {
	switch {
	case a.cfg.TwilioEnabled():
		if sms, err = a.smsSender(); err != nil {
			return nil, nil, err
		}
	case sandbox:
		sms = messaging.Sandbox{}
	}
	switch {
	case a.cfg.SendGridEnabled():
		if email, err = messaging.NewSendGrid(messaging.SendGridConfig{APIKey: a.cfg.SendGridAPIKey,
			From: a.cfg.SendGridFromEmail, APIURL: a.cfg.SendGridAPIURL, Timeout: a.cfg.Send.ProviderTimeout}); err != nil {
			return nil, nil, err
		}
	case sandbox:
		email = messaging.Sandbox{}
	}
	return sms, email, nil
}

// smsSender is Twilio behind the per-number limit: one limiter for a
// Messaging Service (its numbers' limits pooled), or one per sending number
// with each patient kept on one number (messaging.Numbers). The limiter is
// shared by every worker through PostgreSQL unless CAREPATH_SEND_LIMITER
// is "process".
func (a *app) smsSender() (messaging.Sender, error) {
	f := a.cfg.SendFleet
	twilio := func(from, service string) (*messaging.Twilio, error) {
		return messaging.NewTwilio(messaging.TwilioConfig{AccountSID: a.cfg.TwilioAccountSID,
			AuthToken: a.cfg.TwilioAuthToken, From: from, MessagingServiceSID: service, APIURL: a.cfg.TwilioAPIURL,
			Timeout: a.cfg.Send.ProviderTimeout})
	}
	if f.MessagingServiceSID != "" {
		tw, err := twilio("", f.MessagingServiceSID)
		if err != nil {
			return nil, err
		}
		return a.limit(tw, f.MessagingServiceSID, f.TotalPerSecond(a.cfg.SMSPerSecond))
	}
	numbers := f.Numbers
	if len(numbers) == 0 { // a Config not read by FromEnv (tests)
		numbers = []config.SendNumber{{Number: a.cfg.TwilioFromNumber, PerSecond: a.cfg.SMSPerSecond}}
	}
	names := make([]string, len(numbers))
	lanes := make([]messaging.Gated, len(numbers))
	for i, n := range numbers {
		tw, err := twilio(n.Number, "")
		if err != nil {
			return nil, err
		}
		s, err := a.limit(tw, n.Number, n.PerSecond)
		if err != nil {
			return nil, err
		}
		names[i], lanes[i] = n.Number, s.(messaging.Gated)
	}
	if len(lanes) == 1 {
		return lanes[0], nil
	}
	return messaging.NewNumbers(names, lanes)
}

// limit wraps one sending number (or service) with its limiter.
func (a *app) limit(tw *messaging.Twilio, sender string, perSecond float64) (messaging.Sender, error) {
	if a.cfg.SendFleet.Limiter == config.LimiterProcess {
		return messaging.NewPaced(tw, perSecond), nil
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	s, err := messaging.NewShared(ctx, tw, a.store.Queries, messaging.SharedConfig{Sender: sender, PerSecond: perSecond,
		Lease: a.cfg.Send.ProviderTimeout + a.cfg.Send.LeaseMargin, Log: a.log})
	if err != nil {
		return nil, fmt.Errorf("send limiter: %w", err)
	}
	return s, nil
}
