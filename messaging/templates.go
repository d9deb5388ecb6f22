package messaging

import (
	"errors"
	"fmt"
	"sort"
	"strings"
	"text/template"
)

// DefaultLocale is used when a template has no text in the patient's locale.
const DefaultLocale = "en"

// Text is one template's wording in one locale. Subject is for email;
// SMS uses Body only.
type Text struct {
	Subject string
	Body    string
}

// Catalog holds every message template by key and locale. Journeys
// register their wording next to their flow; the send activity renders it.
type Catalog struct {
	t map[string]map[string]*compiled
}

type compiled struct {
	subject, body *template.Template
}

// NewCatalog returns an empty catalog.
func NewCatalog() *Catalog { return &Catalog{t: map[string]map[string]*compiled{}} }

// Add registers the wording of key in each locale. It fails on a duplicate
// key, a template that does not parse, or a missing English text.
func (c *Catalog) Add(key string, byLocale map[string]Text) error {
	if _, dup := c.t[key]; dup {
		return fmt.Errorf("template %s registered twice", key)
	}
	if _, ok := byLocale[DefaultLocale]; !ok {
		return fmt.Errorf("template %s has no %s text", key, DefaultLocale)
	}
	m := map[string]*compiled{}
	for loc, tx := range byLocale {
		body, err := template.New(key).Option("missingkey=error").Parse(tx.Body)
		if err != nil {
			return fmt.Errorf("template %s (%s): %w", key, loc, err)
		}
		subj, err := template.New(key + ".subject").Option("missingkey=error").Parse(tx.Subject)
		if err != nil {
			return fmt.Errorf("template %s subject (%s): %w", key, loc, err)
		}
		m[loc] = &compiled{subject: subj, body: body}
	}
	c.t[key] = m
	return nil
}

// MustAdd is Add for package-level registration, where an error is a bug.
func (c *Catalog) MustAdd(key string, byLocale map[string]Text) {
	if err := c.Add(key, byLocale); err != nil {
		panic(err)
	}
}

// Has reports whether key is registered.
func (c *Catalog) Has(key string) bool { _, ok := c.t[key]; return ok }

// Keys lists the registered keys in order.
func (c *Catalog) Keys() []string {
	keys := make([]string, 0, len(c.t))
	for k := range c.t {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// Locales lists the locales key has wording for.
func (c *Catalog) Locales(key string) []string {
	var out []string
	for l := range c.t[key] {
		out = append(out, l)
	}
	sort.Strings(out)
	return out
}

// ErrUnknownTemplate is returned for a key nobody registered.
var ErrUnknownTemplate = errors.New("unknown template")

// Render renders key in locale, falling back to English; fellBack reports
// that the patient's locale had no wording.
func (c *Catalog) Render(key, locale string, vars map[string]string) (subject, body string, fellBack bool, err error) {
	byLocale, ok := c.t[key]
	if !ok {
		return "", "", false, fmt.Errorf("%w: %s", ErrUnknownTemplate, key)
	}
	t, ok := byLocale[locale]
	if !ok {
		t, fellBack = byLocale[DefaultLocale], true
	}
	var sb, bb strings.Builder
	if err := t.subject.Execute(&sb, vars); err != nil {
		return "", "", fellBack, fmt.Errorf("render %s subject: %w", key, err)
	}
	if err := t.body.Execute(&bb, vars); err != nil {
		return "", "", fellBack, fmt.Errorf("render %s: %w", key, err)
	}
	return sb.String(), bb.String(), fellBack, nil
}
