package journeys_test

import (
	"strings"
	"testing"

	"github.com/carepath/carepath/journeys"
)

// knownLong are bodies over two segments that are not this package's to
// reword, with why. An entry that fits again fails the test, so the list
// only shrinks.
var knownLong = map[string]string{}

// Every journey's wording parses, exists in English and Spanish, and every
// SMS body fits in two segments as carriers count them (GSM-7: 160, or 153
// per part; one character outside it, such as Spanish "ó" or "í", makes
// the whole message UCS-2: 70, or 67 per part), so no message is cut or
// billed thrice.
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
			_, body, _, err := cat.Render(key, loc, map[string]string{"given_name": "Maximiliano", "code": "blood pressure", "caregiver_name": "Guadalupe",
				"appointment_date": "Wednesday, September 30", "appointment_time": "12:30 PM"})
			if err != nil {
				t.Errorf("%s/%s: %v", key, loc, err)
				continue
			}
			n, ucs2 := smsSegments(body)
			_, known := knownLong[key+"/"+loc]
			switch {
			case n > 2 && !known:
				t.Errorf("%s/%s: %d segments (%d characters, UCS-2 %v), more than two", key, loc, n, len([]rune(body)), ucs2)
			case n <= 2 && known:
				t.Errorf("%s/%s fits in two segments now: take it off knownLong", key, loc)
			}
		}
	}
}

// The counter itself, at the boundaries.
func TestSMSSegments(t *testing.T) {
	for _, c := range []struct {
		body string
		want int
		ucs2 bool
	}{
		{strings.Repeat("a", 160), 1, false},
		{strings.Repeat("a", 161), 2, false},
		{strings.Repeat("a", 306), 2, false},
		{strings.Repeat("a", 307), 3, false},
		{strings.Repeat("a", 152) + "€", 1, false}, // an escaped character counts twice
		{strings.Repeat("a", 69) + "ó", 1, true},
		{strings.Repeat("a", 70) + "ó", 2, true},
		{strings.Repeat("a", 133) + "ó", 2, true},
		{strings.Repeat("a", 134) + "ó", 3, true},
		{"¿Qué tal el año?", 1, false}, // ¿, é and ñ are GSM-7
		{"Está bien", 1, true},         // á is not
	} {
		if n, u := smsSegments(c.body); n != c.want || u != c.ucs2 {
			t.Errorf("%d characters: %d segments (UCS-2 %v), want %d (%v)", len([]rune(c.body)), n, u, c.want, c.ucs2)
		}
	}
}

// gsm7 is the GSM 03.38 basic character set; gsm7Ext its escaped extension
// (two septets each).
const (
	gsm7    = "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
	gsm7Ext = "^{}\\[~]|€\f"
)

// smsSegments counts the segments a body is sent in, and whether it goes
// as UCS-2.
func smsSegments(body string) (int, bool) {
	septets := 0
	for _, r := range body {
		switch {
		case strings.ContainsRune(gsm7, r):
			septets++
		case strings.ContainsRune(gsm7Ext, r):
			septets += 2
		default:
			units := 0
			for _, r := range body {
				units++
				if r > 0xFFFF {
					units++ // a surrogate pair
				}
			}
			return parts(units, 70, 67), true
		}
	}
	return parts(septets, 160, 153), false
}

func parts(n, single, multi int) int {
	if n <= single {
		return 1
	}
	return (n + multi - 1) / multi
}
