package api

import (
	"crypto/subtle"
	"encoding/json"
	"io"
	"net/http"
	"net/mail"
	"strings"
	"unicode/utf8"

	"github.com/labstack/echo/v4"
	"github.com/sendgrid/sendgrid-go/helpers/inbound"
	"golang.org/x/text/encoding/htmlindex"
	"golang.org/x/text/encoding/unicode"

	"github.com/carepath/carepath"
	"github.com/carepath/carepath/engine"
	"github.com/carepath/carepath/messaging"
)

// handleSendGridInbound takes SendGrid Inbound Parse posts. That webhook
// is unsigned, so its URL carries a secret token, compared in constant time.
func (s *Server) handleSendGridInbound(c echo.Context) error {
	want := s.cfg.SendGridInboundToken
	if want == "" || subtle.ConstantTimeCompare([]byte(c.Param("token")), []byte(want)) != 1 {
		s.log.Warn("webhook rejected: bad inbound-parse token", "request_id", requestID(c))
		return carepath.Errorf(carepath.EFORBIDDEN, "invalid webhook token")
	}
	parsed, err := inbound.Parse(c.Request())
	if err != nil {
		return carepath.Invalid("body", "must be SendGrid Inbound Parse multipart form data")
	}
	m, err := parseInboundEmail(parsed)
	if err != nil {
		return err
	}
	m.RequestID = requestID(c)
	if err := s.engine.ReceiveMessage(c.Request().Context(), m); err != nil {
		return err // 5xx: SendGrid retries for up to three days
	}
	return c.NoContent(http.StatusOK)
}

// maxEmailBody bounds a stored email reply; a longer one is cut and
// goes to the care team.
const maxEmailBody = 64 << 10

// parseInboundEmail picks sender, text and a stable ID out of a parsed post.
// A reply carepath cannot trust or read is stored all the same, flagged for
// the care team's review: its sender must pass SendGrid's SPF or DKIM check
// for its own domain, and its text must decode in its declared charset.
func parseInboundEmail(p *inbound.ParsedEmail) (engine.InboundMessage, error) {
	from := p.Envelope.From
	if from == "" {
		if a, err := mail.ParseAddress(p.ParsedValues["from"]); err == nil {
			from = a.Address
		}
	}
	if !carepath.ValidEmail(from) {
		return engine.InboundMessage{}, carepath.Invalid("from", "must name the sender's address")
	}
	id := strings.Trim(headerValue(p.Headers, "Message-ID"), "<> ")
	if id == "" || len(id) > 500 {
		return engine.InboundMessage{}, carepath.Invalid("headers", "must include a Message-ID")
	}
	text, readable := utf8Text(p.TextBody, fieldCharset(p.ParsedValues["charsets"], "text"))
	body := engine.ReplyText(text)
	if len(body) > maxEmailBody {
		body, readable = strings.ToValidUTF8(body[:maxEmailBody], ""), false
	}
	review := ""
	switch {
	case !senderAuthenticated(p.ParsedValues, from, from == p.Envelope.From):
		review = engine.ReasonUnverifiedEmail
	case !readable:
		review = engine.ReasonUnreadableEmail
	}
	to := ""
	if len(p.Envelope.To) > 0 {
		to = p.Envelope.To[0]
	}
	return engine.InboundMessage{Channel: carepath.ChannelEmail, Provider: messaging.ProviderSendGrid,
		ProviderMessageID: id, From: strings.ToLower(from), To: to, Subject: emailSubject(p.ParsedValues["subject"]),
		Body: body, Review: review}, nil
}

// senderAuthenticated reports whether SendGrid's checks vouch for the
// sender's domain: SPF passed for the envelope sender (SPF judges the
// envelope, so only when the sender is it), or a DKIM signature of the
// sender's own domain passed. Inbound Parse posts them as "SPF" ("pass",
// "fail", "softfail", …) and "dkim" ("{@example.org : pass, …}").
func senderAuthenticated(values map[string]string, sender string, envelope bool) bool {
	_, domain, _ := strings.Cut(sender, "@")
	if envelope && strings.EqualFold(strings.TrimSpace(values["SPF"]), "pass") {
		return true
	}
	for _, sig := range strings.Split(strings.Trim(strings.TrimSpace(values["dkim"]), "{}"), ",") {
		d, result, ok := strings.Cut(sig, ":")
		if ok && strings.EqualFold(strings.TrimPrefix(strings.TrimSpace(d), "@"), domain) &&
			strings.EqualFold(strings.TrimSpace(result), "pass") {
			return true
		}
	}
	return false
}

// fieldCharset reads one field's character set from Inbound Parse's
// "charsets" JSON ({"text": "iso-8859-1", …}); "" if not given.
func fieldCharset(charsets, field string) string {
	var m map[string]string
	if json.Unmarshal([]byte(charsets), &m) != nil {
		return ""
	}
	return m[field]
}

// utf8Text decodes s from its declared charset into UTF-8. ok=false means
// it could not be (an unknown charset, or bytes invalid in it): the text is
// kept with the unreadable bytes replaced.
func utf8Text(s, charset string) (string, bool) {
	if enc, err := htmlindex.Get(charset); err == nil && enc != unicode.UTF8 {
		if out, err := enc.NewDecoder().String(s); err == nil && utf8.ValidString(out) {
			return out, true
		}
	}
	if utf8.ValidString(s) {
		return s, true
	}
	return strings.ToValidUTF8(s, "\uFFFD"), false
}

func headerValue(h map[string]string, name string) string {
	for k, v := range h {
		if strings.EqualFold(k, name) {
			return v
		}
	}
	return ""
}

// handleSendGridEvents takes Event Webhook posts, verified with SendGrid's
// ECDSA signature over the timestamp and the raw body.
func (s *Server) handleSendGridEvents(c echo.Context) error {
	body, err := io.ReadAll(c.Request().Body)
	if err != nil {
		return jsonError(err)
	}
	req := c.Request()
	if !messaging.ValidSendGridSignature(s.cfg.SendGridWebhookKey, body,
		req.Header.Get(messaging.SendGridSignatureHeader), req.Header.Get(messaging.SendGridTimestampHeader)) {
		s.log.Warn("webhook rejected: bad signature", "route", c.Path(), "request_id", requestID(c))
		return carepath.Errorf(carepath.EFORBIDDEN, "invalid webhook signature")
	}
	var events []engine.EmailEvent
	if err := json.Unmarshal(body, &events); err != nil {
		return carepath.Invalid("body", "must be a JSON array of events")
	}
	if err := s.engine.RecordEmailEvents(c.Request().Context(), events, requestID(c)); err != nil {
		return err
	}
	return c.NoContent(http.StatusOK)
}

// emailSubject is a reply's subject as read for keywords and red flags:
// one line, bounded.
func emailSubject(s string) string {
	s = strings.Join(strings.Fields(strings.ToValidUTF8(s, "")), " ")
	if len(s) > 500 {
		s = strings.ToValidUTF8(s[:500], "")
	}
	return s
}
