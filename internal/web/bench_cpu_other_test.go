//go:build !unix

package web

import "time"

// processCPU is not measured here; BenchmarkLoad then reports 0 CPU.
func processCPU() time.Duration { return 0 }
