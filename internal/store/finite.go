package store

import (
	"fmt"
	"math"

	"github.com/rollcall-project/rollcall"
)

// finite rejects NaN and ±Inf in optional numbers before they reach the
// database: neither database orders them sensibly and the audit hash (JSON)
// cannot encode them. fields alternates names and values.
func finite(entity string, fields ...any) error {
	for i := 0; i+1 < len(fields); i += 2 {
		name, _ := fields[i].(string)
		v, _ := fields[i+1].(*float64)
		if v != nil && (math.IsNaN(*v) || math.IsInf(*v, 0)) {
			return &rollcall.Error{Code: rollcall.EINVALID, Field: name, Message: fmt.Sprintf("%s: %s must be a finite number, not %g", entity, name, *v)}
		}
	}
	return nil
}
