// Package redact keeps PHI out of logs: a slog handler that blanks the
// values of attributes whose names denote patient data, and scrubs phone
// numbers and email addresses from every other string, including the
// message and error texts.
package redact

import (
	"context"
	"log/slog"
	"regexp"
	"strings"
)

// Mask replaces redacted values.
const Mask = "[REDACTED]"

// phiKeys are attribute names whose values are always patient data.
var phiKeys = map[string]bool{
	"name": true, "given_name": true, "family_name": true, "full_name": true,
	"phone": true, "to": true, "from": true, "email": true, "address": true,
	"body": true, "text": true, "message_body": true, "reply": true,
	"birth_date": true, "dob": true, "subject": true, "html": true,
}

var (
	// E.164, North-American formatting, or a bare 10–11 digit run: shapes
	// of phone numbers that UUIDs and timestamps do not have.
	phonePattern = regexp.MustCompile(`\+[1-9]\d{6,14}\b|\(?\b\d{3}\)?[ .-]?\d{3}[ .-]\d{4}\b|\b\d{10,11}\b`)
	emailPattern = regexp.MustCompile(`[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}`)
)

// Scrub removes phone numbers and email addresses from s.
func Scrub(s string) string {
	s = emailPattern.ReplaceAllString(s, Mask)
	return phonePattern.ReplaceAllString(s, Mask)
}

// Handler wraps another handler with redaction.
type Handler struct{ next slog.Handler }

// New wraps next.
func New(next slog.Handler) *Handler { return &Handler{next: next} }

// Enabled defers to the wrapped handler.
func (h *Handler) Enabled(ctx context.Context, l slog.Level) bool { return h.next.Enabled(ctx, l) }

// Handle redacts the record, then passes it on.
func (h *Handler) Handle(ctx context.Context, r slog.Record) error {
	out := slog.NewRecord(r.Time, r.Level, Scrub(r.Message), r.PC)
	r.Attrs(func(a slog.Attr) bool {
		out.AddAttrs(redactAttr(a))
		return true
	})
	return h.next.Handle(ctx, out)
}

// WithAttrs redacts attributes bound to a derived logger too.
func (h *Handler) WithAttrs(as []slog.Attr) slog.Handler {
	red := make([]slog.Attr, len(as))
	for i, a := range as {
		red[i] = redactAttr(a)
	}
	return &Handler{next: h.next.WithAttrs(red)}
}

// WithGroup keeps redaction inside groups.
func (h *Handler) WithGroup(name string) slog.Handler { return &Handler{next: h.next.WithGroup(name)} }

func redactAttr(a slog.Attr) slog.Attr {
	v := a.Value.Resolve()
	if phiKeys[strings.ToLower(a.Key)] {
		return slog.String(a.Key, Mask)
	}
	switch v.Kind() {
	case slog.KindString:
		return slog.String(a.Key, Scrub(v.String()))
	case slog.KindGroup:
		attrs := v.Group()
		red := make([]any, len(attrs))
		for i, g := range attrs {
			red[i] = redactAttr(g)
		}
		return slog.Group(a.Key, red...)
	case slog.KindAny:
		// Errors and other values are rendered, then scrubbed.
		if err, ok := v.Any().(error); ok {
			return slog.String(a.Key, Scrub(err.Error()))
		}
		return slog.String(a.Key, Scrub(v.String()))
	}
	return slog.Attr{Key: a.Key, Value: v}
}
