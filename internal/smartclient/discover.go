package smartclient

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
)

// Discover reads the token endpoint from the FHIR server's
// <base>/.well-known/smart-configuration.
func Discover(ctx context.Context, hc *http.Client, fhirBase string) (string, error) {
	u := strings.TrimRight(fhirBase, "/") + "/.well-known/smart-configuration"
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return "", fmt.Errorf("smartclient: discovery: %w", err)
	}
	req.Header.Set("Accept", "application/json")
	resp, err := hc.Do(req)
	if err != nil {
		return "", fmt.Errorf("smartclient: discovery: %w", err)
	}
	defer func() { _ = resp.Body.Close() }() // read fully below
	if resp.StatusCode != http.StatusOK {
		return "", fmt.Errorf("smartclient: discovery: %s answered %d", u, resp.StatusCode)
	}
	var conf struct {
		TokenEndpoint string `json:"token_endpoint"`
	}
	if err := json.NewDecoder(io.LimitReader(resp.Body, 1<<20)).Decode(&conf); err != nil {
		return "", fmt.Errorf("smartclient: discovery: %w", err)
	}
	if t, err := url.Parse(conf.TokenEndpoint); err != nil || t.Host == "" || (t.Scheme != "https" && t.Scheme != "http") {
		return "", errors.New("smartclient: discovery: no absolute token_endpoint")
	}
	return conf.TokenEndpoint, nil
}
