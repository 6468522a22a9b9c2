package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"strings"
	"time"

	"github.com/urfave/cli/v3"

	"assent"
)

// maxPushBytes bounds a batch file; the server takes less (a batch of
// assent.MaxSyncItems items), so a larger file is refused before sending.
const maxPushBytes = 64 << 20

// pushTimeout bounds one push: a batch of 10,000 items takes seconds.
const pushTimeout = 5 * time.Minute

func (m *Main) pushCommand() *cli.Command {
	return &cli.Command{
		Name:      "push",
		Usage:     "send one sync batch of a source's objects to a running server",
		ArgsUsage: "FILE|-",
		Description: "FILE (- for standard input) holds one batch as POST /api/v1/sources/{source}/sync takes it:\n" +
			`{"items":[{"kind":"project","key":"P1","name":"…","attributes":{…}}, …], "run":"…", "final":true}` + "\n" +
			"The source must be registered first (PUT /api/v1/sources/{source}, admins).",
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "server", Value: "http://localhost:8080", Sources: cli.EnvVars("ASSENT_SERVER"),
				Usage: "base URL of the Assent server"},
			&cli.StringFlag{Name: "token", Sources: cli.EnvVars("ASSENT_TOKEN"), Required: true,
				Usage: "API token (prefer the variable: a flag shows in the process list)"},
			&cli.StringFlag{Name: "source", Sources: cli.EnvVars("ASSENT_SOURCE"), Required: true,
				Usage: "id of the source the objects belong to"},
			&cli.BoolFlag{Name: "json", Usage: "print the server's whole answer, with the id of every key"},
		},
		Action: m.runPush,
	}
}

func (m *Main) runPush(ctx context.Context, cmd *cli.Command) error {
	a, err := args(cmd, 1)
	if err != nil {
		return err
	}
	base, err := serverURL(cmd.String("server"))
	if err != nil {
		return err
	}
	token, source := cmd.String("token"), cmd.String("source")
	if token == "" || source == "" { // a variable set but empty passes Required
		return errors.New("push needs a token (--token or ASSENT_TOKEN) and a source (--source or ASSENT_SOURCE)")
	}
	batch, err := m.readBatch(a[0])
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(ctx, pushTimeout)
	defer cancel()
	status, body, err := postJSON(ctx, base, "/api/v1/sources/"+url.PathEscape(source)+"/sync", token, "assent-push", batch, maxPushBytes)
	if err != nil {
		return fmt.Errorf("push to %w", err)
	}
	if status < 200 || status > 299 {
		return problem("push", status, body)
	}
	if cmd.Bool("json") {
		var out bytes.Buffer
		if err := json.Indent(&out, body, "", "  "); err != nil {
			return fmt.Errorf("push: the server answered something that is not JSON: %w", err)
		}
		out.WriteByte('\n')
		_, err = m.Stdout.Write(out.Bytes())
		return err
	}
	var res assent.SyncResult
	if err := json.Unmarshal(body, &res); err != nil {
		return fmt.Errorf("push: the server answered something that is not a sync result: %w", err)
	}
	_, err = fmt.Fprintf(m.Stdout, "created %d, updated %d, unchanged %d, deleted %d, governed %d\n",
		res.Created, res.Updated, res.Unchanged, res.Deleted, res.Governed)
	return err
}

// serverURL checks a server address and drops its trailing slash.
func serverURL(s string) (string, error) {
	u, err := url.Parse(s)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return "", fmt.Errorf("--server %q: want a URL such as http://localhost:8080", s)
	}
	return strings.TrimRight(s, "/"), nil
}

// readBatch reads a batch file, or standard input for "-", refusing one
// over maxPushBytes or one that is not JSON before anything is sent.
func (m *Main) readBatch(name string) ([]byte, error) {
	r, what := m.Stdin, "standard input"
	if name != "-" {
		f, err := os.Open(name)
		if err != nil {
			return nil, err
		}
		defer f.Close()
		if fi, err := f.Stat(); err != nil {
			return nil, err
		} else if fi.Size() > maxPushBytes {
			return nil, fmt.Errorf("%s is %d MiB; a batch file holds at most %d MiB: split it into several batches with a run", name, fi.Size()>>20, maxPushBytes>>20)
		}
		r, what = f, name
	}
	data, err := io.ReadAll(io.LimitReader(r, maxPushBytes+1))
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", what, err)
	}
	if len(data) > maxPushBytes {
		return nil, fmt.Errorf("%s holds more than %d MiB; a batch holds at most %d MiB: split it into several batches with a run", what, maxPushBytes>>20, maxPushBytes>>20)
	}
	var probe struct{}
	if err := json.Unmarshal(data, &probe); err != nil {
		return nil, fmt.Errorf("%s is not a JSON object: %w", what, err)
	}
	return data, nil
}

// problem describes an error answer to a command: its detail and every
// input at fault, one per line.
func problem(command string, status int, body []byte) error {
	var p struct {
		Title  string               `json:"title"`
		Detail string               `json:"detail"`
		Errors []assent.ErrorDetail `json:"errors"`
	}
	var sb strings.Builder
	fmt.Fprintf(&sb, "%s refused: %d %s", command, status, http.StatusText(status))
	if json.Unmarshal(body, &p) == nil && (p.Detail != "" || len(p.Errors) > 0) {
		if p.Detail != "" {
			sb.WriteString(": " + p.Detail)
		}
		for _, e := range p.Errors {
			fmt.Fprintf(&sb, "\n  %s: %s", e.Location, e.Message)
		}
	} else if s := strings.Join(strings.Fields(string(body)), " "); s != "" {
		if len(s) > 200 {
			s = s[:200] + "…"
		}
		sb.WriteString(": " + s)
	}
	return errors.New(sb.String())
}
