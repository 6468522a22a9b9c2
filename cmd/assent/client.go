package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
)

// postJSON sends a JSON body to a running server with a bearer token and
// returns the answer's status and body (at most limit bytes).
func postJSON(ctx context.Context, base, path, token, agent string, body []byte, limit int64) (int, []byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, base+path, bytes.NewReader(body))
	if err != nil {
		return 0, nil, err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json")
	req.Header.Set("User-Agent", agent+"/"+version)
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, nil, fmt.Errorf("%s: %w", base, err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, limit))
	if err != nil {
		return 0, nil, fmt.Errorf("%s: read the answer: %w", base, err)
	}
	return resp.StatusCode, data, nil
}
