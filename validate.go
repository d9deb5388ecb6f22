package carepath

import (
	"fmt"
	"net/mail"
	"regexp"
	"slices"
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

// NewPatient is what a caller may send to create a patient.
type NewPatient struct {
	GivenName        string   `json:"given_name"`
	FamilyName       string   `json:"family_name"`
	BirthDate        string   `json:"birth_date"`
	Phone            string   `json:"phone"`
	Email            string   `json:"email"`
	Timezone         string   `json:"timezone"`
	Locale           string   `json:"locale"`
	PreferredChannel Channel  `json:"preferred_channel"`
	Tags             []string `json:"tags"`
	Conditions       []string `json:"conditions"`
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
	if !slices.Contains(Locales, p.Locale) {
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
	if p.Tags, err = NormalizeTags(p.Tags); err != nil {
		return err
	}
	p.Conditions, err = NormalizeConditions(p.Conditions)
	return err
}

// Segment limits.
const (
	MaxTags       = 32
	MaxConditions = 64
)

var (
	tagPattern       = regexp.MustCompile(`^[a-z0-9][a-z0-9._:-]{0,63}$`)
	conditionPattern = regexp.MustCompile(`^[A-Z][0-9][0-9A-Z](\.[0-9A-Z]{1,4})?$`)
)

// ValidTag reports whether s is a tag: lower-case letters, digits and
// ._:- (e.g. "diabetes-panel", "clinic:north"), at most 64 characters.
func ValidTag(s string) bool { return tagPattern.MatchString(s) }

// ValidCondition reports whether s is an ICD-10 code or category (E11, E11.9).
func ValidCondition(s string) bool { return conditionPattern.MatchString(s) }

// NormalizeTags lower-cases, sorts and de-duplicates tags and checks each.
func NormalizeTags(tags []string) ([]string, error) {
	return normalizeSet("tags", tags, MaxTags, strings.ToLower, ValidTag,
		`must be lower-case letters, digits and ._:- (at most 64 characters), e.g. "diabetes-panel"`)
}

// NormalizeConditions upper-cases, sorts and de-duplicates ICD-10 codes
// (e.g. "E11.9") and checks each.
func NormalizeConditions(codes []string) ([]string, error) {
	return normalizeSet("conditions", codes, MaxConditions, strings.ToUpper, conditionPattern.MatchString,
		`must be an ICD-10 code such as "E11.9" or "I10"`)
}

func normalizeSet(field string, in []string, most int, norm func(string) string, valid func(string) bool, rule string) ([]string, error) {
	if len(in) > most {
		return nil, Invalid(field, "at most %d", most)
	}
	out := make([]string, 0, len(in))
	for i, v := range in {
		v = norm(strings.TrimSpace(v))
		if !valid(v) {
			return nil, Invalid(fmt.Sprintf("%s[%d]", field, i), "%s", rule)
		}
		out = append(out, v)
	}
	slices.Sort(out)
	return slices.Compact(out), nil
}
