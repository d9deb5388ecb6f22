package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/carepath/carepath/internal/testenv"
	"github.com/carepath/carepath/messaging"
)

// api drives carepath the way a care team's system and Twilio do: over
// HTTP, with an API key, and with signed webhooks.
type api struct {
	base string
	http *http.Client
}

func newAPI(base string) *api {
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.MaxIdleConnsPerHost = 128
	return &api{base: base, http: &http.Client{Transport: t, Timeout: time.Minute}}
}

// call sends JSON with the admin key and decodes a 2xx answer into out.
func (a *api) call(ctx context.Context, method, path string, body, out any) error {
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return err
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, a.base+path, rd)
	if err != nil {
		return err
	}
	req.Header.Set("Authorization", "Bearer "+benchAdminKey)
	req.Header.Set("Content-Type", "application/json")
	resp, err := a.http.Do(req)
	if err != nil {
		return fmt.Errorf("%s %s: %w", method, path, err)
	}
	b, err := readAll(resp)
	if err != nil {
		return fmt.Errorf("%s %s: read: %w", method, path, err)
	}
	if resp.StatusCode/100 != 2 {
		return fmt.Errorf("%s %s: %d %s", method, path, resp.StatusCode, b)
	}
	if out != nil {
		return json.Unmarshal(b, out)
	}
	return nil
}

// createPatients registers one patient per number, in a zone where it is
// midday now (so quiet hours never defer a send), and returns their IDs.
func (a *api) createPatients(ctx context.Context, numbers []string) ([]string, error) {
	ids := make([]string, len(numbers))
	zone := testenv.ZoneAt(12)
	err := parallel(ctx, len(numbers), 8, func(i int) error {
		var p struct{ ID string }
		err := a.call(ctx, http.MethodPost, "/v1/patients", map[string]any{"given_name": "Bench", "family_name": fmt.Sprint("P", i),
			"birth_date": "1970-01-01", "phone": numbers[i], "timezone": zone}, &p)
		ids[i] = p.ID
		return err
	})
	return ids, err
}

// batchJob is the bulk-launch progress carepath reports.
type batchJob struct {
	ID     string         `json:"id"`
	Status string         `json:"status"`
	Counts map[string]int `json:"counts"` // pending, launched, skipped, failed
}

// bulkLaunch starts one bulk launch and returns its job.
func (a *api) bulkLaunch(ctx context.Context, journey string, params map[string]any, ids []string) (batchJob, error) {
	var job batchJob
	err := a.call(ctx, http.MethodPost, "/v1/enrollments/batch", map[string]any{"journey": journey, "params": params, "patient_ids": ids}, &job)
	return job, err
}

// waitJob polls a bulk launch until nothing is pending.
func (a *api) waitJob(ctx context.Context, id string, timeout time.Duration) (batchJob, error) {
	deadline := time.Now().Add(timeout)
	for {
		var job batchJob
		if err := a.call(ctx, http.MethodGet, "/v1/enrollments/batch/"+id, nil, &job); err != nil {
			return job, err
		}
		if job.Counts["pending"] == 0 {
			return job, nil
		}
		if time.Now().After(deadline) {
			return job, fmt.Errorf("bulk launch %s: %d still pending after %s", id, job.Counts["pending"], timeout)
		}
		select {
		case <-ctx.Done():
			return job, ctx.Err()
		case <-time.After(500 * time.Millisecond):
		}
	}
}

// reply posts an inbound SMS as Twilio does: form-encoded and signed with
// the account's auth token over carepath's public URL.
func (a *api) reply(ctx context.Context, sid, from, body string) error {
	const path = "/webhooks/twilio/messages"
	params := map[string]string{"MessageSid": sid, "AccountSid": benchSID, "From": from, "To": carepathFrom, "Body": body}
	form := url.Values{}
	for k, v := range params {
		form.Set(k, v)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, a.base+path, strings.NewReader(form.Encode()))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("X-Twilio-Signature", messaging.SignTwilio(benchAuthToken, a.base+path, params))
	resp, err := a.http.Do(req)
	if err != nil {
		return fmt.Errorf("inbound webhook: %w", err)
	}
	if _, err := readAll(resp); err != nil {
		return fmt.Errorf("inbound webhook: read: %w", err)
	}
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("inbound webhook: status %d", resp.StatusCode)
	}
	return nil
}

// readAll reads a response body to the end and closes it.
func readAll(resp *http.Response) ([]byte, error) {
	b, err := io.ReadAll(resp.Body)
	return b, errors.Join(err, resp.Body.Close())
}
