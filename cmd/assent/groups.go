package main

import (
	"context"
	"fmt"
	"strings"
	"text/tabwriter"

	"github.com/urfave/cli/v3"

	"assent/sqldb"
)

func (m *Main) groupsCommand() *cli.Command {
	return &cli.Command{
		Name:  "groups",
		Usage: "manage groups of users",
		Commands: []*cli.Command{
			{
				Name: "create", Usage: "create a group", ArgsUsage: "NAME",
				Flags:  []cli.Flag{&cli.StringFlag{Name: "description"}},
				Action: m.offline(m.runGroupsCreate),
			},
			{Name: "add", Usage: "add users to a group", ArgsUsage: "NAME USERNAME...", Action: m.offline(m.runGroupsAdd)},
			{Name: "remove", Usage: "remove a user from a group", ArgsUsage: "NAME USERNAME", Action: m.offline(m.runGroupsRemove)},
			{Name: "list", Usage: "list groups and their members", Action: m.offline(m.runGroupsList)},
		},
	}
}

func (m *Main) runGroupsCreate(ctx context.Context, cmd *cli.Command, db *sqldb.DB) error {
	a, err := args(cmd, 1)
	if err != nil {
		return err
	}
	g, err := sqldb.NewGroupService(db).CreateGroup(ctx, a[0], cmd.String("description"))
	if err != nil {
		return err
	}
	_, err = fmt.Fprintf(m.Stdout, "created group %s\n", g.Name)
	return err
}

func (m *Main) runGroupsAdd(ctx context.Context, cmd *cli.Command, db *sqldb.DB) error {
	if cmd.NArg() < 2 {
		return fmt.Errorf("usage: assent groups add NAME USERNAME...")
	}
	groups := sqldb.NewGroupService(db)
	name := cmd.Args().First()
	for _, u := range cmd.Args().Tail() {
		if _, err := groups.AddGroupMember(ctx, name, u); err != nil {
			return err
		}
	}
	_, err := fmt.Fprintf(m.Stdout, "added %s to %s\n", strings.Join(cmd.Args().Tail(), ", "), name)
	return err
}

func (m *Main) runGroupsRemove(ctx context.Context, cmd *cli.Command, db *sqldb.DB) error {
	a, err := args(cmd, 2)
	if err != nil {
		return err
	}
	if _, err := sqldb.NewGroupService(db).RemoveGroupMember(ctx, a[0], a[1]); err != nil {
		return err
	}
	_, err = fmt.Fprintf(m.Stdout, "removed %s from %s\n", a[1], a[0])
	return err
}

func (m *Main) runGroupsList(ctx context.Context, cmd *cli.Command, db *sqldb.DB) error {
	groups, err := sqldb.NewGroupService(db).FindGroups(ctx)
	if err != nil {
		return err
	}
	tw := tabwriter.NewWriter(m.Stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "GROUP\tMEMBERS\tDESCRIPTION")
	for _, g := range groups {
		fmt.Fprintf(tw, "%s\t%s\t%s\n", g.Name, strings.Join(g.Members, ","), g.Description)
	}
	return tw.Flush()
}
