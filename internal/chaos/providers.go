package chaos

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/carepath/carepath/internal/fakesendgrid"
	"github.com/carepath/carepath/internal/faketwilio"
)

// providers are the fake Twilio and SendGrid, misbehaving at seeded random
// moments while enabled, and reporting delivery back the way the real ones
// do: early (before the create response), late, twice and out of order.
type providers struct {
	tw  *faketwilio.Server
	sg  *fakesendgrid.Server
	rnd *rnd

	faultRate float64
	enabled   atomic.Bool // faults on (off for the drain)
	target    atomic.Pointer[callbackTarget]

	clientTimeout time.Duration // carepath's; stalls outlast it
	ctx           context.Context
	wg            sync.WaitGroup
	callbacks     atomic.Int64
	eventSeq      atomic.Int64
}

// callbackTarget is where callbacks go, known once the cluster runs.
type callbackTarget struct {
	client  *client
	cluster *Cluster
}

func newProviders(ctx context.Context, r *rnd, faultRate float64, clientTimeout time.Duration) *providers {
	p := &providers{tw: faketwilio.New(), sg: fakesendgrid.New(), rnd: r, faultRate: faultRate, ctx: ctx,
		clientTimeout: clientTimeout}
	p.tw.Chaos = func(faketwilio.Message) faketwilio.Plan {
		f, lat, stall := p.plan()
		return faketwilio.Plan{Fault: faketwilio.Fault(f), Latency: lat, Stall: stall}
	}
	p.sg.Chaos = func(fakesendgrid.Mail) fakesendgrid.Plan {
		f, lat, stall := p.plan()
		return fakesendgrid.Plan{Fault: fakesendgrid.Fault(f), Latency: lat, Stall: stall}
	}
	p.tw.BeforeAnswer = p.twilioCallbacks
	p.sg.BeforeAnswer = p.sendgridEvents
	return p
}

// plan picks a fault (the two fakes number their faults alike), a latency
// and a stall past carepath's provider timeout.
func (p *providers) plan() (fault int, latency, stall time.Duration) {
	latency = p.rnd.between(0, 300*time.Millisecond)
	if p.rnd.chance(0.1) {
		latency = p.rnd.between(time.Second, 4*time.Second)
	}
	if !p.enabled.Load() || !p.rnd.chance(p.faultRate) {
		return 0, latency, 0
	}
	return 1 + p.rnd.intn(5), latency, p.clientTimeout + p.rnd.between(time.Second, 3*time.Second)
}

// faults is how many faults the fakes injected.
func (p *providers) faults() int {
	n := 0
	for _, c := range p.tw.Faults() {
		n += c
	}
	for _, c := range p.sg.Faults() {
		n += c
	}
	return n
}

// later runs f after d, unless the run is over.
func (p *providers) later(d time.Duration, f func()) {
	p.wg.Add(1)
	go func() {
		defer p.wg.Done()
		select {
		case <-time.After(d):
			f()
		case <-p.ctx.Done():
		}
	}()
}

// twilioCallbacks schedules the status callbacks of an accepted SMS.
func (p *providers) twilioCallbacks(m faketwilio.Message) {
	t := p.target.Load()
	if t == nil || m.StatusCallback == "" {
		return
	}
	post := func(status string) {
		params := map[string]string{"MessageSid": m.SID, "AccountSid": m.AccountSID, "From": m.From, "To": m.To,
			"MessageStatus": status, "SmsStatus": status}
		ctx, cancel := context.WithTimeout(p.ctx, 10*time.Second)
		defer cancel()
		if _, err := t.client.postForm(ctx, m.StatusCallback, params); err == nil {
			p.callbacks.Add(1)
		}
	}
	if p.rnd.chance(0.25) {
		post("sent") // before the create response
	} else {
		p.later(p.rnd.between(100*time.Millisecond, 5*time.Second), func() { post("sent") })
	}
	delivered := p.rnd.between(time.Second, 15*time.Second) // late
	if p.rnd.chance(0.2) {
		delivered = p.rnd.between(0, 100*time.Millisecond) // before "sent": out of order
	}
	p.later(delivered, func() { post("delivered") })
	if p.rnd.chance(0.3) {
		p.later(delivered+p.rnd.between(0, 8*time.Second), func() { post("delivered") }) // twice
	}
	if p.rnd.chance(0.15) {
		p.later(p.rnd.between(8*time.Second, 20*time.Second), func() { post("sent") }) // a stale one, after delivered
	}
}

// sendgridEvents schedules the Event Webhook posts of an accepted mail.
func (p *providers) sendgridEvents(m fakesendgrid.Mail) {
	t := p.target.Load()
	if t == nil {
		return
	}
	event := func(kind string) map[string]any {
		return map[string]any{"email": m.To, "event": kind, "timestamp": time.Now().Unix(),
			"sg_event_id": fmt.Sprintf("chaos-ev-%d", p.eventSeq.Add(1)), "sg_message_id": m.ID + ".filter0001",
			"carepath_message_id": m.CarepathID}
	}
	post := func(evs ...map[string]any) {
		ctx, cancel := context.WithTimeout(p.ctx, 10*time.Second)
		defer cancel()
		if _, err := t.client.postEvents(ctx, t.cluster, evs); err == nil {
			p.callbacks.Add(1)
		}
	}
	processed, delivered := event("processed"), event("delivered")
	switch {
	case p.rnd.chance(0.25):
		post(processed) // before the send's response
	case p.rnd.chance(0.2):
		post(delivered, processed) // out of order, in one batch
		processed = nil
	default:
		p.later(p.rnd.between(100*time.Millisecond, 5*time.Second), func() { post(processed) })
	}
	p.later(p.rnd.between(time.Second, 15*time.Second), func() { post(delivered) })
	if p.rnd.chance(0.3) {
		p.later(p.rnd.between(5*time.Second, 20*time.Second), func() { post(delivered) }) // the same event again
	}
}

// sends is what reached people, in the checker's terms.
func (p *providers) sends() []Send {
	var out []Send
	for _, m := range p.tw.Messages() {
		out = append(out, Send{Channel: "sms", To: m.To, Body: m.Body, CarepathID: m.CarepathID(), At: m.At,
			Answer: p.tw.FaultOf(m.SID).String()})
	}
	for _, m := range p.sg.Mails() {
		out = append(out, Send{Channel: "email", To: m.To, Body: m.Text, CarepathID: m.CarepathID, At: m.At,
			Answer: p.sg.FaultOf(m.ID).String()})
	}
	return out
}

func (p *providers) close() {
	p.wg.Wait()
	p.tw.Close()
	p.sg.Close()
}
