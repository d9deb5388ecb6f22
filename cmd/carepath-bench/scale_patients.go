package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"sync/atomic"
	"time"

	"github.com/carepath/carepath/internal/testenv"
)

// registerPatients registers one patient per number through the API
// (POST /v1/patients, audited, as an EHR integration does), concurrency at
// a time, logging progress, and returns their IDs.
func registerPatients(ctx context.Context, cp *api, numbers []string, concurrency int) ([]string, error) {
	ids := make([]string, len(numbers))
	zone := testenv.ZoneAt(12) // midday: quiet hours never defer a send
	var n atomic.Int64
	stop := make(chan struct{})
	defer close(stop)
	go func() {
		for {
			select {
			case <-stop:
				return
			case <-time.After(30 * time.Second):
				logf("idle: %d of %d patients registered", n.Load(), len(numbers))
			}
		}
	}()
	err := parallel(ctx, len(numbers), concurrency, func(i int) error {
		var p struct{ ID string }
		err := cp.call(ctx, http.MethodPost, "/v1/patients", map[string]any{"given_name": "Bench", "family_name": fmt.Sprint("P", i),
			"birth_date": "1970-01-01", "phone": numbers[i], "timezone": zone}, &p)
		ids[i] = p.ID
		n.Add(1)
		return err
	})
	return ids, err
}

// registerPatientsFHIR registers one patient per number as an EHR loads
// them: FHIR transaction Bundles of perBundle Patients (POST /fhir/R4, one
// database transaction each, audited), concurrency Bundles at a time.
func registerPatientsFHIR(ctx context.Context, cp *api, numbers []string, perBundle, concurrency int, retried *atomic.Int64) ([]string, error) {
	ids := make([]string, len(numbers))
	zone := testenv.ZoneAt(12) // midday: quiet hours never defer a send
	bundles := (len(numbers) + perBundle - 1) / perBundle
	var n atomic.Int64
	stop := make(chan struct{})
	defer close(stop)
	go func() {
		for {
			select {
			case <-stop:
				return
			case <-time.After(30 * time.Second):
				logf("idle: %d of %d patients registered", n.Load(), len(numbers))
			}
		}
	}()
	err := parallel(ctx, bundles, concurrency, func(b int) error {
		lo, hi := b*perBundle, min((b+1)*perBundle, len(numbers))
		entries := make([]any, 0, hi-lo)
		for i := lo; i < hi; i++ {
			entries = append(entries, map[string]any{
				"resource": map[string]any{"resourceType": "Patient",
					"extension": []any{map[string]any{"url": "http://hl7.org/fhir/StructureDefinition/timezone", "valueCode": zone}},
					"name":      []any{map[string]any{"family": fmt.Sprint("P", i), "given": []string{"Bench"}}},
					"birthDate": "1970-01-01",
					"telecom":   []any{map[string]any{"system": "phone", "value": numbers[i], "use": "mobile"}}},
				"request": map[string]any{"method": "POST", "url": "Patient"}})
		}
		// A transaction that failed wrote nothing, so it is sent again: under
		// load one can time out waiting for the audit trail's lock behind
		// the others (logged; counted in the figures).
		var out bundleResponse
		var err error
		for attempt := 1; ; attempt++ {
			if out, err = cp.fhirBundle(ctx, map[string]any{"resourceType": "Bundle", "type": "transaction", "entry": entries}); err == nil {
				break
			}
			if attempt == 5 || !strings.Contains(err.Error(), ": 5") {
				return err
			}
			retried.Add(1)
			logf("idle: FHIR bundle %d failed (%v); sending it again", b, err)
		}
		if len(out.Entry) != hi-lo {
			return fmt.Errorf("FHIR bundle %d: %d entries answered for %d", b, len(out.Entry), hi-lo)
		}
		for j, e := range out.Entry {
			// "Patient/<id>/_history/1": a new patient's id is carepath's UUID.
			parts := strings.Split(e.Response.Location, "/")
			if len(parts) < 2 || parts[0] != "Patient" {
				return fmt.Errorf("FHIR bundle %d entry %d: %s %q", b, j, e.Response.Status, e.Response.Location)
			}
			ids[lo+j] = parts[1]
		}
		n.Add(int64(hi - lo))
		return nil
	})
	return ids, err
}

// bundleResponse is the part of a transaction-response Bundle read here.
type bundleResponse struct {
	Entry []struct {
		Response struct {
			Status   string `json:"status"`
			Location string `json:"location"`
		} `json:"response"`
	} `json:"entry"`
}

// fhirBundle posts a Bundle to the FHIR endpoint with the admin key.
func (a *api) fhirBundle(ctx context.Context, bundle any) (bundleResponse, error) {
	var out bundleResponse
	b, err := json.Marshal(bundle)
	if err != nil {
		return out, err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, a.base+"/fhir/R4", bytes.NewReader(b))
	if err != nil {
		return out, err
	}
	req.Header.Set("Authorization", "Bearer "+benchAdminKey)
	req.Header.Set("Content-Type", "application/fhir+json")
	resp, err := a.http.Do(req)
	if err != nil {
		return out, fmt.Errorf("POST /fhir/R4: %w", err)
	}
	body, err := readAll(resp)
	if err != nil {
		return out, fmt.Errorf("POST /fhir/R4: read: %w", err)
	}
	if resp.StatusCode != http.StatusOK {
		return out, fmt.Errorf("POST /fhir/R4: %d %.300s", resp.StatusCode, body)
	}
	return out, json.Unmarshal(body, &out)
}
