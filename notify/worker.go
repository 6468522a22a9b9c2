package notify

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net"
	"net/http"
	"sync"
	"syscall"
	"time"

	"assent"
)

// Worker takes messages from the outbox and delivers them.
type Worker struct {
	Outbox assent.OutboxService
	Logger *slog.Logger
	// Client posts the webhooks; NewClient gives one that refuses private
	// addresses and bounds each request.
	Client *http.Client
	// Batch is how many messages one round takes and delivers at once.
	Batch int
	// Lease is how long a taken message is left alone: a worker that dies
	// holding it gives it back when the lease runs out.
	Lease time.Duration
	// Poll is the pause when the outbox is empty.
	Poll time.Duration
	// MaxAttempts before a delivery fails for good; BaseBackoff is the
	// first wait, doubled at each attempt up to MaxBackoff.
	MaxAttempts             int
	BaseBackoff, MaxBackoff time.Duration
	// FailureLimit disables a webhook after that many failed attempts in
	// a row (0: never).
	FailureLimit int
	// Mailer sends the email messages; without one they fail and retry.
	Mailer assent.Mailer
}

// NewWorker returns a worker with the production settings.
func NewWorker(outbox assent.OutboxService, client *http.Client, logger *slog.Logger) *Worker {
	return &Worker{Outbox: outbox, Client: client, Logger: logger, Batch: 64, Lease: 2 * time.Minute, Poll: 250 * time.Millisecond,
		MaxAttempts: 10, BaseBackoff: 5 * time.Second, MaxBackoff: time.Hour, FailureLimit: 50}
}

// NewClient returns the HTTP client for webhooks: a 10 s bound per
// request, and, unless allowPrivate, no connection to loopback, private
// or link-local addresses, checked on the address actually dialled so
// that DNS cannot point a public name at an internal service.
func NewClient(allowPrivate bool) *http.Client {
	dialer := &net.Dialer{Timeout: 5 * time.Second}
	if !allowPrivate {
		dialer.Control = func(network, address string, _ syscall.RawConn) error {
			host, _, err := net.SplitHostPort(address)
			if err != nil {
				return err
			}
			if ip := net.ParseIP(host); ip == nil || assent.IsPrivateIP(ip) {
				return fmt.Errorf("refusing to connect to %s: a private or loopback address", host)
			}
			return nil
		}
	}
	// As many idle connections per host as a round sends at once.
	transport := &http.Transport{DialContext: dialer.DialContext, MaxIdleConnsPerHost: 64, IdleConnTimeout: 90 * time.Second,
		TLSHandshakeTimeout: 5 * time.Second, ResponseHeaderTimeout: 10 * time.Second}
	return &http.Client{Transport: transport, Timeout: 10 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
}

// Run delivers until ctx ends. Messages in flight when it ends keep their
// lease and are delivered again later: at least once.
func (w *Worker) Run(ctx context.Context) {
	for ctx.Err() == nil {
		n, err := w.Round(ctx)
		if err != nil && ctx.Err() == nil {
			w.Logger.Error("outbox", "err", err)
		}
		if n == 0 || err != nil {
			select {
			case <-ctx.Done():
			case <-time.After(w.Poll):
			}
		}
	}
}

// Round takes one batch and delivers it, all at once; it returns how many
// messages it took.
func (w *Worker) Round(ctx context.Context) (int, error) {
	msgs, err := w.Outbox.ClaimMessages(ctx, w.Batch, w.Lease)
	if err != nil {
		return 0, err
	}
	results := make([]assent.MessageResult, len(msgs))
	var wg sync.WaitGroup
	for i, m := range msgs {
		wg.Go(func() { results[i] = w.deliver(ctx, m) })
	}
	wg.Wait()
	if ctx.Err() != nil {
		return len(msgs), nil // stopped: the leases give the messages back
	}
	if err := w.Outbox.CompleteMessages(context.WithoutCancel(ctx), results, w.FailureLimit); err != nil {
		return len(msgs), fmt.Errorf("record deliveries: %w", err)
	}
	return len(msgs), nil
}

func (w *Worker) deliver(ctx context.Context, m *assent.OutboxMessage) assent.MessageResult {
	start := time.Now()
	var status int
	var err error
	if m.Kind == "email" {
		err = w.mail(ctx, m)
		if err == nil {
			status = 250 // SMTP's "completed"
		}
	} else {
		status, err = w.post(ctx, m, start)
	}
	a := assent.DeliveryAttempt{Time: start, StatusCode: status, DurationMS: time.Since(start).Milliseconds()}
	ok := err == nil && (status >= 200 && status < 300 || m.Kind == "email")
	if err != nil {
		a.Error = err.Error()
	} else if !ok {
		a.Error = fmt.Sprintf("answered %d", status)
	}
	r := assent.MessageResult{Message: m, Attempt: a, OK: ok}
	if !ok && m.Attempts < w.MaxAttempts {
		t := time.Now().Add(w.backoff(m.Attempts))
		r.RetryAt = &t
	}
	return r
}

// mail sends an email message.
func (w *Worker) mail(ctx context.Context, m *assent.OutboxMessage) error {
	if w.Mailer == nil {
		return errors.New("email is not configured")
	}
	var msg assent.EmailMessage
	if err := json.Unmarshal(m.Payload, &msg); err != nil {
		return fmt.Errorf("email message: %w", err)
	}
	return w.Mailer.Send(ctx, &msg)
}

func (w *Worker) post(ctx context.Context, m *assent.OutboxMessage, now time.Time) (int, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, m.URL, bytes.NewReader(m.Payload))
	if err != nil {
		return 0, err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "Assent-Webhooks/1")
	req.Header.Set("webhook-id", m.ID)
	req.Header.Set("webhook-timestamp", fmt.Sprint(now.Unix()))
	req.Header.Set("webhook-signature", Sign(m.Secret, m.ID, now, m.Payload))
	resp, err := w.Client.Do(req)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	return resp.StatusCode, nil
}

// backoff is the wait after attempt n (1-based): BaseBackoff doubled each
// time, capped, with up to a quarter of jitter so that retries spread.
func (w *Worker) backoff(n int) time.Duration {
	d := w.BaseBackoff << min(n-1, 20)
	if d > w.MaxBackoff || d <= 0 {
		d = w.MaxBackoff
	}
	return d - time.Duration(rand.Int64N(int64(d)/4+1))
}
