package engine

import (
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/carepath/carepath"
	"github.com/carepath/carepath/fhir"
)

// SubscriptionNotification is a topic-based subscription notification as
// the EHR sends it: an R4 backport
// (http://hl7.org/fhir/uv/subscriptions-backport) history Bundle whose
// first entry is a Parameters "SubscriptionStatus", or the R4B form whose
// first entry is a SubscriptionStatus resource.
type SubscriptionNotification struct {
	Subscription string // the Subscription reference
	Topic        string
	Status       string // the subscription's status: requested, active, error, off
	Type         string // NotifyHandshake, NotifyHeartbeat, NotifyEvent, NotifyQueryStatus, NotifyQueryEvent
	// EventsSinceStart is the EHR's count of events so far (-1: not sent).
	EventsSinceStart int64
	Events           []SubscriptionEvent
	// Entries are the Bundle's other entries: with Resource for a
	// full-resource notification, without for id-only.
	Entries []NotificationEntry
}

// SubscriptionEvent is one notification-event.
type SubscriptionEvent struct {
	Number    int64 // 0: not sent
	Timestamp time.Time
	Focus     string // the focus reference, "" when not sent
}

// NotificationEntry is one entry after the status.
type NotificationEntry struct {
	Index    int    // in the Bundle
	FullURL  string // the resource's URL at the EHR
	Request  string // request.url, e.g. "Appointment/123"
	Resource json.RawMessage
}

// The notification types.
const (
	NotifyHandshake   = "handshake"
	NotifyHeartbeat   = "heartbeat"
	NotifyEvent       = "event-notification"
	NotifyQueryStatus = "query-status"
	NotifyQueryEvent  = "query-event"
)

// notificationBundle is the part of a Bundle the parser reads.
type notificationBundle struct {
	ResourceType string `json:"resourceType"`
	Type         string `json:"type"`
	Entry        []struct {
		FullURL  string          `json:"fullUrl"`
		Resource json.RawMessage `json:"resource"`
		Request  *struct {
			URL string `json:"url"`
		} `json:"request"`
	} `json:"entry"`
}

// ParseSubscriptionNotification reads a notification Bundle. Errors name
// the FHIR path of what is wrong.
func ParseSubscriptionNotification(body []byte) (SubscriptionNotification, error) {
	var b notificationBundle
	if err := json.Unmarshal(body, &b); err != nil {
		return SubscriptionNotification{}, carepath.Invalid("Bundle", "must be a JSON Bundle")
	}
	if b.ResourceType != "Bundle" {
		return SubscriptionNotification{}, carepath.Invalid("Bundle.resourceType", "must be Bundle")
	}
	if b.Type != "history" && b.Type != "subscription-notification" {
		return SubscriptionNotification{}, carepath.Invalid("Bundle.type", "must be history (R4 backport) or subscription-notification (R4B)")
	}
	if len(b.Entry) == 0 || len(b.Entry[0].Resource) == 0 {
		return SubscriptionNotification{}, carepath.Invalid("Bundle.entry[0].resource", "must be the SubscriptionStatus")
	}
	var head struct {
		ResourceType string `json:"resourceType"`
	}
	if err := json.Unmarshal(b.Entry[0].Resource, &head); err != nil {
		return SubscriptionNotification{}, carepath.Invalid("Bundle.entry[0].resource", "must be a resource")
	}
	var n SubscriptionNotification
	var err error
	switch head.ResourceType {
	case "Parameters":
		n, err = parseBackportStatus(b.Entry[0].Resource)
	case "SubscriptionStatus":
		n, err = parseR4BStatus(b.Entry[0].Resource)
	default:
		return n, carepath.Invalid("Bundle.entry[0].resource", "must be a Parameters SubscriptionStatus or a SubscriptionStatus")
	}
	if err != nil {
		return n, err
	}
	if n.Subscription == "" {
		return n, carepath.Invalid("Bundle.entry[0].resource.subscription", "is required")
	}
	switch n.Type {
	case NotifyHandshake, NotifyHeartbeat, NotifyEvent, NotifyQueryStatus, NotifyQueryEvent:
	default:
		return n, carepath.Invalid("Bundle.entry[0].resource.type", "must be handshake, heartbeat, event-notification, query-status or query-event")
	}
	for i, e := range b.Entry[1:] {
		ne := NotificationEntry{Index: i + 1, FullURL: e.FullURL, Resource: e.Resource}
		if e.Request != nil {
			ne.Request = e.Request.URL
		}
		n.Entries = append(n.Entries, ne)
	}
	return n, nil
}

// backportParam is one Parameters.parameter of the backport's status.
type backportParam struct {
	Name           string          `json:"name"`
	ValueReference *fhirReference  `json:"valueReference"`
	ValueCanonical string          `json:"valueCanonical"`
	ValueCode      string          `json:"valueCode"`
	ValueString    *string         `json:"valueString"`
	ValueInstant   string          `json:"valueInstant"`
	ValueUnsigned  json.RawMessage `json:"valueUnsignedInt"`
	ValueInteger   json.RawMessage `json:"valueInteger"`
	ValueInteger64 json.RawMessage `json:"valueInteger64"`
	ValueDecimal   json.RawMessage `json:"valueDecimal"`
	Part           []backportParam `json:"part"`
}

type fhirReference struct {
	Reference string `json:"reference"`
}

// number reads a count the backport's versions send as valueString,
// valueUnsignedInt, valueInteger or valueInteger64 (a string in JSON).
func (p backportParam) number() (int64, bool) {
	for _, raw := range []json.RawMessage{p.ValueUnsigned, p.ValueInteger, p.ValueInteger64, p.ValueDecimal} {
		if len(raw) > 0 {
			if n, err := strconv.ParseInt(strings.Trim(string(raw), `"`), 10, 64); err == nil && n >= 0 {
				return n, true
			}
			return 0, false
		}
	}
	if p.ValueString != nil {
		n, err := strconv.ParseInt(*p.ValueString, 10, 64)
		return n, err == nil && n >= 0
	}
	return 0, false
}

func parseBackportStatus(raw json.RawMessage) (SubscriptionNotification, error) {
	var params struct {
		Parameter []backportParam `json:"parameter"`
	}
	n := SubscriptionNotification{EventsSinceStart: -1}
	if err := json.Unmarshal(raw, &params); err != nil {
		return n, carepath.Invalid("Bundle.entry[0].resource.parameter", "must be parameters")
	}
	at := func(i int) string { return fmt.Sprintf("Bundle.entry[0].resource.parameter[%d]", i) }
	for i, p := range params.Parameter {
		switch p.Name {
		case "subscription":
			if p.ValueReference != nil {
				n.Subscription = p.ValueReference.Reference
			}
		case "topic":
			n.Topic = p.ValueCanonical
		case "status":
			n.Status = p.ValueCode
		case "type":
			n.Type = p.ValueCode
		case "events-since-subscription-start":
			v, ok := p.number()
			if !ok {
				return n, carepath.Invalid(at(i), "events-since-subscription-start must be a whole number")
			}
			n.EventsSinceStart = v
		case "notification-event":
			ev := SubscriptionEvent{}
			for j, part := range p.Part {
				switch part.Name {
				case "event-number":
					v, ok := part.number()
					if !ok {
						return n, carepath.Invalid(fmt.Sprintf("%s.part[%d]", at(i), j), "event-number must be a whole number")
					}
					ev.Number = v
				case "timestamp":
					ev.Timestamp, _ = time.Parse(time.RFC3339Nano, part.ValueInstant) // informative only
				case "focus":
					if part.ValueReference != nil {
						ev.Focus = part.ValueReference.Reference
					}
				}
			}
			n.Events = append(n.Events, ev)
		}
	}
	return n, nil
}

func parseR4BStatus(raw json.RawMessage) (SubscriptionNotification, error) {
	var s struct {
		Status                       string          `json:"status"`
		Type                         string          `json:"type"`
		EventsSinceSubscriptionStart json.RawMessage `json:"eventsSinceSubscriptionStart"`
		NotificationEvent            []struct {
			EventNumber json.RawMessage `json:"eventNumber"`
			Timestamp   string          `json:"timestamp"`
			Focus       *fhirReference  `json:"focus"`
		} `json:"notificationEvent"`
		Subscription fhirReference `json:"subscription"`
		Topic        string        `json:"topic"`
	}
	n := SubscriptionNotification{EventsSinceStart: -1}
	if err := json.Unmarshal(raw, &s); err != nil {
		return n, carepath.Invalid("Bundle.entry[0].resource", "must be a SubscriptionStatus")
	}
	n.Subscription, n.Topic, n.Status, n.Type = s.Subscription.Reference, s.Topic, s.Status, s.Type
	if len(s.EventsSinceSubscriptionStart) > 0 {
		v, ok := (backportParam{ValueInteger64: s.EventsSinceSubscriptionStart}).number()
		if !ok {
			return n, carepath.Invalid("Bundle.entry[0].resource.eventsSinceSubscriptionStart", "must be a whole number")
		}
		n.EventsSinceStart = v
	}
	for i, e := range s.NotificationEvent {
		ev := SubscriptionEvent{}
		if len(e.EventNumber) > 0 {
			v, ok := (backportParam{ValueInteger64: e.EventNumber}).number()
			if !ok {
				return n, carepath.Invalid(fmt.Sprintf("Bundle.entry[0].resource.notificationEvent[%d].eventNumber", i), "must be a whole number")
			}
			ev.Number = v
		}
		ev.Timestamp, _ = time.Parse(time.RFC3339Nano, e.Timestamp) // informative only
		if e.Focus != nil {
			ev.Focus = e.Focus.Reference
		}
		n.Events = append(n.Events, ev)
	}
	return n, nil
}

// subscriptionKey is how a subscription is stored: its reference without
// a version ("…/Subscription/123/_history/2" → "…/Subscription/123"),
// bounded in length.
func subscriptionKey(ref string) (string, error) {
	if i := strings.Index(ref, "/_history/"); i >= 0 {
		ref = ref[:i]
	}
	parts := strings.Split(ref, "/")
	if len(ref) > 512 || len(parts) < 2 || parts[len(parts)-2] != "Subscription" || !fhir.ValidID(parts[len(parts)-1]) {
		return "", carepath.Invalid("Bundle.entry[0].resource.subscription", "must be a reference to a Subscription")
	}
	return ref, nil
}

// Types lists the resource types a notification would write: those of its
// entries' resources (full-resource), else of its focus references and
// entry URLs (id-only). The caller checks it may write each.
func (n SubscriptionNotification) Types() []string {
	var out []string
	full := false
	for _, en := range n.Entries {
		if len(en.Resource) == 0 {
			continue
		}
		full = true
		var head struct {
			ResourceType string `json:"resourceType"`
		}
		if json.Unmarshal(en.Resource, &head) == nil && head.ResourceType != "" {
			out = append(out, head.ResourceType)
		}
	}
	if !full {
		refs := []string{}
		for _, ev := range n.Events {
			refs = append(refs, ev.Focus)
		}
		for _, en := range n.Entries {
			refs = append(refs, en.FullURL, en.Request)
		}
		for _, ref := range refs {
			ref, _, _ = strings.Cut(ref, "/_history/")
			parts := strings.Split(ref, "/")
			if len(parts) >= 2 && fhirTypeName(parts[len(parts)-2]) {
				out = append(out, parts[len(parts)-2])
			}
		}
	}
	out = slices.DeleteFunc(out, func(t string) bool { return !FHIRWritable(t) })
	slices.Sort(out)
	return slices.Compact(out)
}
