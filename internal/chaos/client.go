package chaos

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"strings"
	"sync/atomic"
	"time"

	"github.com/carepath/carepath/messaging"
)

// client speaks to carepath the way its integrations and providers do:
// the public API with an admin key, and signed webhooks.
type client struct {
	base string // the public URL (CAREPATH_PUBLIC_URL): what webhook signatures cover
	apis []string
	next atomic.Uint64
	http *http.Client
}

// newClient speaks to base, or with several API processes to each in turn,
// as a load balancer in front of them would (a retry goes to the next one).
func newClient(base string, apis ...string) *client {
	return &client{base: base, apis: apis, http: &http.Client{Timeout: 20 * time.Second}}
}

// pick is the API process the next request goes to.
func (c *client) pick() string {
	if len(c.apis) == 0 {
		return c.base
	}
	return c.apis[c.next.Add(1)%uint64(len(c.apis))]
}

// call sends a JSON request and decodes a 2xx answer into out.
func (c *client) call(ctx context.Context, method, path string, body, out any) (int, error) {
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return 0, err
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, c.pick()+path, rd)
	if err != nil {
		return 0, err
	}
	req.Header.Set("Authorization", "Bearer "+adminKey)
	req.Header.Set("Content-Type", "application/json")
	resp, err := c.http.Do(req)
	if err != nil {
		return 0, err
	}
	b, err := io.ReadAll(resp.Body)
	err = errors.Join(err, resp.Body.Close())
	if resp.StatusCode/100 != 2 {
		return resp.StatusCode, errors.Join(fmt.Errorf("%s %s: %d %s", method, path, resp.StatusCode, truncate(string(b), 200)), err)
	}
	// A 2xx with nothing to decode is answered by its status alone (an API
	// killed while writing the body has still done what was asked).
	if out != nil {
		if err != nil {
			return resp.StatusCode, fmt.Errorf("%s %s: read: %w", method, path, err)
		}
		if err := json.Unmarshal(b, out); err != nil {
			return resp.StatusCode, fmt.Errorf("%s %s: decode: %w", method, path, err)
		}
	}
	return resp.StatusCode, nil
}

// retry calls until a 2xx answer, a 4xx answer other than 409/429 (the
// request is wrong: retrying cannot help), or ctx ends. Every request it is
// used for is idempotent (keys, event IDs) or a read.
func (c *client) retry(ctx context.Context, method, path string, body, out any) error {
	var last error
	for attempt := 0; ; attempt++ {
		st, err := c.call(ctx, method, path, body, out)
		if err == nil {
			return nil
		}
		last = err
		if st/100 == 4 && st != http.StatusConflict && st != http.StatusTooManyRequests {
			return err
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("%w (last: %v)", ctx.Err(), last)
		case <-time.After(min(time.Duration(attempt+1)*500*time.Millisecond, 3*time.Second)):
		}
	}
}

// postForm posts a Twilio-signed form to a full URL (callback URLs carry
// their own query). The signature covers the URL as the provider calls it.
func (c *client) postForm(ctx context.Context, fullURL string, params map[string]string) (int, error) {
	form := url.Values{}
	for k, v := range params {
		form.Set(k, v)
	}
	// Signed as addressed (the public URL), delivered to the next API process.
	to := fullURL
	if rest, ok := strings.CutPrefix(fullURL, c.base); ok {
		to = c.pick() + rest
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, to, strings.NewReader(form.Encode()))
	if err != nil {
		return 0, err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("X-Twilio-Signature", messaging.SignTwilio(twilioToken, fullURL, params))
	return c.do(req)
}

// postEmail posts an inbound email as SendGrid's Inbound Parse does.
func (c *client) postEmail(ctx context.Context, from, messageID, text string) (int, error) {
	var buf bytes.Buffer
	w := multipart.NewWriter(&buf)
	err := errors.Join(
		w.WriteField("envelope", fmt.Sprintf(`{"from":%q,"to":[%q]}`, from, sendgridFrom)),
		w.WriteField("headers", "Message-ID: <"+messageID+">\nSubject: Re: your care team\n"),
		w.WriteField("text", text),
		w.WriteField("from", "Patient <"+from+">"),
		w.Close())
	if err != nil {
		return 0, err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.pick()+"/webhooks/sendgrid/inbound/"+inboundToken, &buf)
	if err != nil {
		return 0, err
	}
	req.Header.Set("Content-Type", w.FormDataContentType())
	return c.do(req)
}

// postEvents posts SendGrid events signed with the cluster's webhook key.
func (c *client) postEvents(ctx context.Context, cl *Cluster, events []map[string]any) (int, error) {
	body, err := json.Marshal(events)
	if err != nil {
		return 0, err
	}
	ts := fmt.Sprint(time.Now().Unix())
	sig, err := messaging.SignSendGrid(cl.webhookKey, body, ts)
	if err != nil {
		return 0, err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.pick()+"/webhooks/sendgrid/events", bytes.NewReader(body))
	if err != nil {
		return 0, err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set(messaging.SendGridSignatureHeader, sig)
	req.Header.Set(messaging.SendGridTimestampHeader, ts)
	return c.do(req)
}

func (c *client) do(req *http.Request) (int, error) {
	resp, err := c.http.Do(req)
	if err != nil {
		return 0, err
	}
	// The status is the answer; the body is drained only so the connection
	// can be reused, and an error draining or closing it changes nothing.
	_, _ = io.Copy(io.Discard, resp.Body)
	_ = resp.Body.Close()
	return resp.StatusCode, nil
}

func truncate(s string, n int) string {
	if len(s) > n {
		return s[:n] + "…"
	}
	return s
}
