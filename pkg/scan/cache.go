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
	// findings are the results other than pass; passes are only counted,
	// since nothing after the scan needs them (the object's report was
	// written from the full results), and they are most of a fleet's
	// results.
	findings []report.Result
	passed   int
	seen     uint64 // last scan that listed the object
}

// newCacheEntry keeps results' findings and counts its passes.
func newCacheEntry(rv string, gen uint64, set any, results []report.Result, scan uint64) cacheEntry {
	e := cacheEntry{resourceVersion: rv, inventoryGen: gen, policySet: set, seen: scan}
	for _, r := range results {
		if r.Result == report.StatusPass {
			e.passed++
		} else {
			e.findings = append(e.findings, r)
		}
	}
	return e
}

func newResultCache() *resultCache { return &resultCache{entries: map[string]cacheEntry{}} }

// fresh reports whether uid's entry is valid for this version, inventory
// generation and policy set.
func (c *resultCache) fresh(uid, rv string, gen uint64, set any) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.entries[uid]
	return ok && e.resourceVersion == rv && e.inventoryGen == gen && e.policySet == set
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

// findings returns every cached result other than pass, and the number of
// pass results.
func (c *resultCache) findings() ([]report.Result, int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	var out []report.Result
	passed := 0
	for _, e := range c.entries {
		out = append(out, e.findings...)
		passed += e.passed
	}
	return out, passed
}
