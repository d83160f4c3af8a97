package web

import "strings"

func splitComma(s string) []string {
	var out []string
	for _, p := range strings.Split(s, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

func indexSpace(s string) int { return strings.IndexByte(s, ' ') }

func trim(s string) string { return strings.TrimSpace(s) }
