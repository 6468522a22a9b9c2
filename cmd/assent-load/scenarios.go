package main

import (
	"context"
	"fmt"
	"io"
)

// scenario is one named kind of load. Later issues add theirs to scenarios,
// one entry each, without touching the worker loop.
type scenario struct {
	name  string // what --scenario selects
	about string // one line for --list

	// setup runs once, after the token is known and before the warm-up,
	// to create whatever run needs (users, items). It may be nil.
	setup func(ctx context.Context, c *client) error

	// run issues one request (or one short exchange) and reports its
	// failure. worker is 0..clients-1 and i counts that worker's calls from
	// 0, so (worker, i) is unique within a run and can name created objects.
	// It is called from many goroutines at once.
	run func(ctx context.Context, c *client, worker, i int) error
}

// scenarios is the registry, in the order --list shows it.
var scenarios = []scenario{
	{
		name:  "me",
		about: "GET /api/v1/me: token authentication and the cheapest read",
		run: func(ctx context.Context, c *client, _, _ int) error {
			return c.get(ctx, "/api/v1/me")
		},
	},
	{
		name:  "timeline",
		about: "GET /api/v1/timeline?limit=50: the first page of the event timeline",
		run: func(ctx context.Context, c *client, _, _ int) error {
			return c.get(ctx, "/api/v1/timeline?limit=50")
		},
	},
}

// findScenario returns the scenario called name.
func findScenario(name string) (scenario, bool) {
	for _, s := range scenarios {
		if s.name == name {
			return s, true
		}
	}
	return scenario{}, false
}

// listScenarios prints the registry for --list.
func listScenarios(w io.Writer) {
	for _, s := range scenarios {
		fmt.Fprintf(w, "%-16s %s\n", s.name, s.about)
	}
}
