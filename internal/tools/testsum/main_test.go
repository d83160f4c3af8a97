package main

import (
	"bytes"
	"strings"
	"testing"
)

func TestRun(t *testing.T) {
	tests := []struct {
		name     string
		in       string
		wantCode int
		want     []string
	}{
		{
			name: "pass and skip",
			in: `{"Action":"run","Package":"p","Test":"TestA"}
{"Action":"pass","Package":"p","Test":"TestA"}
{"Action":"output","Package":"p","Test":"TestPG","Output":"    store_test.go:40: ROLLCALL_TEST_POSTGRES not set: PostgreSQL suite skipped\n"}
{"Action":"skip","Package":"p","Test":"TestPG"}
{"Action":"pass","Package":"p"}`,
			wantCode: 0,
			want:     []string{"p TestPG: ROLLCALL_TEST_POSTGRES not set: PostgreSQL suite skipped", "1 passed, 0 failed, 1 skipped"},
		},
		{
			name: "one reason from many tests is one line with a count",
			in: `{"Action":"output","Package":"github.com/rollcall-project/rollcall/internal/store","Test":"TestA/postgres","Output":"    storetest.go:65: no server\n"}
{"Action":"skip","Package":"github.com/rollcall-project/rollcall/internal/store","Test":"TestA/postgres"}
{"Action":"output","Package":"github.com/rollcall-project/rollcall/internal/web","Test":"TestB/postgres","Output":"    storetest.go:65: no server\n"}
{"Action":"skip","Package":"github.com/rollcall-project/rollcall/internal/web","Test":"TestB/postgres"}
{"Action":"output","Package":"github.com/rollcall-project/rollcall/internal/store","Test":"TestC/postgres","Output":"    storetest.go:65: no server\n"}
{"Action":"skip","Package":"github.com/rollcall-project/rollcall/internal/store","Test":"TestC/postgres"}
{"Action":"output","Package":"p","Test":"TestBrowser","Output":"    b_test.go:9: no browser\n"}
{"Action":"skip","Package":"p","Test":"TestBrowser"}`,
			wantCode: 0,
			want: []string{
				"Skipped (not run here, and why):\n  3 tests: no server (in internal/store, internal/web)\n  p TestBrowser: no browser\n",
				"0 passed, 0 failed, 4 skipped",
			},
		},
		{
			name: "failure shows output",
			in: `{"Action":"output","Package":"p","Test":"TestB","Output":"    x_test.go:9: got 1, want 2\n"}
{"Action":"fail","Package":"p","Test":"TestB"}
{"Action":"fail","Package":"p"}`,
			wantCode: 1,
			want:     []string{"--- FAIL p TestB", "got 1, want 2", "0 passed, 1 failed, 0 skipped"},
		},
		{
			name:     "build failure line passes through",
			in:       "# p\nx.go:1: syntax error\n" + `{"Action":"fail","Package":"p"}`,
			wantCode: 1,
			want:     []string{"x.go:1: syntax error", "FAIL package p"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out bytes.Buffer
			code := run(strings.NewReader(tt.in), &out)
			if code != tt.wantCode {
				t.Errorf("exit %d, want %d; output:\n%s", code, tt.wantCode, out.String())
			}
			for _, w := range tt.want {
				if !strings.Contains(out.String(), w) {
					t.Errorf("output lacks %q:\n%s", w, out.String())
				}
			}
		})
	}
}
