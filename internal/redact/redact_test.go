package redact_test

import (
	"bytes"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"testing"

	"github.com/carepath/carepath/internal/redact"
)

const (
	phone = "+15558675309"
	email = "canary.patient@example.org"
	name  = "Zebulon Canary"
	body  = "I feel worse, my chest hurts"
)

func TestLogsCarryNoPHI(t *testing.T) {
	var buf bytes.Buffer
	log := slog.New(redact.New(slog.NewJSONHandler(&buf, &slog.HandlerOptions{Level: slog.LevelDebug})))
	log = log.With("phone", phone)
	log.Info("texting "+phone+" and mailing "+email,
		"given_name", name, "body", body, "email", email,
		"error", errors.New("twilio: The 'To' number "+phone+" is not valid"),
		"wrapped", fmt.Errorf("send to %s: %w", email, errors.New("boom")),
		slog.Group("patient", "phone", phone, "note", "call "+phone),
		"enrollment_id", "4c320035-f3aa-4147-8841-de54b4c5bd17", "attempt", 3,
		"local_number", "(555) 867-5309", "bare", "call 5558675309 now",
		"at", "2026-11-22T05:21:56.123Z", "workflow_id", "enrollment-12345678-1234-4234-8234-123456789012")
	out := buf.String()
	for _, phi := range []string{phone, "5558675309", "867-5309", email, "Zebulon", "chest hurts"} {
		if strings.Contains(out, phi) {
			t.Errorf("log line contains %q:\n%s", phi, out)
		}
	}
	for _, keep := range []string{"4c320035-f3aa-4147-8841-de54b4c5bd17", `"attempt":3`, "2026-11-22T05:21:56.123Z",
		"enrollment-12345678-1234-4234-8234-123456789012"} {
		if !strings.Contains(out, keep) {
			t.Errorf("log line lost %q:\n%s", keep, out)
		}
	}
}
