package messaging

import (
	"context"
	"fmt"
	"testing"
)

// fromSender is a provider for one sending number.
type fromSender struct{ from string }

func (f fromSender) Provider() string { return "fake" }
func (f fromSender) Send(context.Context, Outbound) (Receipt, error) {
	return Receipt{Provider: "fake", ProviderMessageID: f.from}, nil
}

// Each recipient always hears from one number; adding a number moves only
// the recipients the new number wins, and the slot comes from the number
// that sends.
func TestNumbersKeepARecipientOnOneNumber(t *testing.T) {
	build := func(names ...string) *Numbers {
		lanes := make([]Gated, len(names))
		for i, n := range names {
			lanes[i] = newPaced(fromSender{n}, 1000, 1e9)
		}
		ns, err := NewNumbers(names, lanes)
		if err != nil {
			t.Fatal(err)
		}
		return ns
	}
	two, three := build("+15550000001", "+15550000002"), build("+15550000001", "+15550000002", "+15550000003")
	used, moved := map[int]int{}, 0
	for i := range 1000 {
		to := fmt.Sprintf("+1555%07d", i)
		r := two.Route(to)
		if two.Route(to) != r {
			t.Fatal("route not stable")
		}
		used[r]++
		if r3 := three.Route(to); r3 != r {
			if r3 != 2 {
				t.Fatalf("%s moved between old numbers (%d -> %d) when a number was added", to, r, r3)
			}
			moved++
		}
		slot, direct, err := two.AcquireFor(context.Background(), to, i%2 == 0)
		if err != nil {
			t.Fatal(err)
		}
		rec, _ := direct.Send(context.Background(), Outbound{To: to})
		if rec.ProviderMessageID != two.names[r] {
			t.Fatalf("%s sent from %s, routed to %s", to, rec.ProviderMessageID, two.names[r])
		}
		slot.Release()
	}
	fmt.Printf("numbers: 1000 recipients over 2 numbers %v; adding a third moved %d\n", used, moved)
	if used[0] == 0 || used[1] == 0 || moved == 0 || moved > 500 {
		t.Fatalf("spread %v, moved %d", used, moved)
	}
}
