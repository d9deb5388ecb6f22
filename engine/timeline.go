package engine

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/carepath/carepath"
	"github.com/carepath/carepath/store"
)

// Timeline kinds: what a timeline item is about.
const (
	TimelineMessageIn   = "message_in"
	TimelineMessageOut  = "message_out"
	TimelineEnrollment  = "enrollment"
	TimelineStep        = "step"
	TimelineTask        = "task"
	TimelineObservation = "observation"
	TimelineConsent     = "consent"
	TimelineContact     = "contact"
)

// DefaultTimelinePage and MaxPageSize bound a timeline page.
const DefaultTimelinePage = 100

// Timeline is one page of everything about a patient, newest first.
type Timeline struct {
	Items []TimelineItem `json:"items"`
	// Next is the cursor of the following (older) page, given as
	// ?before=; empty when this page is the last.
	Next string `json:"next,omitempty"`
}

// TimelineItem is one thing that happened: when, what kind, a short
// display text, the ID of the record behind it, and its kind's own fields
// (Fields, flattened into the item's JSON).
type TimelineItem struct {
	ID      string // unique among the patient's items (the sort key)
	At      time.Time
	Kind    string
	Summary string
	Ref     string
	Fields  map[string]any
}

// MarshalJSON flattens the kind's fields beside the common ones.
func (it TimelineItem) MarshalJSON() ([]byte, error) {
	m := make(map[string]any, len(it.Fields)+5)
	for k, v := range it.Fields {
		m[k] = v
	}
	m["id"], m["at"], m["kind"], m["summary"], m["ref"] = it.ID, it.At, it.Kind, it.Summary, it.Ref
	return json.Marshal(m)
}

// PatientTimeline returns up to limit items about the patient older than
// the cursor before ("" for the newest): messages in and out (with their
// bodies, as GET /v1/patients/:id/messages shows them), enrollments
// started and ended, questions asked, task events, observations, consent
// decisions and contact changes. The read is audited as a patient read.
func (e *Engine) PatientTimeline(ctx context.Context, a carepath.Actor, patientID, before string, limit int) (Timeline, error) {
	if limit < 1 || limit > MaxPageSize {
		return Timeline{}, carepath.Invalid("limit", "must be a whole number from 1 to %d", MaxPageSize)
	}
	cursor, err := decodeCursor(before)
	if err != nil {
		return Timeline{}, err
	}
	var rows []store.TimelineRow
	err = e.Store.Tx(ctx, func(q *store.Queries) error {
		if err := patientExists(ctx, q, patientID); err != nil {
			return err
		}
		var err error
		if rows, err = q.TimelinePage(ctx, patientID, cursor, limit); err != nil {
			return err
		}
		return audit(ctx, q, a, "patient.read", patientID, "patient/"+patientID+"/timeline")
	})
	if err != nil {
		return Timeline{}, err
	}
	out := Timeline{Items: make([]TimelineItem, 0, len(rows))}
	for _, r := range rows {
		it, err := timelineItem(r)
		if err != nil {
			return Timeline{}, err
		}
		out.Items = append(out.Items, it)
	}
	if len(rows) == limit {
		last := rows[len(rows)-1]
		out.Next = encodeCursor(store.TimelineCursor{At: last.At, Key: last.Key})
	}
	return out, nil
}

// timelineItem decodes a row's fields (dropping empty ones) and writes its
// summary.
func timelineItem(r store.TimelineRow) (TimelineItem, error) {
	fields := map[string]any{}
	dec := json.NewDecoder(bytes.NewReader(r.Detail))
	dec.UseNumber()
	if err := dec.Decode(&fields); err != nil {
		return TimelineItem{}, fmt.Errorf("timeline: decode %s item: %w", r.Kind, err)
	}
	for k, v := range fields {
		if v == nil || v == "" {
			delete(fields, k)
		}
	}
	it := TimelineItem{ID: r.Key, At: r.At, Kind: r.Kind, Ref: r.Ref, Fields: fields}
	if r.Kind == TimelineObservation {
		judgeTimelineReading(fields)
	}
	it.Summary = summarize(r.Kind, fields)
	return it, nil
}

// judgeTimelineReading flags a reading outside its code's default safe
// range (ranges.go), judged in the canonical unit. A care plan's own
// bounds may be tighter; the journey judges by those.
func judgeTimelineReading(f map[string]any) {
	code, _ := f["code"].(string)
	v, ok := number(f["canonical_value"])
	if !ok {
		return
	}
	var v2 *float64
	if x, ok := number(f["canonical_value2"]); ok {
		v2 = &x
	}
	j := carepath.JudgeReading(code, v, v2)
	f["flagged"] = j.Out()
	if j.Out() {
		f["flag"] = string(j.Flag)
	}
}

func number(v any) (float64, bool) {
	n, ok := v.(json.Number)
	if !ok {
		return 0, false
	}
	x, err := n.Float64()
	return x, err == nil
}

// summarize is an item's short display text, from its fields. It names
// records and people, never a message's body or a reading's source.
func summarize(kind string, f map[string]any) string {
	s := func(k string) string { v, _ := f[k].(string); return v }
	words := func(v string) string { return strings.ReplaceAll(v, "_", " ") }
	by := func() string {
		if n := s("actor_name"); n != "" {
			return " by " + n
		}
		if n := s("actor"); n != "" {
			return " by " + n
		}
		return ""
	}
	switch kind {
	case TimelineMessageIn:
		return channelName(s("channel")) + " received"
	case TimelineMessageOut:
		out := channelName(s("channel")) + " " + words(s("status"))
		if r := s("reason"); r != "" {
			out += ": " + words(r)
		}
		if n := s("author_name"); n != "" {
			out += " (from " + n + ")"
		} else if t := s("template"); t != "" {
			out += " (" + t + ")"
		}
		return out
	case TimelineEnrollment:
		if s("event") == "started" {
			return "Started " + words(s("journey"))
		}
		out := words(s("journey")) + " " + s("status")
		if o := s("outcome"); o != "" {
			out += ": " + words(o)
		}
		return out
	case TimelineStep:
		return fmt.Sprintf("Asked %s (%s): %s", words(s("question")), words(s("journey")), s("status"))
	case TimelineTask:
		return fmt.Sprintf("Task %s%s: %s", s("event"), by(), s("reason"))
	case TimelineObservation:
		v := fmt.Sprint(f["value"])
		if v2, ok := f["value2"]; ok {
			v += "/" + fmt.Sprint(v2)
		}
		out := fmt.Sprintf("%s %s %s", words(s("code")), v, s("unit"))
		if fl := s("flag"); fl != "" {
			out += " (" + fl + ")"
		}
		return out
	case TimelineConsent:
		decision := "opted out"
		if g, _ := f["granted"].(bool); g {
			decision = "opted in"
		}
		return fmt.Sprintf("%s %s: %s (%s)", channelName(s("channel")), words(s("purpose")), decision, s("source"))
	case TimelineContact:
		return words(s("field")) + " changed" + by()
	}
	return kind
}

func channelName(ch string) string {
	if carepath.Channel(ch) == carepath.ChannelEmail {
		return "Email"
	}
	return "SMS"
}

// A cursor is the last item's time and key, opaque to callers.
func encodeCursor(c store.TimelineCursor) string {
	return base64.RawURLEncoding.EncodeToString([]byte(c.At.UTC().Format(time.RFC3339Nano) + "|" + c.Key))
}

func decodeCursor(s string) (store.TimelineCursor, error) {
	if s == "" {
		return store.TimelineCursor{}, nil
	}
	bad := carepath.Invalid("before", "must be a cursor from a timeline page's next")
	raw, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil {
		return store.TimelineCursor{}, bad
	}
	at, key, ok := strings.Cut(string(raw), "|")
	if !ok || key == "" {
		return store.TimelineCursor{}, bad
	}
	t, err := time.Parse(time.RFC3339Nano, at)
	if err != nil {
		return store.TimelineCursor{}, bad
	}
	return store.TimelineCursor{At: t, Key: key}, nil
}
