package fhir

import (
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/carepath/carepath"
)

// Search paging limits: _count defaults to DefaultCount and is capped at
// MaxCount (the spec lets a server return fewer than asked).
const (
	DefaultCount = 50
	MaxCount     = 200
)

// Search parameter names carepath supports. The per-type list (which of
// these a type takes) is the CapabilityStatement's table.
const (
	ParamID          = "_id"
	ParamLastUpdated = "_lastUpdated"
	ParamSubject     = "subject"
	ParamPatient     = "patient"
	ParamIdentifier  = "identifier"
	ParamStatus      = "status"
	ParamCount       = "_count"
	ParamCursor      = "_cursor"
)

// ignoredParams are result parameters every search accepts and that change
// nothing here: the format is checked at the HTTP edge, output is never
// pretty-printed.
var ignoredParams = []string{"_format", "_pretty"}

// Search is a parsed FHIR search.
type Search struct {
	IDs         []string     // _id: any of these (comma-separated in the query)
	Patient     string       // subject / patient: the FHIR Patient id, without "Patient/"
	LastUpdated []DateFilter // _lastUpdated: all of these (ge and lt for a range)
	Identifier  *Token       // identifier: system|value
	Status      []string     // status: any of these codes
	Count       int          // _count: page size, DefaultCount when not given
	Cursor      string       // _cursor: the opaque page token from a next link
}

// Token is a token search value: system|value, |value (no system), or a
// bare value (any system).
type Token struct {
	System    string
	Value     string
	HasSystem bool // the query named a system (possibly empty: "|value")
}

// Precision is how much of a date a search value gives.
type Precision int

// Precisions, coarsest first.
const (
	PrecisionYear Precision = iota
	PrecisionMonth
	PrecisionDay
	PrecisionMinute
	PrecisionSecond
	PrecisionMilli
)

// DateFilter is one date search value: a prefix (eq, gt, ge, lt, le) and
// the instant it names to its precision, so 2026-11 means all of November.
type DateFilter struct {
	Prefix    string
	At        time.Time // the start of the named interval, UTC
	Precision Precision
}

// Interval is the half-open range [from, to) the value names.
func (d DateFilter) Interval() (from, to time.Time) {
	switch d.Precision {
	case PrecisionYear:
		return d.At, d.At.AddDate(1, 0, 0)
	case PrecisionMonth:
		return d.At, d.At.AddDate(0, 1, 0)
	case PrecisionDay:
		return d.At, d.At.AddDate(0, 0, 1)
	case PrecisionMinute:
		return d.At, d.At.Add(time.Minute)
	case PrecisionSecond:
		return d.At, d.At.Add(time.Second)
	}
	return d.At, d.At.Add(time.Millisecond)
}

// Matches reports whether an instant satisfies the filter: eq within the
// interval, gt after it, ge from its start, lt before its start, le before
// its end.
func (d DateFilter) Matches(t time.Time) bool {
	from, to := d.Interval()
	switch d.Prefix {
	case "gt":
		return !t.Before(to)
	case "ge":
		return !t.Before(from)
	case "lt":
		return t.Before(from)
	case "le":
		return t.Before(to)
	}
	return !t.Before(from) && t.Before(to)
}

// Bounds is the filter as a half-open range for a query: a zero time means
// unbounded on that side. ge 2026-11 → [Nov 1, ∞); le 2026-11 → (−∞, Dec 1).
func (d DateFilter) Bounds() (from, to time.Time) {
	start, end := d.Interval()
	switch d.Prefix {
	case "gt":
		return end, time.Time{}
	case "ge":
		return start, time.Time{}
	case "lt":
		return time.Time{}, start
	case "le":
		return time.Time{}, end
	}
	return start, end
}

// idPattern is FHIR's id type.
var idPattern = regexp.MustCompile(`^[A-Za-z0-9\-.]{1,64}$`)

// ValidID reports whether s is a FHIR resource id.
func ValidID(s string) bool { return idPattern.MatchString(s) }

// ParseSearch reads a FHIR search query for a resource type. allowed names
// the parameters the type supports (from the capability table); _count and
// _cursor are always accepted, _format and _pretty ignored. An unknown,
// repeated or malformed parameter is carepath.Invalid naming it.
func ParseSearch(typ string, q url.Values, allowed []string) (Search, error) {
	s := Search{Count: DefaultCount}
	names := make([]string, 0, len(q))
	for name := range q {
		names = append(names, name)
	}
	slices.Sort(names) // the first problem reported is the same every time
	for _, name := range names {
		vals := q[name]
		base, modifier, _ := strings.Cut(name, ":")
		if slices.Contains(ignoredParams, name) {
			continue
		}
		if base != ParamCount && base != ParamCursor && !slices.Contains(allowed, base) {
			return Search{}, carepath.Invalid(name, "is not a search parameter %s supports", typ)
		}
		if modifier != "" && (base != ParamSubject || modifier != "Patient") {
			return Search{}, carepath.Invalid(name, "the :%s modifier is not supported", modifier)
		}
		if len(vals) > 1 && base != ParamLastUpdated {
			return Search{}, carepath.Invalid(name, "give it once (separate several values with commas)")
		}
		if err := s.parse(base, name, vals); err != nil {
			return Search{}, err
		}
	}
	return s, nil
}

// parse reads one parameter's values into s; field is the name as given.
func (s *Search) parse(base, field string, vals []string) error {
	v := vals[0]
	switch base {
	case ParamID:
		for _, id := range strings.Split(v, ",") {
			if !ValidID(id) {
				return carepath.Invalid(field, "must be resource ids separated by commas")
			}
			s.IDs = append(s.IDs, id)
		}
	case ParamSubject, ParamPatient:
		id, ok := patientRef(v)
		if !ok {
			return carepath.Invalid(field, "must be one patient: Patient/<id> or <id>")
		}
		if s.Patient != "" && s.Patient != id {
			return carepath.Invalid(field, "names a different patient than the other patient parameter")
		}
		s.Patient = id
	case ParamLastUpdated:
		for _, one := range vals {
			d, err := ParseDateFilter(field, one)
			if err != nil {
				return err
			}
			s.LastUpdated = append(s.LastUpdated, d)
		}
	case ParamIdentifier:
		t, ok := parseToken(v)
		if !ok {
			return carepath.Invalid(field, "must be system|value, |value or value")
		}
		s.Identifier = &t
	case ParamStatus:
		for _, code := range strings.Split(v, ",") {
			if !codePattern.MatchString(code) {
				return carepath.Invalid(field, "must be status codes separated by commas")
			}
			s.Status = append(s.Status, code)
		}
	case ParamCount:
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			return carepath.Invalid(field, "must be a whole number from 1 to %d", MaxCount)
		}
		s.Count = min(n, MaxCount)
	case ParamCursor:
		if !cursorPattern.MatchString(v) {
			return carepath.Invalid(field, "is not a page token this server gave")
		}
		s.Cursor = v
	default:
		// A name in allowed that this parser does not know is a bug in the
		// capability table; refuse rather than ignore it.
		return carepath.Invalid(field, "is not a supported search parameter")
	}
	return nil
}

var (
	codePattern   = regexp.MustCompile(`^[A-Za-z0-9\-.]{1,64}$`)
	cursorPattern = regexp.MustCompile(`^[A-Za-z0-9\-_.=~]{1,512}$`)
)

// patientRef takes "Patient/<id>", a URL ending in it, or a bare id.
func patientRef(v string) (string, bool) {
	if i := strings.LastIndex(v, "Patient/"); i >= 0 && (i == 0 || v[i-1] == '/') {
		v = v[i+len("Patient/"):]
	}
	return v, ValidID(v)
}

func parseToken(v string) (Token, bool) {
	if v == "" {
		return Token{}, false
	}
	sys, val, found := strings.Cut(v, "|")
	if !found {
		return Token{Value: v}, true
	}
	if val == "" || strings.Contains(val, "|") {
		return Token{}, false
	}
	return Token{System: sys, Value: val, HasSystem: true}, true
}

// datePrefixes are the comparison prefixes carepath supports (not ne, sa,
// eb, ap).
var datePrefixes = []string{"eq", "gt", "ge", "lt", "le"}

// dateLayouts are the partial dates a search value may give, with their
// precision. A value with a time and no offset is read as UTC.
var dateLayouts = []struct {
	layout    string
	precision Precision
}{
	{"2006", PrecisionYear},
	{"2006-01", PrecisionMonth},
	{"2006-01-02", PrecisionDay},
	{"2006-01-02T15:04Z07:00", PrecisionMinute},
	{"2006-01-02T15:04", PrecisionMinute},
	{"2006-01-02T15:04:05Z07:00", PrecisionSecond},
	{"2006-01-02T15:04:05", PrecisionSecond},
}

// ParseDateFilter reads one date search value: an optional prefix and a
// (partial) date or dateTime. A bad value is carepath.Invalid naming field.
func ParseDateFilter(field, v string) (DateFilter, error) {
	prefix := "eq"
	if len(v) >= 2 && v[0] >= 'a' && v[0] <= 'z' {
		prefix = v[:2]
		if !slices.Contains(datePrefixes, prefix) {
			return DateFilter{}, carepath.Invalid(field, "prefix %q is not supported (eq, gt, ge, lt, le)", prefix)
		}
		v = v[2:]
	}
	for _, l := range dateLayouts {
		t, err := time.Parse(l.layout, v)
		if err != nil {
			continue
		}
		p := l.precision
		if strings.Contains(v, ".") {
			// Go reads a fraction after any seconds layout.
			p = PrecisionMilli
		}
		return DateFilter{Prefix: prefix, At: t.UTC(), Precision: p}, nil
	}
	return DateFilter{}, carepath.Invalid(field, "must be a date: YYYY, YYYY-MM, YYYY-MM-DD or a dateTime, after an optional eq, gt, ge, lt or le")
}
