package main

import (
	"context"
	"fmt"
	"net/http"
	"sync"
)

func init() {
	scenarios = append(scenarios, scenario{
		name:  "item-update",
		about: "PATCH /api/v1/items/{id} with the revision: each worker edits its own project, revision by revision",
		run:   itemUpdates.run,
	})
}

// itemUpdates keeps, per worker, the project it edits and the revision it
// last saw, so that every edit carries a revision that must be current.
var itemUpdates = &itemUpdater{items: map[int]*workerItem{}}

type itemUpdater struct {
	mu    sync.Mutex
	items map[int]*workerItem
}

type workerItem struct {
	ID       string `json:"id"`
	Revision int64  `json:"revision"`
}

func (u *itemUpdater) run(ctx context.Context, c *client, worker, i int) error {
	u.mu.Lock()
	it := u.items[worker]
	u.mu.Unlock()
	if it == nil {
		it = &workerItem{}
		body := map[string]any{"template": map[string]string{"id": "standard-project"}, "name": fmt.Sprintf("Load project %d", worker)}
		if err := c.do(ctx, http.MethodPost, "/api/v1/items", body, it); err != nil {
			return err
		}
		u.mu.Lock()
		u.items[worker] = it
		u.mu.Unlock()
		return nil
	}
	body := map[string]any{"revision": it.Revision, "fields": map[string]any{"progress_notes": fmt.Sprintf("Update %d of worker %d.", i, worker)}}
	return c.do(ctx, http.MethodPatch, "/api/v1/items/"+it.ID, body, it)
}
