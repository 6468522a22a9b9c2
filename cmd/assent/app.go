package main

import (
	"context"
	"fmt"
	"runtime/debug"

	"github.com/urfave/cli/v3"
)

// version is set at build time with -ldflags "-X main.version=v1.2.3".
var version = "dev"

// buildVersion adds the commit the binary was built from, when known.
func buildVersion() string {
	v := version
	if info, ok := debug.ReadBuildInfo(); ok {
		for _, s := range info.Settings {
			if s.Key == "vcs.revision" && len(s.Value) >= 12 {
				v += " (" + s.Value[:12] + ")"
			}
		}
	}
	return v
}

// command is the whole command tree.
func (m *Main) command() *cli.Command {
	return &cli.Command{
		Name:      "assent",
		Usage:     "governance for machine learning: inventory, workflows, sign-offs, metrics and deployment gates",
		Version:   buildVersion(),
		Reader:    m.Stdin,
		Writer:    m.Stdout,
		ErrWriter: m.Stderr,
		Flags:     fresh(globalFlags),
		// Errors are printed once, by main, with their details.
		ExitErrHandler: func(context.Context, *cli.Command, error) {},
		Commands: []*cli.Command{
			m.serveCommand(),
			{
				Name:   "migrate",
				Usage:  "apply database migrations and exit",
				Action: m.offline(runMigrate),
			},
			m.usersCommand(),
			m.groupsCommand(),
			m.tokensCommand(),
			m.templatesCommand(),
			m.auditCommand(),
			m.pushCommand(),
			m.checkDeployCommand(),
			m.backupCommand(),
			m.restoreCommand(),
			{
				Name:  "version",
				Usage: "print the version",
				Action: func(ctx context.Context, cmd *cli.Command) error {
					_, err := fmt.Fprintln(m.Stdout, "assent", buildVersion())
					return err
				},
			},
		},
	}
}
