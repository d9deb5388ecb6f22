package testenv

import (
	"fmt"
	"time"
)

// ZoneAt returns a fixed-offset IANA zone (Etc/GMT±N) where the local hour
// is now the given one, so tests that depend on the patient's time of day
// behave the same whenever they run.
func ZoneAt(localHour int) string {
	n := time.Now().UTC().Hour() - localHour // Etc/GMT+N is UTC−N
	for n > 12 {
		n -= 24
	}
	for n < -14 {
		n += 24
	}
	switch {
	case n > 0:
		return fmt.Sprintf("Etc/GMT+%d", n)
	case n < 0:
		return fmt.Sprintf("Etc/GMT%d", n)
	}
	return "Etc/GMT"
}
