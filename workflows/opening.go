package workflows

import (
	"encoding/json"
	"fmt"

	"github.com/carepath/carepath"
)

// Opening is what a journey sends when it starts, up to the first time it
// waits for the patient's reply: how many messages, and the purpose of the
// first (whose consent decides whether the patient is reached at all). A
// bulk launch's dry run multiplies it by the patients it would reach.
// Messages counts only what goes out before the first reply; a journey
// that waits a delay first (a check-in days after a visit) still counts
// the messages it sends after that delay and before any reply. What
// follows a reply depends on the reply and is not counted.
type Opening struct {
	Messages int
	Purpose  carepath.Purpose
}

// OpeningFor returns the journey's opening for normalised params (the
// journey's Opening with its params decoded).
func (d *Journey[P]) OpeningFor(params json.RawMessage) (Opening, error) {
	if d.Opening == nil {
		return Opening{}, fmt.Errorf("journey %s does not declare its opening messages", d.Name)
	}
	var p P
	if err := json.Unmarshal(params, &p); err != nil {
		return Opening{}, fmt.Errorf("journey %s: decode params: %w", d.Name, err)
	}
	o := d.Opening(p)
	if o.Purpose == "" {
		o.Purpose = carepath.PurposeCare
	}
	return o, nil
}
