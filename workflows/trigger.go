package workflows

import "encoding/json"

// Trigger starts a journey when a source-system event arrives, declared in
// the journey's own file.
type Trigger struct {
	// Event is the event type, e.g. "appointment.completed".
	Event string
	// KeyField names the event data field that keys the enrollment (e.g.
	// "visit_id": one post-visit check-in per visit); empty for unkeyed.
	KeyField string
	// Params, if set, derives journey params from the event data.
	Params func(data map[string]any) json.RawMessage
}

// TriggerRef is a trigger with the journey it starts.
type TriggerRef struct {
	Journey string
	Trigger
}

// TriggersFor lists the journeys an event type starts, by journey name.
func (r *Registry) TriggersFor(event string) []TriggerRef {
	var out []TriggerRef
	for _, d := range r.All() {
		for _, t := range d.JourneyTriggers() {
			if t.Event == event {
				out = append(out, TriggerRef{Journey: d.JourneyName(), Trigger: t})
			}
		}
	}
	return out
}

// ParamsFromData takes the journey's params from an object in the event's
// data (e.g. "params"); absent, the journey's defaults apply.
func ParamsFromData(field string) func(data map[string]any) json.RawMessage {
	return func(data map[string]any) json.RawMessage {
		v, ok := data[field].(map[string]any)
		if !ok {
			return nil
		}
		raw, err := json.Marshal(v)
		if err != nil {
			// Unreachable: v was decoded from the event's JSON, so it
			// encodes. The journey's params are checked when it is
			// enrolled either way; nil means its defaults.
			return nil
		}
		return raw
	}
}
