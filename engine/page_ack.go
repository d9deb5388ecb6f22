package engine

import (
	"context"
	"fmt"
	"regexp"
	"strings"

	"github.com/carepath/carepath"
	"github.com/carepath/carepath/store"
)

// A page asks its reader to reply "ACK 4821". Any active staff member's
// reply acknowledges the open task whose page holds the code, whether or
// not they were the one paged (a colleague picking up a page is what the
// page is for); the history records who, and whether they were paged. The
// sender's phone or address is the proof of who they are: a code alone
// from an unknown number acknowledges nothing.

// ackReply reads "ACK 4821" (any case, spaces, ":" "#" or "-" between) on
// the first non-empty line; an email's quoted page below is ignored.
var ackReply = regexp.MustCompile(`(?i)^ack\s*[:#-]?\s*(\d{4})\b`)

// ParseAck returns the ack code of a staff member's reply.
func ParseAck(body string) (code string, ok bool) {
	for line := range strings.Lines(body) {
		line = strings.TrimSpace(line)
		if line == "" {
			continue
		}
		m := ackReply.FindStringSubmatch(line)
		if m == nil {
			return "", false
		}
		return m[1], true
	}
	return "", false
}

// AcknowledgeByReply handles, in the webhook's transaction, a message from
// staff: handled is true whenever the sender is an active staff member
// (a staff message is never routed as a patient's reply), and an "ACK
// <code>" in it acknowledges the open task paged with that code, recorded
// with the staff member, the channel and the inbound message's ID.
func (e *Engine) AcknowledgeByReply(ctx context.Context, q *store.Queries, channel carepath.Channel, from, body, inboundMessageID string) (bool, error) {
	var staff []store.Staff
	var err error
	switch channel {
	case carepath.ChannelSMS:
		staff, err = q.StaffByPhone(ctx, from)
	case carepath.ChannelEmail:
		staff, err = q.StaffByEmail(ctx, from)
	}
	if err != nil {
		return false, fmt.Errorf("page ack: %w", err)
	}
	if len(staff) == 0 {
		return false, nil
	}
	code, ok := ParseAck(body)
	if !ok {
		e.Log.Info("message from staff is not a page acknowledgement: not routed", "message_id", inboundMessageID, "staff_id", staff[0].ID)
		return true, nil
	}
	taskID, ok, err := q.PageOpenTaskByCode(ctx, code)
	if err != nil {
		return true, fmt.Errorf("page ack: %w", err)
	}
	if !ok {
		e.Log.Info("page acknowledgement matches no open page (acknowledged already, or mistyped)", "message_id", inboundMessageID, "staff_id", staff[0].ID)
		return true, nil
	}
	// A shared on-call phone: the one of its staff who was paged.
	who, paged := staff[0], false
	for _, s := range staff {
		if paged, err = q.PagedStaff(ctx, taskID, s.ID); err != nil {
			return true, fmt.Errorf("page ack: %w", err)
		}
		if paged {
			who = s
			break
		}
	}
	detail := fmt.Sprintf("%s reply, message %s", channel, inboundMessageID)
	if !paged {
		detail += " (not paged for this task)"
	}
	acked, err := q.TaskAcknowledgeBy(ctx, taskID, store.TaskEvent{StaffID: who.ID, Detail: detail})
	if err != nil {
		return true, fmt.Errorf("page ack: %w", err)
	}
	if !acked {
		return true, nil
	}
	task, err := q.TaskGet(ctx, taskID)
	if err != nil {
		return true, fmt.Errorf("page ack: %w", err)
	}
	if err := audit(ctx, q, staffActor(who.ID), "task.acknowledge", task.PatientID, "task/"+taskID); err != nil {
		return true, fmt.Errorf("page ack: %w", err)
	}
	e.Log.Info("task acknowledged by reply to its page", "task_id", taskID, "staff_id", who.ID, "paged", paged)
	return true, nil
}

// staffActor is a staff member in the audit trail ("staff:<id>").
func staffActor(id string) carepath.Actor { return carepath.Actor{Kind: "staff", ID: id} }
