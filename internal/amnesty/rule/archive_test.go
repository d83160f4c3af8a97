package rule

import (
	"bytes"
	"strings"
)

// archive is a txtar-style fixture: a free-text comment, then files each
// introduced by a line "-- NAME --". (golang.org/x/tools/txtar is not a
// dependency; this is the part of the format the tests need.)
type archive struct {
	comment string
	files   map[string]string
	order   []string
}

func parseArchive(data []byte) archive {
	a := archive{files: map[string]string{}}
	var name string
	var buf bytes.Buffer
	flush := func() {
		if name == "" {
			a.comment = buf.String()
		} else {
			a.files[name] = buf.String()
			a.order = append(a.order, name)
		}
		buf.Reset()
	}
	for _, line := range strings.SplitAfter(string(data), "\n") {
		t := strings.TrimRight(line, "\r\n")
		if strings.HasPrefix(t, "-- ") && strings.HasSuffix(t, " --") && len(t) > 6 {
			flush()
			name = strings.TrimSpace(t[3 : len(t)-3])
			continue
		}
		buf.WriteString(line)
	}
	flush()
	return a
}
