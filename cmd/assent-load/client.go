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
	"sync"
	"time"
)

// client talks to one server. All workers share it so that they share one
// connection pool, as the server's real callers would.
type client struct {
	base  string // server URL without a trailing slash
	token string // set before the workers start and only read after
	http  *http.Client
}

// newClient returns a client for server that keeps up to conns connections
// alive; timeout bounds each request so that a stuck server cannot stop a
// run from ending.
func newClient(server string, conns int, timeout time.Duration) (*client, error) {
	u, err := url.Parse(server)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("--server %q: want a URL such as http://127.0.0.1:8080", server)
	}
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.Proxy = nil // measure the server, not a proxy between us
	tr.MaxIdleConns = conns
	// The default of 2 idle connections per host would make all but two
	// workers dial anew for each request, and we would measure TCP setup.
	tr.MaxIdleConnsPerHost = conns
	return &client{
		base: strings.TrimRight(server, "/"),
		http: &http.Client{Transport: tr, Timeout: timeout},
	}, nil
}

// statusError is a response outside 2xx, which counts as a failed request.
type statusError struct {
	method, path string
	status       int
	detail       string // the problem document's detail, or the start of the body
}

func (e *statusError) Error() string {
	msg := fmt.Sprintf("%s %s: %d %s", e.method, e.path, e.status, http.StatusText(e.status))
	if e.detail != "" {
		msg += ": " + e.detail
	}
	return msg
}

// do sends in (if not nil) as JSON and decodes a 2xx response into out (if
// not nil). The body is always read to the end so the connection is reused.
func (c *client) do(ctx context.Context, method, path string, in, out any) error {
	var body io.Reader
	if in != nil {
		b, err := json.Marshal(in)
		if err != nil {
			return err
		}
		body = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, c.base+path, body)
	if err != nil {
		return err
	}
	req.Header.Set("Accept", "application/json")
	req.Header.Set("User-Agent", "assent-load")
	if in != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if c.token != "" {
		req.Header.Set("Authorization", "Bearer "+c.token)
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return err
	}
	defer func() {
		// Draining lets the transport reuse the connection; its error
		// does not matter once the status is known.
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
	}()
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return &statusError{method: method, path: path, status: resp.StatusCode, detail: problemDetail(resp.Body)}
	}
	if out != nil {
		if err := json.NewDecoder(resp.Body).Decode(out); err != nil {
			return fmt.Errorf("%s %s: decode response: %w", method, path, err)
		}
	}
	return nil
}

// problemDetail reads why the server refused: the detail of an RFC 9457
// problem document, or else the first bytes of the body on one line.
func problemDetail(r io.Reader) string {
	b, _ := io.ReadAll(io.LimitReader(r, 4096))
	var p struct{ Detail string }
	if json.Unmarshal(b, &p) == nil && p.Detail != "" {
		return p.Detail
	}
	s := strings.Join(strings.Fields(string(b)), " ")
	if len(s) > 200 {
		s = s[:200] + "…"
	}
	return s
}

// get issues a GET and checks only its status: decoding every body would
// spend the load program's CPU rather than the server's.
func (c *client) get(ctx context.Context, path string) error {
	return c.do(ctx, http.MethodGet, path, nil, nil)
}

// login mints an API token for username and makes the client use it.
func (c *client) login(ctx context.Context, username, password string) error {
	in := map[string]string{"username": username, "password": password, "name": "assent-load"}
	var out struct{ Token string }
	if err := c.do(ctx, http.MethodPost, "/api/v1/auth/tokens", in, &out); err != nil {
		return err
	}
	if out.Token == "" {
		return errors.New("POST /api/v1/auth/tokens: no token in the response")
	}
	c.token = out.Token
	return nil
}

// errorSet keeps the first few distinct errors of a run: enough to tell what
// went wrong without flooding the terminal when every request fails.
type errorSet struct {
	mu   sync.Mutex
	max  int
	seen map[string]bool
	list []string
}

// newErrorSet returns a set that keeps up to max distinct errors.
func newErrorSet(max int) *errorSet {
	return &errorSet{max: max, seen: map[string]bool{}}
}

// add records err unless an error of the same kind is already kept. Status
// errors are of a kind by request and status, since their detail may carry
// a request id that would make each one distinct.
func (s *errorSet) add(err error) {
	key := err.Error()
	var se *statusError
	if errors.As(err, &se) {
		key = fmt.Sprintf("%s %s %d", se.method, se.path, se.status)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.list) < s.max && !s.seen[key] {
		s.seen[key] = true
		s.list = append(s.list, err.Error())
	}
}
