package journeys_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/mock"

	"github.com/carepath/carepath"
	"github.com/carepath/carepath/activities"
	"github.com/carepath/carepath/workflows"
	"github.com/carepath/carepath/workflows/journeytest"
)

// declines stands in for the program-decline record (program_declines) in
// a harness run: it records what the journey wrote and answers whether the
// patient has an open decline.
type declines struct {
	mu       sync.Mutex
	open     bool // the patient has declined and not come back
	declined []activities.RecordProgramDeclinedRequest
	returned []activities.RecordProgramReturnRequest
	checked  int
}

// newHarness is journeytest.New with the decline record's activities
// stubbed; open says whether the patient starts with an open decline.
func newHarness(t *testing.T, def workflows.Definition, open bool, others ...workflows.Definition) (*journeytest.Harness, *declines) {
	t.Helper()
	h := journeytest.New(t, def, others...)
	d := &declines{open: open}
	var a *activities.Activities
	h.Env.OnActivity(a.RecordProgramDeclined, mock.Anything, mock.Anything).Return(
		func(_ context.Context, req activities.RecordProgramDeclinedRequest) error {
			d.mu.Lock()
			defer d.mu.Unlock()
			d.declined = append(d.declined, req)
			d.open = true
			return nil
		})
	h.Env.OnActivity(a.ProgramDecline, mock.Anything, mock.Anything).Return(
		func(_ context.Context, _ activities.ProgramDeclineRequest) (activities.ProgramDeclineResult, error) {
			d.mu.Lock()
			defer d.mu.Unlock()
			d.checked++
			return activities.ProgramDeclineResult{Declined: d.open}, nil
		})
	h.Env.OnActivity(a.RecordProgramReturn, mock.Anything, mock.Anything).Return(
		func(_ context.Context, req activities.RecordProgramReturnRequest) error {
			d.mu.Lock()
			defer d.mu.Unlock()
			d.returned = append(d.returned, req)
			d.open = false
			return nil
		})
	return h, d
}

func (d *declines) Declined() []activities.RecordProgramDeclinedRequest {
	d.mu.Lock()
	defer d.mu.Unlock()
	return append([]activities.RecordProgramDeclinedRequest(nil), d.declined...)
}

func (d *declines) Checked() int {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.checked
}

func (d *declines) Returned() []activities.RecordProgramReturnRequest {
	d.mu.Lock()
	defer d.mu.Unlock()
	return append([]activities.RecordProgramReturnRequest(nil), d.returned...)
}

// flaggedReplyAt signals, offset after the start, a reply the engine
// flagged red (it has sent the safety message and raised the urgent task
// holding it) to the newest question asked by then.
func flaggedReplyAt(h *journeytest.Harness, asked *questionLog, offset time.Duration, body string) {
	h.Env.RegisterDelayedCallback(func() {
		h.Env.SignalWorkflow(workflows.SignalReply, workflows.Reply{QuestionID: asked.last(), MessageID: uuid.NewString(),
			Channel: carepath.ChannelSMS, Body: body, RedFlag: true})
	}, offset)
}

// questionLog records the question IDs a journey asks (through SendResult).
type questionLog struct {
	mu  sync.Mutex
	ids []string
}

func (q *questionLog) record(req activities.SendMessageRequest) activities.SendMessageResult {
	q.mu.Lock()
	defer q.mu.Unlock()
	if req.Question != nil {
		q.ids = append(q.ids, req.Question.ID)
	}
	return activities.SendMessageResult{Outcome: activities.OutcomeSent, Channel: carepath.ChannelSMS}
}

func (q *questionLog) last() string {
	q.mu.Lock()
	defer q.mu.Unlock()
	if len(q.ids) == 0 {
		return ""
	}
	return q.ids[len(q.ids)-1]
}
