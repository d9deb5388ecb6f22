package journeys_test

import (
	"testing"

	"github.com/carepath/carepath/journeys"
)

// Every journey's wording parses, exists in English and Spanish, and every
// SMS body fits in two GSM segments, so no message is cut or billed thrice.
func TestCatalogWording(t *testing.T) {
	reg, err := journeys.Registry()
	if err != nil {
		t.Fatal(err)
	}
	cat := reg.Templates()
	if len(cat.Keys()) == 0 {
		t.Fatal("no templates")
	}
	for _, key := range cat.Keys() {
		locales := cat.Locales(key)
		if len(locales) != 2 || locales[0] != "en" || locales[1] != "es" {
			t.Errorf("%s: locales %v, want en and es", key, locales)
		}
		for _, loc := range locales {
			// Templates may use only these variables; a longest-case value each.
			_, body, _, err := cat.Render(key, loc, map[string]string{"given_name": "Maximiliano", "code": "blood pressure", "caregiver_name": "Guadalupe"})
			if err != nil {
				t.Errorf("%s/%s: %v", key, loc, err)
				continue
			}
			if n := len([]rune(body)); n > 2*153 {
				t.Errorf("%s/%s: %d characters, more than two SMS segments", key, loc, n)
			}
		}
	}
}
