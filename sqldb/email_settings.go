package sqldb

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net"
	"net/mail"
	"regexp"
	"strings"

	"assent"
)

// EmailSettingsService implements assent.EmailSettingsService, and gives
// the mailer the password through EmailSettingsWithPassword.
type EmailSettingsService struct{ db *DB }

// NewEmailSettingsService returns the email settings service of db.
func NewEmailSettingsService(db *DB) *EmailSettingsService { return &EmailSettingsService{db: db} }

var _ assent.EmailSettingsService = (*EmailSettingsService)(nil)

// TLS modes of the SMTP connection.
const (
	emailTLSNone     = "none"
	emailTLSStart    = "starttls"
	emailTLSImplicit = "tls"
)

// defaultEmailSettings are the settings before an admin saves any.
func defaultEmailSettings() *assent.EmailSettings {
	return &assent.EmailSettings{TLS: emailTLSStart, Port: 587}
}

// findEmailSettings returns the stored settings with the password, or the
// defaults when none were saved.
func findEmailSettings(ctx context.Context, q queryer) (*assent.EmailSettings, error) {
	var s assent.EmailSettings
	err := q.QueryRowContext(ctx, `SELECT enabled, host, port, tls, username, password, sender FROM email_settings WHERE id = 1`).
		Scan(&s.Enabled, &s.Host, &s.Port, &s.TLS, &s.Username, &s.Password, &s.Sender)
	if errors.Is(err, sql.ErrNoRows) {
		return defaultEmailSettings(), nil
	} else if err != nil {
		return nil, fmt.Errorf("find email settings: %w", err)
	}
	s.PasswordSet = s.Password != ""
	return &s, nil
}

// withoutPassword is what callers other than the mailer see.
func withoutPassword(s *assent.EmailSettings) *assent.EmailSettings {
	out := *s
	out.Password = ""
	return &out
}

// FindEmailSettings returns the settings without the password. Admins.
func (s *EmailSettingsService) FindEmailSettings(ctx context.Context) (*assent.EmailSettings, error) {
	if _, err := assent.RequireRole(ctx, assent.RoleAdmin); err != nil {
		return nil, err
	}
	set, err := findEmailSettings(ctx, s.db.read)
	if err != nil {
		return nil, err
	}
	return withoutPassword(set), nil
}

// EmailSettingsWithPassword returns the settings with the password, for
// the mailer only: it is not part of the API and checks no role, since
// the outbox worker sends on nobody's behalf.
func (s *EmailSettingsService) EmailSettingsWithPassword(ctx context.Context) (*assent.EmailSettings, error) {
	return findEmailSettings(ctx, s.db.read)
}

// PutEmailSettings replaces the settings. An empty password keeps the
// stored one; an empty username drops it (a password alone is useless).
// An empty TLS mode is starttls and port 0 the mode's usual port.
// EINVALID naming host, port, tls, username, password or sender.
func (s *EmailSettingsService) PutEmailSettings(ctx context.Context, in assent.EmailSettings) (*assent.EmailSettings, error) {
	if _, err := assent.RequireRole(ctx, assent.RoleAdmin); err != nil {
		return nil, err
	}
	in.Host, in.Username, in.Sender = strings.TrimSpace(in.Host), strings.TrimSpace(in.Username), strings.TrimSpace(in.Sender)
	if in.TLS == "" {
		in.TLS = emailTLSStart
	}
	if in.Port == 0 {
		in.Port = map[string]int{emailTLSNone: 25, emailTLSStart: 587, emailTLSImplicit: 465}[in.TLS]
	}
	if err := checkEmailSettings(&in); err != nil {
		return nil, err
	}
	var out *assent.EmailSettings
	err := s.db.inTx(ctx, func(tx *Tx) error {
		old, err := findEmailSettings(ctx, tx)
		if err != nil {
			return err
		}
		if in.Password == "" {
			in.Password = old.Password
		}
		if in.Username == "" {
			in.Password = ""
		}
		in.PasswordSet = in.Password != ""
		before, after := map[string]any{}, map[string]any{}
		diff := func(name string, was, now any) {
			if was != now {
				before[name], after[name] = was, now
			}
		}
		diff("enabled", old.Enabled, in.Enabled)
		diff("host", old.Host, in.Host)
		diff("port", old.Port, in.Port)
		diff("tls", old.TLS, in.TLS)
		diff("username", old.Username, in.Username)
		diff("sender", old.Sender, in.Sender)
		// The password itself is never recorded: only that it changed.
		if in.Password != old.Password {
			before["password_set"], after["password_set"] = old.PasswordSet, in.PasswordSet
			if old.PasswordSet && in.PasswordSet {
				after["password_changed"] = true
			}
		}
		out = withoutPassword(&in)
		if len(after) == 0 {
			return nil
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO email_settings (id, enabled, host, port, tls, username, password, sender, updated_at, updated_by)
			VALUES (1, $1, $2, $3, $4, $5, $6, $7, $8, $9)
			ON CONFLICT (id) DO UPDATE SET enabled = excluded.enabled, host = excluded.host, port = excluded.port, tls = excluded.tls,
				username = excluded.username, password = excluded.password, sender = excluded.sender,
				updated_at = excluded.updated_at, updated_by = excluded.updated_by`,
			in.Enabled, in.Host, in.Port, in.TLS, in.Username, in.Password, in.Sender, ms(tx.now), tx.actor); err != nil {
			return fmt.Errorf("save email settings: %w", err)
		}
		tx.record("email_settings", "instance", "email_settings.update", before, after)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// hostName is a DNS name: dot-separated labels of letters, digits and
// inner hyphens.
var hostName = regexp.MustCompile(`^[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*\.?$`)

// checkEmailSettings names each bad setting. Host and sender may be empty
// while email is disabled, so that an admin can save as they go.
func checkEmailSettings(s *assent.EmailSettings) error {
	var p assent.Problems
	switch {
	case s.Host == "" && s.Enabled:
		p.Add("host", "the SMTP server's name or address is needed to send email")
	case s.Host == "":
	case len(s.Host) > 253 || (net.ParseIP(strings.Trim(s.Host, "[]")) == nil && !hostName.MatchString(s.Host)):
		p.Add("host", "must be a host name or an IP address, without scheme or port (smtp.example.com)")
	}
	if s.Port < 1 || s.Port > 65535 {
		p.Add("port", "must be between 1 and 65535")
	}
	switch s.TLS {
	case emailTLSNone, emailTLSStart, emailTLSImplicit:
	default:
		p.Add("tls", "must be none, starttls or tls")
	}
	if len(s.Username) > 200 {
		p.Add("username", "must be at most 200 characters")
	}
	switch {
	case len(s.Password) > 500:
		p.Add("password", "must be at most 500 characters")
	case s.Password != "" && s.Username == "":
		p.Add("password", "a password needs the username it belongs to")
	}
	switch {
	case s.Sender == "" && s.Enabled:
		p.Add("sender", "the From address is needed to send email")
	case s.Sender == "":
	case len(s.Sender) > 320:
		p.Add("sender", "must be at most 320 characters")
	default:
		if _, err := mail.ParseAddress(s.Sender); err != nil {
			p.Add("sender", "must be an email address (assent@example.com or Assent <assent@example.com>)")
		}
	}
	return p.Err()
}
