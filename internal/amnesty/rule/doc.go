// Package rule is the pure amnesty rule engine: a decree's criteria as a
// CEL expression over one detainee's documented facts, decided with
// three-valued logic. Each person gets one of three decisions for each
// decree: eligible, not_eligible or undetermined, and for undetermined the
// facts that would decide it. It also reads decrees and persons from files
// (DECREE.yaml, PERSONS.csv) and decides them without a database.
//
// It imports neither the store nor its parent: internal/amnesty (the
// database side) builds each person's Detainee from the store's records
// and events, and passes the vocabularies in (rollcall.Vocabulary).
//
// # Facts
//
// A rule sees these variables, all computed on the decree's effective date
// (or, when that is not known, its announced or decreed date):
//
//	age              int           whole years since birth_date
//	sex              string        "f" or "m"
//	facility         string        facility held in (key or name as documented)
//	facility_type    string        vocabulary code, e.g. "kyohwaso"
//	charges          list(string)  charge categories
//	sentence_years   double        length of the sentence; "life" is +Inf
//	served_years     double        years from sentence_start (else detained_from)
//	detained         bool          held on the effective date
//	prior_amnesties  int           earlier amnesty releases
//
// An unknown fact is unknown, never false or zero: the rule is evaluated
// with CEL partial evaluation, so `false && x` is false and `true || x` is
// true whatever x is, while a comparison with an unknown is unknown and the
// decision is then undetermined naming x.
//
// Partial dates make facts sets of possible values rather than guesses. A
// person born "1950" is 64 or 65 on 2015-08-01 (65 only if born by 1 August),
// so age ∈ {64, 65}: `age >= 64` is eligible, `age >= 65` undetermined with
// "age" missing. Numeric facts are ranges; the rule is evaluated once for
// every combination of candidate values of the uncertain facts. A small
// integer range is enumerated in full; a wide or real-valued range is sampled
// at its ends and on both sides of every number the rule mentions (and of
// those numbers combined with other known numeric facts, so
// `served_years >= sentence_years / 2` is exact). That is exact for rules
// that compare facts with constants or with simple linear expressions of
// other facts; a rule doing more arithmetic on an uncertain fact may see a
// sampled approximation. If all combinations agree, that is the decision;
// otherwise it is undetermined, naming each uncertain fact whose value
// changed the result. When combinations would exceed a bound, the widest
// uncertain facts are treated as wholly unknown, which can only turn a
// decision into undetermined, never into a wrong one.
//
// Date semantics, with E the effective date (itself possibly partial):
//
//   - age: from birth_date; the range is [age at the latest possible birth
//     on the earliest E, age at the earliest possible birth on the latest E],
//     bounded to 0..120.
//   - detained: the detention start is detained_from, else sentence_start.
//     False if released_on is surely before E, or the start surely after E.
//     True if the start is surely on or before E and released_on is empty
//     (not known to be released) or surely on or after E: a person released
//     on E itself was held that day, possibly released by this very decree.
//     Unknown otherwise (partial dates overlapping E, or no start date).
//   - served_years: calendar years from sentence_start (else detained_from)
//     to E (whole years plus the fraction of the year since the last
//     anniversary), a range when either date is partial, never below 0.
//   - prior_amnesties: as given in PERSONS.csv (over a database, a lower
//     bound: see internal/amnesty).
//   - charges: in PERSONS.csv `;`-separated; "none" is a known empty list.
//   - facility, facility_type: as given; over a database, the placement on
//     E, with several candidates when a transfer date overlaps E (see
//     internal/amnesty).
//
// # Vocabularies
//
// sex, facility_type and the elements of charges hold codes ("f" or "m";
// "kyohwaso"; "crimes_against_state"). Compile reads a literal the rule
// compares with one of them (==, !=, in, also through charges.exists(c, c
// == ...) and the other macros) as the code it names — "F", "female", "여"
// are "f"; "Kyohwaso", "교화소", "reeducation camp" are "kyohwaso" — and
// rejects a literal that names none, listing the allowed values, because
// it would be false for everyone without saying so. PERSONS.csv values are
// read the same way; a facility type or charge the file uses outside the
// vocabulary keeps its spelling, and Documented lets a rule name it.
//
// # Files (without a database)
//
// `rollcall amnesty check --decree DECREE.yaml --persons PERSONS.csv`
// decides each person of PERSONS.csv (ParsePersons, Documented,
// ParseDecree, Check).
// DECREE.yaml holds id, title, decreed, announced, effective, rule and
// notes (and optionally the other decree fields: country, number,
// issuing_body, occasion, wording_original, wording_translation,
// announced_number, sources); unknown keys are errors. PERSONS.csv has a
// header with id and any of sex, birth_date, facility, facility_type,
// charges, sentence_years, sentence_start, detained_from, released_on,
// prior_amnesties; an empty cell is unknown, dates may be partial ("1950",
// "1950-08", "c. 1950", "1940s", "before 1950", "1950년 3월"), charges are
// `;`-separated ("none" is no charge), sentence_years may be "life". The
// output is `id,decision,missing` per person in input order, or the same
// as JSON. Errors name the file, line and column (and line:column within
// the rule).
//
// CEL orders int and double across types (`sentence_years >= 10`), but
// equality and arithmetic need matching types: `sentence_years == 10.0`,
// `sentence_years / 2.0`, not `== 10` or `/ 2`.
//
// Evaluation is sandboxed: CEL has no I/O, rules are limited in size and
// nesting, and every evaluation runs under a cost limit. Decisions are
// computed on demand from the current facts; nothing is kept between
// calls (DecideAll only shares work among identical fact sets within one
// call), so a corrected fact changes the next decision.
package rule
