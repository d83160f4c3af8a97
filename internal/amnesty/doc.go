// Package amnesty checks announced amnesties against the detainees
// documented in the database: the database side of the pure rule engine
// in internal/amnesty/rule (CEL rules, facts, three-valued decisions, file
// input).
//
// It loads the detainee population (one loader for the tracker, the
// report, the command line and the person page), reads each person's facts
// on a decree's date from their records and own events, decides them with
// the decree's rule (compiled against the built-in vocabularies and the
// database's terms), and records outcomes (what actually happened to a
// person under a decree) and follow-ups after release as append-only,
// dated, sourced rows. Report sets the announced figure beside the
// documented, eligible and verified released counts, per facility and
// across decrees.
//
// # Facts over a database
//
// The facts are those of internal/amnesty/rule, read from the store:
//
//   - sex, birth_date: the person's own values; else what the records give
//     by the attribute rule (rollcall.ResolveAttribute) when they agree.
//     Records that disagree leave the fact unknown: a decision never rests
//     on a guess.
//   - events: only the person's own events count, those whose victims name
//     the person or one of the person's records as a victim
//     (store.EventsOfPerson); a release the person only witnessed ends
//     nobody's custody.
//   - detained: custody evidence (detention and arrest dates, custody
//     events) and its ends (release dates, release events, and fates that
//     say custody ended at an unknown date, which then ends some day after
//     the last evidence).
//   - prior_amnesties: the number of releases recorded under earlier
//     decrees (or amnesty release events), and only a lower bound: a
//     release nobody documented may exist.
//   - charges: the union of the records' charge categories and the events'
//     charge categories up to the date; unknown when there is none.
//   - facility, facility_type: the facility of the latest detention,
//     transfer or sentence event (or record facility) dated on or before
//     the date, so transfers matter; several candidates when a transfer
//     date overlaps it.
package amnesty
