package sqldb

import (
	"context"
	"sync"
	"time"

	"assent"
)

// targetCacheTTL is how long a replica trusts the targets it read. A
// target changed on another replica reaches this one's checks within it;
// this replica's own changes at once.
const targetCacheTTL = 2 * time.Second

// targetCache keeps the deployment targets that checks read: a handful of
// rows, read by every check.
type targetCache struct {
	mu     sync.Mutex
	byName map[string]*assent.DeploymentTarget
	read   time.Time
}

// find returns a target from the cache, reading it when missing or stale.
func (c *targetCache) find(ctx context.Context, db *DB, name string) (*assent.DeploymentTarget, error) {
	c.mu.Lock()
	if time.Since(c.read) > targetCacheTTL {
		c.byName, c.read = map[string]*assent.DeploymentTarget{}, time.Now()
	}
	t := c.byName[name]
	c.mu.Unlock()
	if t != nil {
		return t, nil
	}
	t, err := findTarget(ctx, db.read, name)
	if err != nil {
		return nil, err
	}
	c.mu.Lock()
	if c.byName == nil { // forgotten meanwhile
		c.byName, c.read = map[string]*assent.DeploymentTarget{}, time.Now()
	}
	c.byName[name] = t
	c.mu.Unlock()
	return t, nil
}

// forget empties the cache after a change.
func (c *targetCache) forget() {
	c.mu.Lock()
	c.byName, c.read = nil, time.Time{}
	c.mu.Unlock()
}
