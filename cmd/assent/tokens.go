package main

import (
	"context"
	"fmt"
	"time"

	"github.com/urfave/cli/v3"

	"assent"
	"assent/sqldb"
)

func (m *Main) tokensCommand() *cli.Command {
	return &cli.Command{
		Name:  "tokens",
		Usage: "manage API tokens",
		Commands: []*cli.Command{
			{
				Name:  "create",
				Usage: "create an API token for a user and print it (shown once)",
				Flags: []cli.Flag{
					&cli.StringFlag{Name: "user", Required: true, Usage: "owner of the token"},
					&cli.StringFlag{Name: "name", Value: "cli", Usage: "what the token is for"},
					&cli.StringFlag{Name: "expires", Usage: "lifetime such as 30d, 12h; none by default"},
				},
				Action: m.offline(m.runTokensCreate),
			},
		},
	}
}

func (m *Main) runTokensCreate(ctx context.Context, cmd *cli.Command, db *sqldb.DB) error {
	lifetime, err := assent.ParseExpiry(cmd.String("expires"))
	if err != nil {
		return err
	}
	n := assent.NewToken{Username: cmd.String("user"), Name: cmd.String("name")}
	if lifetime > 0 {
		at := db.Now().Add(lifetime).UTC().Truncate(time.Millisecond)
		n.ExpiresAt = &at
	}
	t, secret, err := sqldb.NewTokenService(db).CreateToken(ctx, n)
	if err != nil {
		return err
	}
	expiry := "never expires"
	if t.ExpiresAt != nil {
		expiry = "expires " + t.ExpiresAt.Format(time.RFC3339)
	}
	// The secret goes alone on stdout so that scripts can capture it.
	fmt.Fprintf(m.Stderr, "token %s for %s (%s); it is shown only now\n", t.ID, t.Username, expiry)
	_, err = fmt.Fprintln(m.Stdout, secret)
	return err
}
