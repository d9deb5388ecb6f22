package activities

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/google/uuid"
	"go.temporal.io/sdk/temporal"

	"github.com/carepath/carepath"
	"github.com/carepath/carepath/messaging"
	"github.com/carepath/carepath/store"
)

// Paging staff: a page's side effects (package paging's runner calls
// them; so does the TaskPage workflow still draining). A page goes to one
// person of the on-call chain per step, by SMS and email (whichever they
// have and carepath can send), and to the outgoing webhook. Pages are
// at least once: a provider call whose outcome is unknown is made again
// (a duplicate page beats a missed one), but a notification recorded as
// sent is never made again for the same task, step and channel.

// PageSettings configure paging.
type PageSettings struct {
	// WebhookURL receives every page as signed JSON; empty: no webhook.
	WebhookURL string
	// WebhookSecret keys the HMAC-SHA256 signature of the body.
	WebhookSecret string
	// PublicURL is carepath's base URL: a page links to the task
	// (<PublicURL>/v1/tasks/<id>); empty: no link.
	PublicURL string
	// Zone is the clinic's time zone, the roster's; nil: America/New_York.
	Zone *time.Location
	// Client posts to the webhook; nil: a client with PageWebhookTimeout.
	Client *http.Client
}

// PageWebhookTimeout bounds one POST to the outgoing webhook.
const PageWebhookTimeout = 5 * time.Second

// PageSignatureHeader carries "sha256=<hex HMAC-SHA256 of the body>".
const PageSignatureHeader = "X-Carepath-Signature"

// PageSendRequest pages the person at one step of the on-call chain.
type PageSendRequest struct {
	TaskID string `json:"task_id"`
	// Step is 0 for first call; a step past the chain pages its last
	// reachable person again.
	Step int `json:"step"`
}

// PageSendResult says whom the page reached and how long they have.
type PageSendResult struct {
	// Closed: the task was acknowledged or resolved; nothing was sent.
	Closed bool `json:"closed,omitempty"`
	// StaffID is who was paged; empty when no one reachable is on call.
	StaffID string `json:"staff_id,omitempty"`
	// Reached: an SMS or email to StaffID was accepted (now or by an
	// earlier attempt of this step).
	Reached bool `json:"reached,omitempty"`
	// Repeat: the step is past the chain (or nobody is on call).
	Repeat bool `json:"repeat,omitempty"`
	// AckWithin is this level's acknowledgement deadline (the task's
	// priority's carepath.AckDeadline), read here so a changed value is
	// recorded in the workflow's history, not replayed differently.
	AckWithin time.Duration `json:"ack_within"`
	AckCode   string        `json:"ack_code,omitempty"`
}

// PageNoteRequest adds a note to an open task's history.
type PageNoteRequest struct {
	TaskID string `json:"task_id"`
	Detail string `json:"detail"` // never PHI
}

// PageNoteResult says whether the task was still open (and noted).
type PageNoteResult struct {
	Open bool `json:"open"`
}

// PageWebhookBody is the JSON the outgoing webhook receives. It carries no
// PHI: the receiver follows URL (an API key is needed) for the task.
type PageWebhookBody struct {
	ID       string            `json:"id"` // the same for a retried POST of the same page
	TaskID   string            `json:"task_id"`
	Priority carepath.Priority `json:"priority"`
	Reason   string            `json:"reason"`
	Level    int               `json:"level"`
	Repeat   bool              `json:"repeat,omitempty"`
	StaffID  string            `json:"staff_id,omitempty"` // empty: no one on call
	AckCode  string            `json:"ack_code"`
	URL      string            `json:"url,omitempty"`
	SentAt   time.Time         `json:"sent_at"`
}

// PageSign is the signature header's value for body.
func PageSign(secret string, body []byte) string {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write(body)
	return "sha256=" + hex.EncodeToString(m.Sum(nil))
}

// PageText is the SMS (and email body) of a page: priority, ack code and
// link only, never the patient's name or message.
func PageText(priority carepath.Priority, code, url string) string {
	s := fmt.Sprintf("carepath: %s task needs you. Reply ACK %s to acknowledge.", strings.ToUpper(string(priority)), code)
	if url != "" {
		s += " " + url
	}
	return s
}

// PageSend pages the person at req.Step of the chain on call now. Each
// channel is tried once per attempt; the activity fails (and is retried)
// only when nothing reached anyone and a failure may pass.
func (a *Activities) PageSend(ctx context.Context, req PageSendRequest) (PageSendResult, error) {
	task, err := a.Store.TaskGet(ctx, req.TaskID)
	if err != nil {
		return PageSendResult{}, notFoundIsFinal(fmt.Errorf("page: %w", err), "task")
	}
	res := PageSendResult{AckWithin: carepath.AckDeadline[task.Priority]}
	if task.Status != carepath.TaskOpen {
		res.Closed = true
		return res, nil
	}
	// The code is allocated when the page starts; only a page started by
	// an older build may lack one (allocating takes a global lock).
	if res.AckCode, err = a.Store.PageCodeOf(ctx, req.TaskID); err != nil {
		return PageSendResult{}, fmt.Errorf("page: %w", err)
	}
	if res.AckCode == "" {
		if err := a.Store.Tx(ctx, func(q *store.Queries) error {
			res.AckCode, err = q.PageCode(ctx, req.TaskID)
			return err
		}); err != nil {
			return PageSendResult{}, fmt.Errorf("page: %w", err)
		}
	}
	chain, err := a.Store.OnCallChain(ctx, a.now(), a.pageZone())
	if err != nil {
		return PageSendResult{}, fmt.Errorf("page: %w", err)
	}
	var notes []string
	var reachable []store.Staff
	for _, s := range chain {
		if a.pageChannels(s) == nil {
			if req.Step == 0 {
				notes = append(notes, fmt.Sprintf("staff %s on call but unreachable (no phone or email carepath can send to): skipped", s.ID))
			}
			continue
		}
		reachable = append(reachable, s)
	}
	level := req.Step + 1
	p := page{task: task, step: req.Step, level: level, code: res.AckCode, url: a.taskURL(task.ID)}
	if len(reachable) == 0 {
		res.Repeat = true
		only := "webhook only"
		if a.Page.WebhookURL == "" {
			only = "nobody notified (no webhook configured)"
		}
		notes = append(notes, fmt.Sprintf("no one reachable on call at level %d: %s", level, only))
	} else {
		p.staff = reachable[min(req.Step, len(reachable)-1)]
		res.StaffID, res.Repeat = p.staff.ID, req.Step >= len(reachable)
	}
	p.repeat = res.Repeat

	outcomes := a.pageAll(ctx, p)
	var retry []error
	for _, o := range outcomes {
		switch {
		case o.err == nil:
			if o.channel != store.PageWebhook {
				res.Reached = true
			}
		case o.retryable:
			retry = append(retry, o.err)
		default:
			notes = append(notes, fmt.Sprintf("%s page at level %d failed: %s", o.channel, level, o.why))
		}
	}
	delivered := res.Reached
	for _, o := range outcomes {
		delivered = delivered || o.err == nil
	}
	if !delivered && len(retry) > 0 {
		// Nothing reached anyone: try again (what was recorded is skipped).
		return PageSendResult{}, fmt.Errorf("page level %d: %w", level, errors.Join(retry...))
	}
	for _, o := range outcomes {
		if o.retryable {
			notes = append(notes, fmt.Sprintf("%s page at level %d failed: %s (another channel reached)", o.channel, level, o.why))
		}
	}
	for _, n := range notes {
		if err := a.Store.TaskEventInsert(ctx, store.TaskEvent{TaskID: task.ID, Kind: store.TaskEventNote, Actor: pageActor, Detail: n}); err != nil {
			return PageSendResult{}, fmt.Errorf("page: %w", err)
		}
	}
	a.Log.Info("page sent", "task_id", task.ID, "level", level, "staff_id", res.StaffID, "reached", res.Reached, "repeat", res.Repeat)
	return res, nil
}

// PageNote records a note on the task's history if it is still open.
func (a *Activities) PageNote(ctx context.Context, req PageNoteRequest) (PageNoteResult, error) {
	task, err := a.Store.TaskGet(ctx, req.TaskID)
	if err != nil {
		return PageNoteResult{}, notFoundIsFinal(fmt.Errorf("page note: %w", err), "task")
	}
	if task.Status != carepath.TaskOpen {
		return PageNoteResult{}, nil
	}
	if err := a.Store.TaskEventInsert(ctx, store.TaskEvent{TaskID: task.ID, Kind: store.TaskEventNote, Actor: pageActor, Detail: req.Detail}); err != nil {
		return PageNoteResult{}, fmt.Errorf("page note: %w", err)
	}
	return PageNoteResult{Open: true}, nil
}

// pageActor is the pager's name in task histories.
const pageActor = "system:pager"

// page is one step's notification, the same on every channel.
type page struct {
	task   carepath.Task
	step   int
	level  int
	repeat bool
	staff  store.Staff // zero: no one reachable on call
	code   string
	url    string
}

// pageOutcome is one channel's result.
type pageOutcome struct {
	channel   string
	err       error
	retryable bool
	why       string // a failure's kind or status, never PHI
}

// pageAll notifies every channel of p at once (the webhook's timeout does
// not hold up the SMS) and waits for all.
func (a *Activities) pageAll(ctx context.Context, p page) []pageOutcome {
	type job struct {
		channel string
		send    func(context.Context, page) (string, error)
	}
	var jobs []job
	if p.staff.ID != "" {
		for _, ch := range a.pageChannels(p.staff) {
			jobs = append(jobs, job{ch, a.pageMessage(ch)})
		}
	}
	if a.Page.WebhookURL != "" {
		jobs = append(jobs, job{store.PageWebhook, a.pageWebhook})
	}
	out := make([]pageOutcome, len(jobs))
	var wg sync.WaitGroup
	for i, j := range jobs {
		wg.Go(func() { out[i] = a.pageOne(ctx, p, j.channel, j.send) })
	}
	wg.Wait()
	return out
}

// pageOne sends one channel's notification unless it was recorded, then
// records it with its "notified" event.
func (a *Activities) pageOne(ctx context.Context, p page, channel string, send func(context.Context, page) (string, error)) pageOutcome {
	o := pageOutcome{channel: channel}
	done, err := a.Store.PageSendDone(ctx, p.task.ID, p.step, channel)
	if err != nil {
		o.err, o.retryable, o.why = err, true, "database"
		return o
	}
	if done {
		return o
	}
	detail, err := send(ctx, p)
	if err != nil {
		o.err, o.retryable, o.why = err, pageRetryable(err), pageWhy(err)
		return o
	}
	rec, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	ev := fmt.Sprintf("%s to staff %s level %d", channel, p.staff.ID, p.level)
	if p.staff.ID == "" {
		ev = fmt.Sprintf("webhook level %d (no one on call)", p.level)
	} else if channel == store.PageWebhook {
		ev = fmt.Sprintf("webhook for staff %s level %d", p.staff.ID, p.level)
	}
	if p.repeat {
		ev += " (again: chain exhausted)"
	}
	if err := a.Store.PageSendRecord(rec, store.PageSend{TaskID: p.task.ID, Step: p.step, Channel: channel, StaffID: p.staff.ID, Detail: detail}, ev); err != nil {
		// Sent but not recorded: a retry pages again (at least once).
		o.err, o.retryable, o.why = err, true, "database"
	}
	return o
}

// pageChannels are the channels carepath can reach s on, SMS first.
func (a *Activities) pageChannels(s store.Staff) []string {
	var out []string
	if s.Phone != "" && a.SMS != nil {
		out = append(out, store.PageSMS)
	}
	if s.Email != "" && a.Email != nil {
		out = append(out, store.PageEmail)
	}
	return out
}

// pageMessage sends the page by SMS or email through the priority lane's
// pacer slot (AcquireUrgent), so the per-number limit still holds.
func (a *Activities) pageMessage(channel string) func(context.Context, page) (string, error) {
	return func(ctx context.Context, p page) (string, error) {
		sender, to := a.SMS, p.staff.Phone
		out := messaging.Outbound{Text: PageText(p.task.Priority, p.code, p.url)}
		if channel == store.PageEmail {
			sender, to = a.Email, p.staff.Email
			out.Subject = fmt.Sprintf("carepath: %s task needs you (reply ACK %s)", strings.ToUpper(string(p.task.Priority)), p.code)
		}
		out.To = to
		out.MessageID = uuid.NewSHA1(carepath.NamespaceJourney, fmt.Appendf(nil, "page/%s/%d/%s", p.task.ID, p.step, channel)).String()
		slot, direct, err := takeUrgentSlot(ctx, sender)
		if err != nil {
			return "", fmt.Errorf("page %s: wait for the provider: %w", channel, err)
		}
		receipt, err := direct.Send(ctx, out)
		if err != nil {
			slot.Release()
			return "", fmt.Errorf("page %s: %w", channel, err)
		}
		slot.Release()
		return receipt.Provider + " " + receipt.ProviderMessageID, nil
	}
}

// takeUrgentSlot is takeSlot on the priority lane.
func takeUrgentSlot(ctx context.Context, s messaging.Sender) (*messaging.Slot, messaging.Sender, error) {
	g, ok := s.(messaging.Gated)
	if !ok {
		return nil, s, nil
	}
	slot, err := g.AcquireUrgent(ctx)
	return slot, g.Direct(), err
}

// webhookError is the outgoing webhook's refusal.
type webhookError struct{ status int }

func (e webhookError) Error() string { return fmt.Sprintf("page webhook: http %d", e.status) }

// pageWebhook POSTs the page, signed, within PageWebhookTimeout.
func (a *Activities) pageWebhook(ctx context.Context, p page) (string, error) {
	body, err := json.Marshal(PageWebhookBody{
		ID:     uuid.NewSHA1(carepath.NamespaceJourney, fmt.Appendf(nil, "page/%s/%d/webhook", p.task.ID, p.step)).String(),
		TaskID: p.task.ID, Priority: p.task.Priority, Reason: p.task.Reason, Level: p.level, Repeat: p.repeat,
		StaffID: p.staff.ID, AckCode: p.code, URL: p.url, SentAt: a.now().UTC(),
	})
	if err != nil {
		return "", fmt.Errorf("page webhook: %w", err)
	}
	ctx, cancel := context.WithTimeout(ctx, PageWebhookTimeout)
	defer cancel()
	r, err := http.NewRequestWithContext(ctx, http.MethodPost, a.Page.WebhookURL, bytes.NewReader(body))
	if err != nil {
		return "", temporal.NewNonRetryableApplicationError("page webhook: bad URL", ErrTypeSendConfig, nil)
	}
	r.Header.Set("Content-Type", "application/json")
	r.Header.Set(PageSignatureHeader, PageSign(a.Page.WebhookSecret, body))
	client := a.Page.Client
	if client == nil {
		client = &http.Client{Timeout: PageWebhookTimeout}
	}
	resp, err := client.Do(r)
	if err != nil {
		// The URL's host is configuration, not PHI, but the error is
		// kept to its kind.
		return "", fmt.Errorf("page webhook: request failed: %w", errors.Unwrap(err))
	}
	defer func() { _ = resp.Body.Close() }()
	if resp.StatusCode/100 != 2 {
		return "", webhookError{resp.StatusCode}
	}
	return fmt.Sprintf("http %d", resp.StatusCode), nil
}

// pageRetryable: a failure that may pass (a provider's 429 or unknown
// outcome, a webhook's 5xx, 408, 429 or broken connection, the database).
func pageRetryable(err error) bool {
	var me *messaging.Error
	if errors.As(err, &me) {
		// Unknown outcome: paged again (at least once).
		return me.Retryable() || me.Kind == messaging.KindTransientUnreachable
	}
	var we webhookError
	if errors.As(err, &we) {
		return we.status >= 500 || we.status == http.StatusRequestTimeout || we.status == http.StatusTooManyRequests
	}
	var ae *temporal.ApplicationError
	return !errors.As(err, &ae) || !ae.NonRetryable()
}

// pageWhy names a failure for the task's history without PHI.
func pageWhy(err error) string {
	var me *messaging.Error
	if errors.As(err, &me) {
		return string(me.Kind)
	}
	var we webhookError
	if errors.As(err, &we) {
		return fmt.Sprintf("http %d", we.status)
	}
	if errors.Is(err, context.DeadlineExceeded) {
		return "timeout"
	}
	return "error"
}

// taskURL links a page to its task.
func (a *Activities) taskURL(taskID string) string {
	if a.Page.PublicURL == "" {
		return ""
	}
	return strings.TrimSuffix(a.Page.PublicURL, "/") + "/v1/tasks/" + taskID
}

// pageZone is the roster's zone.
func (a *Activities) pageZone() *time.Location {
	if a.Page.Zone != nil {
		return a.Page.Zone
	}
	if z, err := time.LoadLocation("America/New_York"); err == nil {
		return z
	}
	return time.UTC
}
