package smartclient

import (
	"fmt"
	"io"
	"net/http"
	"time"
)

// Transport adds the client's access token to each request. A 401 answer
// means the server no longer takes the token (revoked, or its clock runs
// ahead): the token is dropped and the request sent once more with a new
// one, when its body can be replayed.
type Transport struct {
	Client *Client
	Base   http.RoundTripper // default http.DefaultTransport
}

// RoundTrip implements http.RoundTripper.
func (t *Transport) RoundTrip(req *http.Request) (*http.Response, error) {
	base := t.Base
	if base == nil {
		base = http.DefaultTransport
	}
	tok, err := t.Client.Token(req.Context())
	if err != nil {
		closeBody(req)
		return nil, err
	}
	resp, err := base.RoundTrip(authorized(req, tok, req.Body))
	if err != nil || resp.StatusCode != http.StatusUnauthorized {
		return resp, err
	}
	var body io.ReadCloser
	if req.Body != nil && req.Body != http.NoBody {
		if req.GetBody == nil {
			return resp, nil // cannot replay it: the caller sees the 401
		}
		if body, err = req.GetBody(); err != nil {
			return resp, nil
		}
	}
	// Drain and close the refused answer so its connection is reused.
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10)) // a failed drain only costs the connection
	_ = resp.Body.Close()
	t.Client.Forget(tok)
	tok, err = t.Client.Token(req.Context())
	if err != nil {
		if body != nil {
			_ = body.Close()
		}
		return nil, fmt.Errorf("after a 401: %w", err)
	}
	return base.RoundTrip(authorized(req, tok, body))
}

// authorized is a copy of req carrying the token (a RoundTripper must not
// change the request it is given).
func authorized(req *http.Request, tok string, body io.ReadCloser) *http.Request {
	r := req.Clone(req.Context())
	r.Body = body
	r.Header.Set("Authorization", "Bearer "+tok)
	return r
}

func closeBody(req *http.Request) {
	if req.Body != nil {
		_ = req.Body.Close() // RoundTrip must close it, even on error
	}
}

// HTTPClient is an http.Client whose requests carry the client's token.
func (c *Client) HTTPClient(timeout time.Duration) *http.Client {
	return &http.Client{Transport: &Transport{Client: c}, Timeout: timeout}
}
