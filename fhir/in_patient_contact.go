package fhir

import (
	"fmt"
	"strings"
	"time"

	fm "github.com/samply/golang-fhir-models/fhir-models/fhir"

	"github.com/carepath/carepath"
)

// Names, contact points and languages as carepath takes them from a
// Patient or RelatedPerson: shared by both mappers.

// chosenName is the name carepath addresses a person by, and where in the
// resource it came from.
type chosenName struct {
	Given, Family string
	Path          string // e.g. Patient.name[1]
}

// pickName takes the official name, else the usual one, else one without
// a use, else the first that is not old; given is the first given name
// (the one a greeting uses). A name without a family name borrows it from
// the next name that has one.
func pickName(typ string, names []fm.HumanName) chosenName {
	rank := func(n fm.HumanName) int {
		if n.Use == nil {
			return 2
		}
		switch *n.Use {
		case fm.NameUseOfficial:
			return 0
		case fm.NameUseUsual:
			return 1
		case fm.NameUseOld, fm.NameUseMaiden:
			return 9
		}
		return 3
	}
	best, bestRank := -1, 10
	for i, n := range names {
		if len(n.Given) == 0 && n.Family == nil {
			continue
		}
		if r := rank(n); r < bestRank {
			best, bestRank = i, r
		}
	}
	if best < 0 {
		return chosenName{Path: typ + ".name"}
	}
	out := chosenName{Path: fmt.Sprintf("%s.name[%d]", typ, best)}
	n := names[best]
	if len(n.Given) > 0 {
		out.Given = strings.TrimSpace(n.Given[0])
	}
	if n.Family != nil {
		out.Family = strings.TrimSpace(*n.Family)
	}
	for _, other := range names {
		if out.Family != "" {
			break
		}
		if other.Family != nil && rank(other) < 9 {
			out.Family = strings.TrimSpace(*other.Family)
		}
	}
	return out
}

// nameProblems: no usable name at all is one problem (the name element);
// a name missing its given or family name names that part.
func nameProblems(n chosenName) carepath.Problems {
	var out carepath.Problems
	switch {
	case n.Given == "" && n.Family == "":
		out = append(out, carepath.Invalid(n.Path, "a name with a given and a family name is required"))
	case n.Given == "":
		out = append(out, carepath.Invalid(n.Path+".given", "a name with a given name is required"))
	case n.Family == "":
		out = append(out, carepath.Invalid(n.Path+".family", "a name with a family name is required"))
	}
	return out
}

// contacts are the phone and email carepath messages a person at, with
// their paths ("" when absent).
type contacts struct {
	Phone, PhonePath string
	Email, EmailPath string
}

// pickContacts takes the first current mobile phone (system phone or sms),
// else the first current phone; and the first current email. Old numbers
// and ones whose period has ended are skipped. Problems name each chosen
// value that carepath cannot use: a phone must already be E.164
// (+15551234567), as carepath's own API requires; a US number written
// (555) 555-1234 is not guessed at.
func pickContacts(typ string, telecom []fm.ContactPoint, now time.Time) (contacts, carepath.Problems) {
	var c contacts
	phoneRank := 9
	for i, t := range telecom {
		if t.System == nil || t.Value == nil || strings.TrimSpace(*t.Value) == "" || !current(t, now) {
			continue
		}
		v := strings.TrimSpace(*t.Value)
		path := fmt.Sprintf("%s.telecom[%d].value", typ, i)
		switch *t.System {
		case fm.ContactPointSystemPhone, fm.ContactPointSystemSms:
			r := 1
			if (t.Use != nil && *t.Use == fm.ContactPointUseMobile) || *t.System == fm.ContactPointSystemSms {
				r = 0
			}
			if r < phoneRank {
				c.Phone, c.PhonePath, phoneRank = v, path, r
			}
		case fm.ContactPointSystemEmail:
			if c.Email == "" {
				c.Email, c.EmailPath = v, path
			}
		}
	}
	var problems carepath.Problems
	if c.Phone != "" && !carepath.ValidPhone(c.Phone) {
		problems = append(problems, carepath.Invalid(c.PhonePath, "must be an E.164 phone number, e.g. +15551234567"))
	}
	if c.Email != "" && !carepath.ValidEmail(c.Email) {
		problems = append(problems, carepath.Invalid(c.EmailPath, "must be a valid email address"))
	}
	if c.Phone == "" && c.Email == "" {
		problems = append(problems, carepath.Invalid(typ+".telecom", "a current phone (E.164) or email is required"))
	}
	return c, problems
}

// current: not an old contact point, and its period (if any) not ended.
func current(t fm.ContactPoint, now time.Time) bool {
	if t.Use != nil && *t.Use == fm.ContactPointUseOld {
		return false
	}
	if t.Period != nil && t.Period.End != nil {
		if end, err := parseDateTime(*t.Period.End); err == nil && end.Before(now) {
			return false
		}
	}
	return true
}

// localeOf maps languages (BCP 47 codes or text, preferred first) onto
// carepath's locales: Spanish → es, English → en, anything else → en
// (what carepath can write in). "" when no language is given.
func localeOf(langs []fm.CodeableConcept, preferred []bool) string {
	order := make([]int, 0, len(langs))
	for i := range langs {
		if preferred[i] {
			order = append(order, i)
		}
	}
	for i := range langs {
		if !preferred[i] {
			order = append(order, i)
		}
	}
	for _, i := range order {
		for _, code := range languageCodes(langs[i]) {
			base, _, _ := strings.Cut(strings.ToLower(code), "-")
			switch base {
			case "es", "spa", "spanish", "español", "espanol":
				return "es"
			case "en", "eng", "english":
				return "en"
			}
		}
	}
	if len(langs) == 0 {
		return ""
	}
	return "en"
}

func languageCodes(c fm.CodeableConcept) []string {
	var out []string
	for _, cd := range c.Coding {
		if cd.Code != nil {
			out = append(out, *cd.Code)
		}
	}
	if c.Text != nil {
		out = append(out, strings.TrimSpace(*c.Text))
	}
	return out
}

// parseDateTime reads a FHIR dateTime or instant at any precision the
// spec allows (year, month, day, or a time with a zone).
func parseDateTime(s string) (time.Time, error) {
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02", "2006-01", "2006"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t, nil
		}
	}
	return time.Time{}, fmt.Errorf("not a FHIR dateTime")
}

// parseInstant reads a FHIR instant: a full time with a zone.
func parseInstant(s string) (time.Time, bool) {
	t, err := time.Parse(time.RFC3339Nano, s)
	return t, err == nil
}
