package api

import (
	"net/http"
	"regexp"
	"strconv"
	"unicode/utf8"

	"github.com/labstack/echo/v4"
	"github.com/twilio/twilio-go/twiml"

	"github.com/carepath/carepath"
	"github.com/carepath/carepath/engine"
	"github.com/carepath/carepath/messaging"
)

// twilioForm reads the POSTed form and checks its signature against the
// public URL of this request. A bad signature is 403 and nothing else
// happens; the request is logged without its contents.
func (s *Server) twilioForm(c echo.Context) (map[string]string, error) {
	req := c.Request()
	if err := req.ParseForm(); err != nil {
		return nil, carepath.Invalid("body", "must be a form (application/x-www-form-urlencoded)")
	}
	params := make(map[string]string, len(req.PostForm))
	for k, v := range req.PostForm {
		if len(v) > 0 {
			params[k] = v[0]
		}
	}
	url := s.cfg.PublicURL + req.URL.RequestURI()
	if !messaging.ValidTwilioSignature(s.cfg.TwilioAuthToken, url, params, req.Header.Get("X-Twilio-Signature")) {
		s.log.Warn("webhook rejected: bad signature", "route", c.Path(), "request_id", requestID(c))
		return nil, carepath.Errorf(carepath.EFORBIDDEN, "invalid webhook signature")
	}
	return params, nil
}

// handleTwilioMessage takes an inbound SMS. It answers with empty TwiML
// once the reply is stored (replies go out through the journeys, not in
// the webhook response); carepath routes it from there. With the database
// down it answers 503 within about a second, so Twilio tries the number's
// fallback URL.
func (s *Server) handleTwilioMessage(c echo.Context) error {
	p, err := s.twilioForm(c)
	if err != nil {
		return err
	}
	m, err := parseTwilioInbound(p)
	if err != nil {
		return err
	}
	m.RequestID = requestID(c)
	if err := s.engine.ReceiveMessage(c.Request().Context(), m); err != nil {
		return err
	}
	xml, err := twiml.Messages(nil)
	if err != nil {
		return err
	}
	return c.Blob(http.StatusOK, "text/xml; charset=utf-8", []byte(xml))
}

// maxSMSBody bounds an inbound body (Twilio concatenates at most 1600).
const maxSMSBody = 1600

// parseTwilioInbound validates an inbound-message webhook's parameters.
func parseTwilioInbound(p map[string]string) (engine.InboundMessage, error) {
	switch {
	case !twilioSID.MatchString(p["MessageSid"]):
		return engine.InboundMessage{}, carepath.Invalid("MessageSid", "must be a Twilio message SID")
	case !carepath.ValidPhone(p["From"]):
		return engine.InboundMessage{}, carepath.Invalid("From", "must be an E.164 phone number")
	case len(p["Body"]) > maxSMSBody*4 || !utf8.ValidString(p["Body"]):
		return engine.InboundMessage{}, carepath.Invalid("Body", "must be UTF-8 text of at most 1600 characters")
	}
	return engine.InboundMessage{Channel: carepath.ChannelSMS, Provider: messaging.ProviderTwilio,
		ProviderMessageID: p["MessageSid"], From: p["From"], To: p["To"], Body: p["Body"]}, nil
}

var twilioSID = regexp.MustCompile(`^(SM|MM|SMS)[A-Za-z0-9]{1,64}$`)

// handleTwilioStatus takes a delivery-status callback (signed like inbound
// messages, the query string included). Twilio posts one per status change,
// may repeat them and may post them out of order. The callback URL carries
// carepath's message ID (?message_id=), so a callback that beats the send's
// record still finds its message.
func (s *Server) handleTwilioStatus(c echo.Context) error {
	p, err := s.twilioForm(c)
	if err != nil {
		return err
	}
	if !twilioSID.MatchString(p["MessageSid"]) {
		return carepath.Invalid("MessageSid", "must be a Twilio message SID")
	}
	code := 0
	if v := p["ErrorCode"]; v != "" {
		if code, err = strconv.Atoi(v); err != nil {
			return carepath.Invalid("ErrorCode", "must be a number")
		}
	}
	err = s.engine.RecordDelivery(c.Request().Context(), engine.DeliveryReport{
		Provider: messaging.ProviderTwilio, ProviderMessageID: p["MessageSid"], MessageID: c.QueryParam("message_id"),
		Status:    p["MessageStatus"],
		ErrorCode: code, EventKey: p["MessageSid"] + "/" + p["MessageStatus"], RequestID: requestID(c),
	})
	if err != nil {
		return err
	}
	return c.NoContent(http.StatusNoContent)
}
