// Command assent-load drives a running assent server over HTTP with
// concurrent clients for a while, one named scenario at a time, and reports
// throughput and p50/p90/p99 latency. It is meant for a local server.
//
//	assent-load --list
//	ASSENT_ADMIN_PASSWORD=... assent-load --scenario me --clients 32 --duration 10s
//
// It exits 1 when the server cannot be used or more than 1% of the measured
// requests fail, and 2 on bad flags.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
	"time"
)

// main wires the process to runMain; an interrupt ends the run early and
// still prints what was measured.
func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := runMain(ctx, os.Args[1:], os.Getenv, os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// config is what the flags and ASSENT_* variables say.
type config struct {
	server, token, username, password, scenario string
	clients, maxRequests                        int
	duration, warmup, timeout                   time.Duration
	list, json                                  bool
}

// parseFlags declares every flag with its environment variable in one place.
// Flag parse errors are printed by the flag package.
func parseFlags(args []string, getenv func(string) string, stderr io.Writer) (config, error) {
	var c config
	fs := flag.NewFlagSet("assent-load", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&c.server, "server", envOr(getenv, "ASSENT_SERVER", "http://127.0.0.1:8080"), "server base `URL` (ASSENT_SERVER)")
	fs.StringVar(&c.token, "token", "", "API `token` to send (ASSENT_TOKEN); without it one is minted with --username and --password")
	fs.StringVar(&c.username, "username", envOr(getenv, "ASSENT_LOAD_USERNAME", "admin"), "user to mint a token for (ASSENT_LOAD_USERNAME)")
	fs.StringVar(&c.password, "password", "", "password of --username (ASSENT_ADMIN_PASSWORD)")
	fs.StringVar(&c.scenario, "scenario", "me", "scenario to run; see --list")
	fs.BoolVar(&c.list, "list", false, "list the scenarios and exit")
	fs.IntVar(&c.clients, "clients", 32, "concurrent clients, each with one request in flight")
	fs.DurationVar(&c.duration, "duration", 10*time.Second, "how long to measure")
	fs.DurationVar(&c.warmup, "warmup", 2*time.Second, "how long to load the server before measuring")
	fs.IntVar(&c.maxRequests, "max-requests", 0, "stop after this many measured requests (0: no bound)")
	fs.DurationVar(&c.timeout, "timeout", 10*time.Second, "longest wait for one request")
	fs.BoolVar(&c.json, "json", false, "also print the result as one JSON object on stdout (the text goes to stderr)")
	if err := fs.Parse(args); err != nil {
		return c, err
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "assent-load: unexpected arguments %q\n", fs.Args())
		return c, errors.New("unexpected arguments")
	}
	// Secrets come from the environment only after parsing, so that -h
	// never prints them as defaults.
	if c.token == "" {
		c.token = getenv("ASSENT_TOKEN")
	}
	if c.password == "" {
		c.password = getenv("ASSENT_ADMIN_PASSWORD")
	}
	return c, nil
}

// envOr returns the variable name, or def when it is unset or empty.
func envOr(getenv func(string) string, name, def string) string {
	if v := getenv(name); v != "" {
		return v
	}
	return def
}

// validate rejects settings that would make a run meaningless or endless.
func (c config) validate() error {
	switch {
	case c.clients < 1:
		return errors.New("--clients must be at least 1")
	case c.duration <= 0:
		return errors.New("--duration must be positive")
	case c.warmup < 0:
		return errors.New("--warmup must not be negative")
	case c.maxRequests < 0:
		return errors.New("--max-requests must not be negative")
	case c.timeout <= 0:
		return errors.New("--timeout must be positive")
	}
	return nil
}

// runMain is the whole program with its surroundings passed in, so that tests
// run it as a user would. It returns the exit code.
func runMain(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) int {
	cfg, err := parseFlags(args, getenv, stderr)
	if errors.Is(err, flag.ErrHelp) {
		return 0
	} else if err != nil {
		return 2
	}
	if cfg.list {
		listScenarios(stdout)
		return 0
	}
	sc, ok := findScenario(cfg.scenario)
	if !ok {
		err = fmt.Errorf("unknown scenario %q; see --list", cfg.scenario)
	} else {
		err = cfg.validate()
	}
	if err != nil {
		fmt.Fprintln(stderr, "assent-load:", err)
		return 2
	}
	c, err := newClient(cfg.server, cfg.clients, cfg.timeout)
	if err != nil {
		fmt.Fprintln(stderr, "assent-load:", err)
		return 2
	}
	if err := prepare(ctx, c, cfg, sc); err != nil {
		fmt.Fprintln(stderr, "assent-load:", err)
		return 1
	}

	text := stdout
	if cfg.json {
		text = stderr // keep stdout one JSON object for scripts
	}
	p := plan{clients: cfg.clients, warmup: cfg.warmup, duration: cfg.duration, maxRequests: cfg.maxRequests}
	writeHeader(text, sc.name, p)
	s := summarize(sc.name, p, runLoad(ctx, c, sc, p))
	s.writeText(text)
	if cfg.json {
		if err := json.NewEncoder(stdout).Encode(s); err != nil {
			fmt.Fprintln(stderr, "assent-load:", err)
			return 1
		}
	}
	if !s.ok() {
		if s.Requests == 0 {
			fmt.Fprintln(stderr, "assent-load: failed: no request was measured")
		} else {
			fmt.Fprintf(stderr, "assent-load: failed: %d errors in %d requests is more than %.0f%%\n",
				s.Errors, s.Requests, maxErrorRate*100)
		}
		return 1
	}
	return 0
}

// prepare gets a token and checks it, and the server, before the warm-up, so
// that a wrong address or password fails at once rather than as a run of
// errors.
func prepare(ctx context.Context, c *client, cfg config, sc scenario) error {
	if cfg.token != "" {
		c.token = cfg.token
	} else if cfg.password == "" {
		return errors.New("no credentials: set --token (ASSENT_TOKEN) or --password (ASSENT_ADMIN_PASSWORD)")
	} else if err := c.login(ctx, cfg.username, cfg.password); err != nil {
		return fmt.Errorf("minting a token at %s: %w", cfg.server, err)
	}
	if err := c.get(ctx, "/api/v1/me"); err != nil {
		return fmt.Errorf("checking the token at %s: %w", cfg.server, err)
	}
	if sc.setup != nil {
		if err := sc.setup(ctx, c); err != nil {
			return fmt.Errorf("setting up scenario %s: %w", sc.name, err)
		}
	}
	return nil
}
