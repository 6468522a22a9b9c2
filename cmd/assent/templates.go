package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"text/tabwriter"

	"github.com/urfave/cli/v3"

	"assent"
	"assent/sqldb"
	"assent/templates"
)

func (m *Main) templatesCommand() *cli.Command {
	return &cli.Command{
		Name:  "templates",
		Usage: "validate, apply, export and list templates",
		Commands: []*cli.Command{
			{Name: "validate", Usage: "check a template file (YAML or JSON; - for stdin) against the stored templates", ArgsUsage: "FILE", Action: m.offline(m.runTemplatesValidate)},
			{
				Name: "apply", Usage: "add a template file as a new version", ArgsUsage: "FILE",
				Flags:  []cli.Flag{&cli.BoolFlag{Name: "activate", Usage: "make the new version active (otherwise it is a draft)"}},
				Action: m.offline(m.runTemplatesApply),
			},
			{
				Name: "export", Usage: "print a template version", ArgsUsage: "ID",
				Flags: []cli.Flag{
					&cli.IntFlag{Name: "version", Usage: "version to print (default: the newest active one)"},
					&cli.StringFlag{Name: "format", Value: "yaml", Usage: "yaml or json"},
				},
				Action: m.offline(m.runTemplatesExport),
			},
			{Name: "list", Usage: "list templates and their versions", Action: m.offline(m.runTemplatesList)},
		},
	}
}

// loadTemplateFile reads and validates a template file against the database's templates.
func (m *Main) loadTemplateFile(ctx context.Context, cmd *cli.Command, db *sqldb.DB) (*assent.Template, error) {
	a, err := args(cmd, 1)
	if err != nil {
		return nil, err
	}
	var data []byte
	if a[0] == "-" {
		data, err = io.ReadAll(io.LimitReader(m.Stdin, templates.MaxSize+1))
	} else {
		data, err = os.ReadFile(a[0])
	}
	if err != nil {
		return nil, err
	}
	tc, err := sqldb.NewTemplateService(db).TemplateContext(ctx)
	if err != nil {
		return nil, err
	}
	return templates.Load(data, tc)
}

func (m *Main) runTemplatesValidate(ctx context.Context, cmd *cli.Command, db *sqldb.DB) error {
	t, err := m.loadTemplateFile(ctx, cmd, db)
	if err != nil {
		return err
	}
	_, err = fmt.Fprintf(m.Stdout, "ok: %s defines %s items with %d fields and %d steps\n", t.ID, t.ItemType, len(t.Fields), len(t.Steps))
	return err
}

func (m *Main) runTemplatesApply(ctx context.Context, cmd *cli.Command, db *sqldb.DB) error {
	t, err := m.loadTemplateFile(ctx, cmd, db)
	if err != nil {
		return err
	}
	status := assent.TemplateDraft
	if cmd.Bool("activate") {
		status = assent.TemplateActive
	}
	v, err := sqldb.NewTemplateService(db).AddTemplateVersion(ctx, t, status)
	if err != nil {
		return err
	}
	_, err = fmt.Fprintf(m.Stdout, "added version %d of %s (%s)\n", v.Version, v.TemplateID, v.Status)
	return err
}

func (m *Main) runTemplatesExport(ctx context.Context, cmd *cli.Command, db *sqldb.DB) error {
	a, err := args(cmd, 1)
	if err != nil {
		return err
	}
	v, err := sqldb.NewTemplateService(db).FindTemplateVersion(ctx, a[0], int(cmd.Int("version")))
	if err != nil {
		return err
	}
	out, err := templates.Marshal(v.Definition, cmd.String("format"))
	if err != nil {
		return err
	}
	_, err = m.Stdout.Write(out)
	return err
}

func (m *Main) runTemplatesList(ctx context.Context, cmd *cli.Command, db *sqldb.DB) error {
	list, err := sqldb.NewTemplateService(db).FindTemplates(ctx)
	if err != nil {
		return err
	}
	tw := tabwriter.NewWriter(m.Stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "TEMPLATE\tITEM TYPE\tVERSION\tSTATUS\tITEMS\tNAME")
	for _, t := range list {
		for _, v := range t.Versions {
			fmt.Fprintf(tw, "%s\t%s\t%d\t%s\t%d\t%s\n", t.ID, t.ItemType, v.Version, v.Status, v.Items, t.Name)
		}
	}
	return tw.Flush()
}
