package main

import (
	"bufio"
	"context"
	"fmt"
	"strings"
	"text/tabwriter"

	"github.com/urfave/cli/v3"

	"assent"
	"assent/sqldb"
)

var passwordStdinFlag = &cli.BoolFlag{Name: "password-stdin", Usage: "read the password from the first line of standard input (otherwise one is generated and printed)"}

func (m *Main) usersCommand() *cli.Command {
	return &cli.Command{
		Name:  "users",
		Usage: "manage user accounts",
		Commands: []*cli.Command{
			{
				Name: "create", Usage: "create a user", ArgsUsage: "USERNAME",
				Flags: []cli.Flag{
					&cli.StringFlag{Name: "role", Value: "member", Usage: "admin, member or viewer"},
					&cli.StringFlag{Name: "display-name"},
					&cli.StringFlag{Name: "email"},
					passwordStdinFlag,
				},
				Action: m.offline(m.runUsersCreate),
			},
			{Name: "list", Usage: "list users", Action: m.offline(m.runUsersList)},
			{
				Name: "set-password", Usage: "set a user's password", ArgsUsage: "USERNAME",
				Flags:  fresh([]cli.Flag{passwordStdinFlag}),
				Action: m.offline(m.runUsersSetPassword),
			},
			{Name: "set-role", Usage: "change a user's role", ArgsUsage: "USERNAME ROLE", Action: m.offline(m.runUsersSetRole)},
			{Name: "disable", Usage: "disable a user; their tokens and sessions stop at once", ArgsUsage: "USERNAME", Action: m.offline(m.runUsersDisabled(true))},
			{Name: "enable", Usage: "enable a disabled user", ArgsUsage: "USERNAME", Action: m.offline(m.runUsersDisabled(false))},
		},
	}
}

// args returns exactly n positional arguments or a usage error.
func args(cmd *cli.Command, n int) ([]string, error) {
	if cmd.NArg() != n {
		return nil, fmt.Errorf("usage: %s %s", cmd.FullName(), cmd.ArgsUsage)
	}
	return cmd.Args().Slice(), nil
}

// password reads a password from stdin when asked, or makes one and says
// so; the second result is true when the password was generated.
func (m *Main) password(cmd *cli.Command) (string, bool, error) {
	if !cmd.Bool(passwordStdinFlag.Name) {
		return assent.RandomPassword(), true, nil
	}
	line, err := bufio.NewReader(m.Stdin).ReadString('\n')
	if err != nil && line == "" {
		return "", false, fmt.Errorf("read password from standard input: %w", err)
	}
	return strings.TrimRight(line, "\r\n"), false, nil
}

func (m *Main) runUsersCreate(ctx context.Context, cmd *cli.Command, db *sqldb.DB) error {
	a, err := args(cmd, 1)
	if err != nil {
		return err
	}
	pw, generated, err := m.password(cmd)
	if err != nil {
		return err
	}
	u, err := sqldb.NewUserService(db).CreateUser(ctx, assent.NewUser{
		Username: a[0], Role: assent.Role(cmd.String("role")), DisplayName: cmd.String("display-name"), Email: cmd.String("email"), Password: pw,
	})
	if err != nil {
		return err
	}
	fmt.Fprintf(m.Stdout, "created %s (%s)\n", u.Username, u.Role)
	if generated {
		fmt.Fprintf(m.Stdout, "password: %s\n", pw)
	}
	return nil
}

func (m *Main) runUsersList(ctx context.Context, cmd *cli.Command, db *sqldb.DB) error {
	users := sqldb.NewUserService(db)
	tw := tabwriter.NewWriter(m.Stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "USERNAME\tROLE\tDISABLED\tDISPLAY NAME\tEMAIL")
	cursor := ""
	for {
		page, next, err := users.FindUsers(ctx, assent.UserFilter{Limit: assent.MaxPageSize, Cursor: cursor})
		if err != nil {
			return err
		}
		for _, u := range page {
			fmt.Fprintf(tw, "%s\t%s\t%v\t%s\t%s\n", u.Username, u.Role, u.Disabled, u.DisplayName, u.Email)
		}
		if next == "" {
			return tw.Flush()
		}
		cursor = next
	}
}

func (m *Main) runUsersSetPassword(ctx context.Context, cmd *cli.Command, db *sqldb.DB) error {
	a, err := args(cmd, 1)
	if err != nil {
		return err
	}
	pw, generated, err := m.password(cmd)
	if err != nil {
		return err
	}
	if err := sqldb.NewUserService(db).SetPassword(ctx, a[0], pw); err != nil {
		return err
	}
	fmt.Fprintf(m.Stdout, "password of %s set\n", a[0])
	if generated {
		fmt.Fprintf(m.Stdout, "password: %s\n", pw)
	}
	return nil
}

func (m *Main) runUsersSetRole(ctx context.Context, cmd *cli.Command, db *sqldb.DB) error {
	a, err := args(cmd, 2)
	if err != nil {
		return err
	}
	role := assent.Role(a[1])
	u, err := sqldb.NewUserService(db).UpdateUser(ctx, a[0], assent.UserUpdate{Role: &role})
	if err != nil {
		return err
	}
	_, err = fmt.Fprintf(m.Stdout, "%s is now %s\n", u.Username, u.Role)
	return err
}

func (m *Main) runUsersDisabled(disabled bool) func(context.Context, *cli.Command, *sqldb.DB) error {
	return func(ctx context.Context, cmd *cli.Command, db *sqldb.DB) error {
		a, err := args(cmd, 1)
		if err != nil {
			return err
		}
		u, err := sqldb.NewUserService(db).UpdateUser(ctx, a[0], assent.UserUpdate{Disabled: &disabled})
		if err != nil {
			return err
		}
		state := "enabled"
		if u.Disabled {
			state = "disabled"
		}
		_, err = fmt.Fprintf(m.Stdout, "%s is %s\n", u.Username, state)
		return err
	}
}
