package messaging

// twilioCodes classifies Twilio error codes. Codes not listed fall back to
// the HTTP status: 429 is a refusal, 5xx an unknown outcome (Twilio may
// have accepted the message before failing), other 4xx are permanent.
// https://www.twilio.com/docs/api/errors
var twilioCodes = map[int]ErrorKind{
	20429: KindRateLimited,    // too many requests
	20500: KindUnknown,        // internal server error
	20503: KindUnknown,        // service unavailable
	21211: KindInvalidContact, // invalid 'To' phone number
	21214: KindInvalidContact, // 'To' number cannot be reached
	21408: KindPermanent,      // permission to send to region not enabled
	21606: KindPermanent,      // 'From' number is not a valid, SMS-capable number
	21610: KindOptedOut,       // recipient replied STOP
	21612: KindInvalidContact, // 'To' number not currently reachable via SMS
	21614: KindInvalidContact, // 'To' number is not a valid mobile number
	30003: KindTransientUnreachable,
	30004: KindOptedOut,       // message blocked by the handset (blocked sender)
	30005: KindInvalidContact, // unknown destination handset
	30006: KindInvalidContact, // landline or unreachable carrier
}

// ClassifyTwilio turns a Twilio HTTP status and error code into a kind.
func ClassifyTwilio(httpStatus, code int) ErrorKind {
	if k, ok := twilioCodes[code]; ok {
		return k
	}
	return classifyHTTP(httpStatus)
}

// ClassifySendGrid turns a SendGrid mail-send HTTP status into a kind.
// SendGrid reports bad addresses asynchronously (bounce, dropped events),
// so a synchronous 4xx is about the request itself.
func ClassifySendGrid(httpStatus int) ErrorKind { return classifyHTTP(httpStatus) }

func classifyHTTP(status int) ErrorKind {
	switch {
	case status == 429:
		return KindRateLimited
	case status >= 500, status == 0:
		return KindUnknown
	default:
		return KindPermanent
	}
}
