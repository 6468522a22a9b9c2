package assent

import (
	"context"
	"net"
	"net/url"
	"strings"
	"time"
)

// Webhook is an endpoint that hears about governance events: each event
// whose action matches one of EventTypes is posted to URL, signed with the
// secret in the Standard Webhooks format.
type Webhook struct {
	ID  string `json:"id"`
	URL string `json:"url"`
	// EventTypes are event actions ("signoff.approval"), prefixes ending
	// in ".*" ("signoff.*"), or "*" for every event.
	EventTypes []string `json:"event_types"`
	Enabled    bool     `json:"enabled"`
	// ConsecutiveFailures counts failed attempts since the last success;
	// the webhook is disabled when it reaches the server's limit.
	ConsecutiveFailures int       `json:"consecutive_failures"`
	CreatedAt           time.Time `json:"created_at"`
	CreatedBy           string    `json:"created_by"`
}

// NewWebhook is what creating a webhook takes; an empty secret gets a
// random one, shown once.
type NewWebhook struct {
	URL        string   `json:"url"`
	EventTypes []string `json:"event_types"`
	Secret     string   `json:"secret,omitempty"`
}

// WebhookUpdate changes what it sets.
type WebhookUpdate struct {
	URL        *string  `json:"url,omitempty"`
	EventTypes []string `json:"event_types,omitempty"`
	Enabled    *bool    `json:"enabled,omitempty"`
}

// Matches reports whether the webhook wants events of action.
func (w *Webhook) Matches(action string) bool {
	for _, t := range w.EventTypes {
		if t == "*" || t == action || strings.HasSuffix(t, ".*") && strings.HasPrefix(action, strings.TrimSuffix(t, "*")) {
			return true
		}
	}
	return false
}

// CheckWebhookURL names what is wrong with a webhook address: not http(s),
// or (unless private addresses are allowed) a host that is or resolves to
// a loopback, private or link-local address.
func CheckWebhookURL(raw string, allowPrivate bool) error {
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Hostname() == "" || len(raw) > 2000 {
		return Invalid("url", "must be an http or https address of at most 2,000 characters")
	}
	if allowPrivate {
		return nil
	}
	ips, err := net.LookupIP(u.Hostname())
	if err != nil {
		return Invalid("url", "host %q does not resolve", u.Hostname())
	}
	for _, ip := range ips {
		if IsPrivateIP(ip) {
			return Invalid("url", "%s resolves to %s, a private or loopback address; an admin setting allows those", u.Hostname(), ip)
		}
	}
	return nil
}

// IsPrivateIP reports addresses a webhook must not reach by default.
func IsPrivateIP(ip net.IP) bool {
	return ip.IsLoopback() || ip.IsPrivate() || ip.IsLinkLocalUnicast() || ip.IsLinkLocalMulticast() || ip.IsUnspecified() || ip.IsMulticast()
}

// Delivery is one message to one webhook, delivered at least once.
type Delivery struct {
	// ID is the webhook-id header: the same on every attempt, so that the
	// receiver drops duplicates.
	ID          string     `json:"id"`
	Webhook     string     `json:"webhook"`
	EventType   string     `json:"event_type"`
	Status      string     `json:"status"` // pending, delivered, failed
	Attempts    int        `json:"attempts"`
	NextAttempt *time.Time `json:"next_attempt_at"`
	CreatedAt   time.Time  `json:"created_at"`
	DeliveredAt *time.Time `json:"delivered_at"`
	// Log holds every attempt, oldest first.
	Log []DeliveryAttempt `json:"log"`
}

// DeliveryAttempt is one try: the answer's status (0 when there was
// none), how long it took and what went wrong.
type DeliveryAttempt struct {
	Time       time.Time `json:"time"`
	StatusCode int       `json:"status_code"`
	DurationMS int64     `json:"duration_ms"`
	Error      string    `json:"error,omitempty"`
}

// WebhookService keeps webhooks and their deliveries. Admins.
type WebhookService interface {
	// CreateWebhook returns the webhook and its secret, shown once.
	// EINVALID naming url or event_types[i].
	CreateWebhook(ctx context.Context, n NewWebhook) (*Webhook, string, error)
	FindWebhooks(ctx context.Context) ([]*Webhook, error)
	FindWebhook(ctx context.Context, id string) (*Webhook, error)
	UpdateWebhook(ctx context.Context, id string, upd WebhookUpdate) (*Webhook, error)
	DeleteWebhook(ctx context.Context, id string) error
	// FindDeliveries lists a webhook's deliveries, newest first; "email"
	// instead of an id lists the mail sent, addressed in Webhook.
	FindDeliveries(ctx context.Context, webhook string, limit int, cursor string) ([]*Delivery, string, error)
}
