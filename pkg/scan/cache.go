package scan

import (
	"sync"

	"github.com/tlsguard/tlsguard/pkg/report"
)

// resultCache remembers each object's results by UID, valid while the
// object's resourceVersion, the inventory generation and the policy set are
// unchanged: a re-scan of an unchanged cluster parses no certificate again.
type resultCache struct {
	mu      sync.Mutex
	entries map[string]cacheEntry
}

type cacheEntry struct {
	resourceVersion string
	inventoryGen    uint64
	policySet       any
	results         []report.Result
	seen            uint64 // last scan that listed the object
}

func newResultCache() *resultCache { return &resultCache{entries: map[string]cacheEntry{}} }

func (c *resultCache) get(uid, rv string, gen uint64, set any) ([]report.Result, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.entries[uid]
	if !ok || e.resourceVersion != rv || e.inventoryGen != gen || e.policySet != set {
		return nil, false
	}
	return e.results, true
}

// valid reports whether any entry was computed at this inventory
// generation and policy set; if not, every object must be evaluated again
// and a metadata-first list would only add requests.
func (c *resultCache) valid(gen uint64, set any) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, e := range c.entries {
		return e.inventoryGen == gen && e.policySet == set
	}
	return false
}

func (c *resultCache) put(uid string, e cacheEntry) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.entries[uid] = e
}

func (c *resultCache) touch(uid string, scan uint64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if e, ok := c.entries[uid]; ok {
		e.seen = scan
		c.entries[uid] = e
	}
}

func (c *resultCache) delete(uid string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	delete(c.entries, uid)
}

// prune drops entries not seen by scan and returns their UIDs.
func (c *resultCache) prune(scan uint64) []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	var gone []string
	for uid, e := range c.entries {
		if e.seen != scan {
			gone = append(gone, uid)
			delete(c.entries, uid)
		}
	}
	return gone
}

// all returns every cached result.
func (c *resultCache) all() []report.Result {
	c.mu.Lock()
	defer c.mu.Unlock()
	var out []report.Result
	for _, e := range c.entries {
		out = append(out, e.results...)
	}
	return out
}
