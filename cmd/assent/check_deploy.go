package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/urfave/cli/v3"

	"assent"
)

// The exit codes of check-deploy, for pipelines: anything else (1) means
// the check could not be made.
const (
	exitWarn  = 3
	exitBlock = 4
)

func (m *Main) checkDeployCommand() *cli.Command {
	return &cli.Command{
		Name:  "check-deploy",
		Usage: "ask a running server whether a model version or bundle may deploy to a target",
		Description: "Prints the decision and its reasons and exits 0 to allow, 3 to warn, 4 to block\n" +
			"(1 when the check could not be made). The check is recorded on the item's timeline.\n" +
			"Name the item by its governable id (--item) or by its source and key (--source, --key).",
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "server", Value: "http://localhost:8080", Sources: cli.EnvVars("ASSENT_SERVER"),
				Usage: "base URL of the Assent server"},
			&cli.StringFlag{Name: "token", Sources: cli.EnvVars("ASSENT_TOKEN"), Required: true,
				Usage: "API token (prefer the variable: a flag shows in the process list)"},
			&cli.StringFlag{Name: "target", Required: true, Usage: "name of the deployment target"},
			&cli.StringFlag{Name: "item", Usage: "governable id of the model version or bundle"},
			&cli.StringFlag{Name: "source", Sources: cli.EnvVars("ASSENT_SOURCE"), Usage: "source of the item, with --key"},
			&cli.StringFlag{Name: "key", Usage: "key of the item in its source, with --source"},
			&cli.BoolFlag{Name: "json", Usage: "print the server's whole answer"},
		},
		Action: m.runCheckDeploy,
	}
}

func (m *Main) runCheckDeploy(ctx context.Context, cmd *cli.Command) error {
	base, err := serverURL(cmd.String("server"))
	if err != nil {
		return err
	}
	req := assent.DeploymentCheckRequest{Target: cmd.String("target"), Item: cmd.String("item")}
	if req.Item == "" {
		req.Source, req.Key = cmd.String("source"), cmd.String("key")
		if req.Source == "" || req.Key == "" {
			return errors.New("check-deploy needs --item, or --source and --key")
		}
	}
	if cmd.String("token") == "" {
		return errors.New("check-deploy needs a token (--token or ASSENT_TOKEN)")
	}
	body, _ := json.Marshal(req)
	ctx, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	status, answer, err := postJSON(ctx, base, "/api/v1/deployment-checks", cmd.String("token"), "assent-check-deploy", body, 1<<20)
	if err != nil {
		return fmt.Errorf("check-deploy at %w", err)
	}
	if status != 200 {
		return problem("check-deploy", status, answer)
	}
	var c assent.DeploymentCheck
	if err := json.Unmarshal(answer, &c); err != nil {
		return fmt.Errorf("check-deploy: the server answered something that is not a check: %w", err)
	}
	if cmd.Bool("json") {
		var out bytes.Buffer
		_ = json.Indent(&out, answer, "", "  ")
		out.WriteByte('\n')
		if _, err := m.Stdout.Write(out.Bytes()); err != nil {
			return err
		}
	} else {
		fmt.Fprintf(m.Stdout, "%s: %s (policy %s, stage %s)\n", c.Decision, c.Target, c.Policy, c.Stage)
		for _, r := range c.Reasons {
			fmt.Fprintf(m.Stdout, "  %s %s: %s\n", r.Severity, r.Code, r.Message)
		}
	}
	switch c.Decision {
	case assent.DecisionAllow:
		return nil
	case assent.DecisionWarn:
		return &exitError{code: exitWarn, msg: "deployment check: warn"}
	default:
		return &exitError{code: exitBlock, msg: "deployment check: block"}
	}
}
