package main

import (
	"context"
	"fmt"

	"github.com/urfave/cli/v3"

	"assent"
	"assent/sqldb"
)

// The SMTP flags set the email settings at start, for deployments that
// configure by environment; without --smtp-host the admin email page
// decides.
var (
	smtpHostFlag = &cli.StringFlag{Name: "smtp-host", Sources: cli.EnvVars("ASSENT_SMTP_HOST"),
		Usage: "SMTP server for notification mail; when set, the settings below replace those of the admin email page at start"}
	smtpPortFlag     = &cli.IntFlag{Name: "smtp-port", Sources: cli.EnvVars("ASSENT_SMTP_PORT"), Usage: "SMTP port (0: the TLS mode's usual port)"}
	smtpTLSFlag      = &cli.StringFlag{Name: "smtp-tls", Value: "starttls", Sources: cli.EnvVars("ASSENT_SMTP_TLS"), Usage: "none, starttls or tls"}
	smtpUserFlag     = &cli.StringFlag{Name: "smtp-username", Sources: cli.EnvVars("ASSENT_SMTP_USERNAME"), Usage: "SMTP user (AUTH PLAIN)"}
	smtpPasswordFlag = &cli.StringFlag{Name: "smtp-password", Sources: cli.EnvVars("ASSENT_SMTP_PASSWORD"), Usage: "SMTP password (prefer the variable)"}
	smtpSenderFlag   = &cli.StringFlag{Name: "smtp-sender", Sources: cli.EnvVars("ASSENT_SMTP_SENDER"), Usage: "From: address of notification mail"}
)

var smtpFlags = []cli.Flag{smtpHostFlag, smtpPortFlag, smtpTLSFlag, smtpUserFlag, smtpPasswordFlag, smtpSenderFlag}

// applySMTPFlags stores the SMTP settings the flags give, if any; an
// unchanged setting writes nothing.
func applySMTPFlags(ctx context.Context, cmd *cli.Command, db *sqldb.DB) error {
	host := cmd.String(smtpHostFlag.Name)
	if host == "" {
		return nil
	}
	ctx = assent.NewContextWithUser(ctx, assent.SystemUser("config"))
	_, err := sqldb.NewEmailSettingsService(db).PutEmailSettings(ctx, assent.EmailSettings{Enabled: true, Host: host,
		Port: int(cmd.Int(smtpPortFlag.Name)), TLS: cmd.String(smtpTLSFlag.Name), Username: cmd.String(smtpUserFlag.Name),
		Password: cmd.String(smtpPasswordFlag.Name), Sender: cmd.String(smtpSenderFlag.Name)})
	if err != nil {
		return fmt.Errorf("SMTP settings from the flags: %s", assent.ErrorMessage(err))
	}
	return nil
}
