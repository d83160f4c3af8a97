package estimate

import (
	"strings"

	"github.com/rollcall-project/rollcall"
)

// Strata names the variables to stratify by, as the store knows them
// (facility_type, sex, province, decade); the store refuses any other.
type Strata []string

// String is the comma-separated form that stored estimates name their
// strata by, e.g. "facility_type,sex".
func (s Strata) String() string { return strings.Join(s, ",") }

// strataAliases are the names people use for the store's variables.
var strataAliases = map[string]string{"period": "decade", "region": "province"}

// ParseStrata reads a comma-separated list of stratum variables, resolving
// the aliases period (decade) and region (province).
func ParseStrata(s string) Strata {
	var out Strata
	for _, v := range strings.Split(s, ",") {
		if v = strings.TrimSpace(v); v == "" {
			continue
		}
		if a, ok := strataAliases[v]; ok {
			v = a
		}
		out = append(out, v)
	}
	return out
}

// Lists says what makes a list of the capture histories.
type Lists string

const (
	// ListsAuto is one list per source while there are at most
	// Options.MaxLists sources, else one per source kind (the default).
	ListsAuto Lists = "auto"
	// ListsSource is one list per source.
	ListsSource Lists = "source"
	// ListsKind is one list per source kind.
	ListsKind Lists = "kind"
)

// ParseLists reads source, kind or auto; empty is auto.
func ParseLists(s string) (Lists, error) {
	switch l := Lists(s); l {
	case "":
		return ListsAuto, nil
	case ListsAuto, ListsSource, ListsKind:
		return l, nil
	}
	return "", rollcall.Errorf(rollcall.EINVALID, "--lists must be source, kind or auto, not %q", s)
}
