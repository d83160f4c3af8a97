//go:build !unix

package store

import "os"

// tryFlock does not lock where there is no flock: on these systems the
// SQLite server lock is not enforced (SECURITY.md says so).
func tryFlock(f *os.File, exclusive bool) error { return nil }

// processExists cannot tell here; every listed pid is named.
func processExists(pid int) bool { return true }
