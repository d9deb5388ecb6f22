package journeys

import (
	"github.com/carepath/carepath"
	"github.com/carepath/carepath/workflows"
)

// reviewUnrecognised hands a reply the journey could not read, even after
// its one clarification, to the care team: a normal-priority task holding
// the message, so it is never dropped or counted as silence. A reply with
// a red flag already has its urgent task (the engine raised it, holding
// the same message): one task, not two.
func reviewUnrecognised(j *workflows.J, reason string, a workflows.Answer) {
	if a.RedFlag {
		return
	}
	j.Escalate(workflows.Task{Priority: carepath.PriorityNormal, Reason: reason, MessageID: a.MessageID})
}
