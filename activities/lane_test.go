package activities

import (
	"context"
	"testing"

	"github.com/carepath/carepath/messaging"
)

// laneGate records which lane took its slot.
type laneGate struct {
	messaging.Sender
	lanes []string
}

func (g *laneGate) Direct() messaging.Sender { return g.Sender }

func (g *laneGate) Acquire(context.Context) (*messaging.Slot, error) {
	g.lanes = append(g.lanes, "bulk")
	return nil, nil
}

func (g *laneGate) AcquireUrgent(context.Context) (*messaging.Slot, error) {
	g.lanes = append(g.lanes, "urgent")
	return nil, nil
}

// The priority worker's context (PriorityLane) makes every send it runs
// take its slot on the urgent lane; any other context, the bulk lane.
func TestTakeSlotUsesTheLaneOfTheWorker(t *testing.T) {
	g := &laneGate{}
	bulk := context.Background()
	for _, ctx := range []context.Context{PriorityLane(bulk), bulk, PriorityLane(context.WithoutCancel(bulk))} {
		if _, direct, err := takeSlot(ctx, g, "+15550000001"); err != nil || direct != g.Sender {
			t.Fatalf("takeSlot: %v, %v", direct, err)
		}
	}
	if got := g.lanes; len(got) != 3 || got[0] != "urgent" || got[1] != "bulk" || got[2] != "urgent" {
		t.Fatalf("lanes %v, want [urgent bulk urgent]", got)
	}
}
