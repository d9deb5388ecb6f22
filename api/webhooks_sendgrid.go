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
		return err // 500: SendGrid retries, and the retry finishes the routing
	}
	return c.NoContent(http.StatusOK)
}

// parseInboundEmail picks sender, text and a stable ID out of a parsed post.
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
	body := engine.ReplyText(p.TextBody)
	if !utf8.ValidString(body) || len(body) > 64<<10 {
		return engine.InboundMessage{}, carepath.Invalid("text", "must be UTF-8 text of at most 64 KiB")
	}
	to := ""
	if len(p.Envelope.To) > 0 {
		to = p.Envelope.To[0]
	}
	return engine.InboundMessage{Channel: carepath.ChannelEmail, Provider: messaging.ProviderSendGrid,
		ProviderMessageID: id, From: strings.ToLower(from), To: to, Body: body}, nil
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
