package carepath

import (
	"net/mail"
	"regexp"
	"strings"
	"time"
)

var e164 = regexp.MustCompile(`^\+[1-9][0-9]{6,14}$`)

// ValidPhone reports whether s is a phone number in E.164 form.
func ValidPhone(s string) bool { return e164.MatchString(s) }

// ValidEmail reports whether s is a single bare address (no display name).
func ValidEmail(s string) bool {
	if len(s) > 254 || strings.ContainsAny(s, " <>") {
		return false
	}
	a, err := mail.ParseAddress(s)
	return err == nil && a.Address == s && strings.Contains(s[strings.LastIndex(s, "@")+1:], ".")
}

// ValidTimezone reports whether s is an IANA zone name the system knows.
// "Local" and "" are refused: a patient's zone must be explicit.
func ValidTimezone(s string) bool {
	if s == "" || s == "Local" {
		return false
	}
	_, err := time.LoadLocation(s)
	return err == nil
}

var locales = map[string]bool{"en": true, "es": true}

// NewPatient is what a caller may send to create a patient.
type NewPatient struct {
	GivenName        string `json:"given_name"`
	FamilyName       string `json:"family_name"`
	BirthDate        string `json:"birth_date"`
	Phone            string `json:"phone"`
	Email            string `json:"email"`
	Timezone         string `json:"timezone"`
	Locale           string `json:"locale"`
	PreferredChannel string `json:"preferred_channel"`
}

// Validate normalises defaults and returns the first problem, naming the field.
func (p *NewPatient) Validate() error {
	p.GivenName = strings.TrimSpace(p.GivenName)
	p.FamilyName = strings.TrimSpace(p.FamilyName)
	if p.Locale == "" {
		p.Locale = "en"
	}
	if p.PreferredChannel == "" {
		p.PreferredChannel = ChannelSMS
	}
	switch {
	case p.GivenName == "" || len(p.GivenName) > 200:
		return Invalid("given_name", "is required (at most 200 characters)")
	case p.FamilyName == "" || len(p.FamilyName) > 200:
		return Invalid("family_name", "is required (at most 200 characters)")
	}
	bd, err := time.Parse(time.DateOnly, p.BirthDate)
	if err != nil {
		return Invalid("birth_date", "must be a date as YYYY-MM-DD")
	}
	if bd.After(time.Now()) || bd.Year() < 1900 {
		return Invalid("birth_date", "must be a past date after 1900")
	}
	if p.Phone != "" && !ValidPhone(p.Phone) {
		return Invalid("phone", "must be in E.164 form, e.g. +15551234567")
	}
	if p.Email != "" && !ValidEmail(p.Email) {
		return Invalid("email", "must be a valid email address")
	}
	if p.Phone == "" && p.Email == "" {
		return Invalid("phone", "a phone or an email is required")
	}
	if !ValidTimezone(p.Timezone) {
		return Invalid("timezone", "must be an IANA time zone, e.g. America/New_York")
	}
	if !locales[p.Locale] {
		return Invalid("locale", "must be one of: en, es")
	}
	switch p.PreferredChannel {
	case ChannelSMS:
		if p.Phone == "" {
			return Invalid("preferred_channel", "sms needs a phone number")
		}
	case ChannelEmail:
		if p.Email == "" {
			return Invalid("preferred_channel", "email needs an email address")
		}
	default:
		return Invalid("preferred_channel", "must be one of: sms, email")
	}
	return nil
}
