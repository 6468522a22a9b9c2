package assent

import "context"

// EmailMessage is one notification mail, as the outbox keeps it: who gets
// it and what happened, not yet rendered.
type EmailMessage struct {
	To     string `json:"to"`      // address
	ToName string `json:"to_name"` // display name or username
	// Action is the event's action ("signoff.request-feedback"), Actor who
	// did it, Summary one line saying what happened.
	Action   string `json:"action"`
	Actor    string `json:"actor"`
	Summary  string `json:"summary"`
	ItemID   string `json:"item_id"`
	ItemName string `json:"item_name"`
	Step     string `json:"step,omitempty"`
	StepName string `json:"step_name,omitempty"`
	Comment  string `json:"comment,omitempty"`
	// Link opens the item (at the step); Unsubscribe stops mail about it.
	Link        string `json:"link"`
	Unsubscribe string `json:"unsubscribe"`
}

// Mailer sends one notification mail: a plain text and an HTML part.
type Mailer interface {
	Send(ctx context.Context, m *EmailMessage) error
}

// EmailSettings is how Assent reaches its SMTP server.
type EmailSettings struct {
	Enabled bool   `json:"enabled"`
	Host    string `json:"host"`
	Port    int    `json:"port"`
	// TLS is "none", "starttls" (the default) or "tls" (implicit, port 465).
	TLS      string `json:"tls"`
	Username string `json:"username"`
	// Password is write-only: it is never shown back; PasswordSet says
	// whether one is stored.
	Password    string `json:"password,omitempty"`
	PasswordSet bool   `json:"password_set"`
	Sender      string `json:"sender"` // From: address
}

// EmailSettingsService keeps the SMTP settings. Admins.
type EmailSettingsService interface {
	// FindEmailSettings returns the settings without the password.
	FindEmailSettings(ctx context.Context) (*EmailSettings, error)
	// PutEmailSettings replaces them; an empty password keeps the stored
	// one. EINVALID naming host, port, tls or sender.
	PutEmailSettings(ctx context.Context, s EmailSettings) (*EmailSettings, error)
}

// SubscriptionService keeps who follows an item. Following a project
// covers its children (models, versions, bundles).
type SubscriptionService interface {
	// Subscribe makes the caller (or, for admins, username) follow an item.
	Subscribe(ctx context.Context, item string) error
	// Unsubscribe stops it.
	Unsubscribe(ctx context.Context, item string) error
	// IsSubscribed reports whether the caller follows the item, directly
	// or through an ancestor.
	IsSubscribed(ctx context.Context, item string) (bool, error)
}
