package workflows

import (
	"fmt"
	"testing"
)

// The carried backlog is bounded per code, newest kept, order unchanged.
func TestNewestPerCode(t *testing.T) {
	var obs []Observation
	for i := range 12 {
		obs = append(obs, Observation{ID: fmt.Sprintf("w%d", i), Code: "weight"})
		if i%4 == 0 {
			obs = append(obs, Observation{ID: fmt.Sprintf("g%d", i), Code: "blood_glucose"})
		}
	}
	var ids []string
	for _, o := range newestPerCode(obs, 2) {
		ids = append(ids, o.ID)
	}
	if got := fmt.Sprint(ids); got != "[g4 g8 w10 w11]" {
		t.Fatalf("kept %s", got)
	}
}
