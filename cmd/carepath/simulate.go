package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"path/filepath"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/carepath/carepath/internal/config"
	"github.com/carepath/carepath/messaging"
)

// runSimulateSMS posts a correctly signed Twilio inbound-message webhook to
// a running `carepath dev`, as Twilio would: the way to answer a journey by
// hand in the sandbox.
func runSimulateSMS(ctx context.Context, cfg *config.Config, args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("simulate-sms", flag.ContinueOnError)
	from := fs.String("from", "", "the patient's phone number (E.164)")
	body := fs.String("body", "", "the reply text")
	to := fs.String("to", "+15550000000", "the carepath number")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *from == "" {
		return errors.New("simulate-sms: --from is required")
	}
	token := cfg.TwilioAuthToken
	if token == "" {
		var err error
		if token, err = secretFile(filepath.Join(cfg.DataDir, devTwilioTokenFile), ""); err != nil {
			return err
		}
	}
	target := cfg.PublicURL + "/webhooks/twilio/messages"
	params := map[string]string{"MessageSid": "SM" + strings.ReplaceAll(uuid.NewString(), "-", ""),
		"From": *from, "To": *to, "Body": *body, "NumMedia": "0"}
	form := url.Values{}
	for k, v := range params {
		form.Set(k, v)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, target, strings.NewReader(form.Encode()))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("X-Twilio-Signature", messaging.SignTwilio(token, target, params))
	resp, err := (&http.Client{Timeout: 15 * time.Second}).Do(req)
	if err != nil {
		return fmt.Errorf("simulate-sms: %w", err)
	}
	out, err := io.ReadAll(io.LimitReader(resp.Body, 4096))
	if err = errors.Join(err, resp.Body.Close()); err != nil {
		return fmt.Errorf("simulate-sms: read the answer: %w", err)
	}
	if _, err := fmt.Fprintf(stdout, "%s %s\n%s\n", resp.Status, params["MessageSid"], out); err != nil {
		return err
	}
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("simulate-sms: webhook answered %s", resp.Status)
	}
	return nil
}
