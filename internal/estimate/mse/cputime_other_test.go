//go:build !linux

package mse

import (
	"testing"
	"time"
)

// Elsewhere CPU time is not measured; benchmarks report wall time only.
func cpuTimer(b *testing.B) func() time.Duration { return func() time.Duration { return 0 } }

func processCPU() time.Duration { return 0 }
