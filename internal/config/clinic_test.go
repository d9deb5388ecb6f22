package config_test

import (
	"strings"
	"testing"

	"github.com/carepath/carepath/internal/config"
)

// The on-call roster is read in the clinic's zone: New York unless set,
// and a zone that does not exist stops the process at start.
func TestClinicTimezone(t *testing.T) {
	c, err := config.FromEnv(env(nil))
	if err != nil {
		t.Fatal(err)
	}
	if c.ClinicTimezone != "America/New_York" || c.ClinicZone == nil || c.ClinicZone.String() != "America/New_York" {
		t.Fatalf("default clinic zone: %q %v", c.ClinicTimezone, c.ClinicZone)
	}
	if c, err = config.FromEnv(env(map[string]string{"CAREPATH_CLINIC_TIMEZONE": "Europe/Madrid"})); err != nil || c.ClinicZone.String() != "Europe/Madrid" {
		t.Fatalf("Europe/Madrid: %v %v", c, err)
	}
	for _, bad := range []string{"Mars/Olympus", "Local"} {
		if _, err := config.FromEnv(env(map[string]string{"CAREPATH_CLINIC_TIMEZONE": bad})); err == nil ||
			!strings.Contains(err.Error(), "CAREPATH_CLINIC_TIMEZONE:") {
			t.Errorf("%q: %v, want an error naming CAREPATH_CLINIC_TIMEZONE", bad, err)
		}
	}
}
