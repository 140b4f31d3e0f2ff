// Package memlimit sets the Go runtime's soft memory limit from the memory
// limit of the container tlsguard runs in, so that the garbage collector can
// be paced for latency (a high GOGC: fewer collections, each admission
// request less likely to meet one) while the limit keeps the heap from
// growing into the container's OOM kill.
package memlimit

import (
	"errors"
	"fmt"
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"runtime/debug"
	"strconv"
	"strings"
)

// Files where the cgroup memory limit is found, relative to the cgroup
// filesystem root: v2 first, then v1.
const (
	cgroupV2 = "memory.max"
	cgroupV1 = "memory/memory.limit_in_bytes"
)

// unlimitedV1 is what cgroup v1 reports for "no limit" (a page-aligned
// maximum); anything at or above it means no limit.
const unlimitedV1 = math.MaxInt64 &^ (1<<12 - 1)

// Limit is the container's memory limit in bytes read below root (normally
// /sys/fs/cgroup), and false when there is none or it cannot be read (not
// Linux, no cgroup filesystem, no limit set).
func Limit(root string) (int64, bool, error) {
	for _, f := range []string{cgroupV2, cgroupV1} {
		b, err := os.ReadFile(filepath.Join(root, f))
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil {
			return 0, false, fmt.Errorf("read cgroup memory limit: %w", err)
		}
		s := strings.TrimSpace(string(b))
		if s == "max" {
			return 0, false, nil
		}
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil || n <= 0 {
			return 0, false, fmt.Errorf("cgroup memory limit %s: %q is not a positive number of bytes", f, s)
		}
		if n >= unlimitedV1 {
			return 0, false, nil
		}
		return n, true, nil
	}
	return 0, false, nil
}

// Result says what Apply did.
type Result struct {
	// Set is true when Apply set the runtime's limit.
	Set bool
	// Limit is the runtime's soft memory limit after Apply (math.MaxInt64:
	// none); Container the cgroup limit it was derived from (0: none found).
	Limit, Container int64
	// Reason explains a limit left alone.
	Reason string
}

// Apply sets the runtime's soft memory limit to ratio (0 < ratio <= 1) of
// the container's limit found below root, unless GOMEMLIMIT is set in env
// (the operator's explicit choice wins) or there is no container limit.
// The headroom above the soft limit is for memory the runtime does not
// account for and for the collector to catch up before the OOM killer.
func Apply(root string, ratio float64, getenv func(string) string) (Result, error) {
	if ratio <= 0 || ratio > 1 {
		return Result{}, fmt.Errorf("memory limit ratio %g: want 0 < ratio <= 1", ratio)
	}
	current := debug.SetMemoryLimit(-1)
	if v := getenv("GOMEMLIMIT"); v != "" {
		return Result{Limit: current, Reason: "GOMEMLIMIT is set"}, nil
	}
	n, ok, err := Limit(root)
	if err != nil {
		return Result{Limit: current}, err
	}
	if !ok {
		return Result{Limit: current, Reason: "no container memory limit"}, nil
	}
	limit := int64(float64(n) * ratio)
	debug.SetMemoryLimit(limit)
	return Result{Set: true, Limit: limit, Container: n}, nil
}
