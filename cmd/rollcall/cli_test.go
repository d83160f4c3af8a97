package main

import (
	"bytes"
	"context"
	"strings"
	"testing"
)

// runCLI runs the real program on args with stdin, an empty environment and
// buffers for its output, as a user at a shell would (minus the process).
func runCLI(t *testing.T, stdin string, args ...string) (stdout, stderr string, err error) {
	t.Helper()
	m := NewMain()
	var out, errb bytes.Buffer
	m.Stdin, m.Stdout, m.Stderr = strings.NewReader(stdin), &out, &errb
	m.Getenv = func(string) string { return "" }
	err = m.Run(context.Background(), args)
	if cerr := m.Close(); err == nil {
		err = cerr
	}
	return out.String(), errb.String(), err
}
