package rollcall

// Attribute is what a person's records say about one attribute (sex,
// province, a name, a facility type, a birth date ...).
//
// This is the one rule for a person's attribute from its records, used by
// linkage (the person's resolved values), capture histories (strata) and
// amnesty facts: Value is the most frequent value the records give, ties
// going to the value given by the earliest record (records in the order
// they were entered, by id); Distinct is every value given, in that order
// of first appearance. A caller that must not guess (amnesty eligibility)
// reads Distinct and treats more than one value as a conflict — candidates
// or unknown — rather than taking Value.
type Attribute[T comparable] struct {
	// Value is the zero value when no record gives one.
	Value    T
	Distinct []T
}

// Conflicting reports whether the records give more than one value.
func (a Attribute[T]) Conflicting() bool { return len(a.Distinct) > 1 }

// ResolveAttribute applies the attribute rule to the values of one attribute
// in record order (earliest first). The zero value ("" for strings, the
// unknown date) is no value and is skipped.
func ResolveAttribute[T comparable](vals []T) Attribute[T] {
	var a Attribute[T]
	var zero T
	count := map[T]int{}
	for _, v := range vals {
		if v == zero {
			continue
		}
		if count[v] == 0 {
			a.Distinct = append(a.Distinct, v)
		}
		count[v]++
	}
	best := 0
	// Distinct is in order of first appearance, so a strict > keeps the
	// earliest of the values tied for the most records.
	for _, v := range a.Distinct {
		if count[v] > best {
			a.Value, best = v, count[v]
		}
	}
	return a
}
