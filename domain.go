package rollcall

import "time"

// Sensitivity says who may see a row or field. Confidential values are
// encrypted at rest and never exported in clear.
type Sensitivity string

const (
	Public       Sensitivity = "public"
	Internal     Sensitivity = "internal"
	Confidential Sensitivity = "confidential"
)

// Valid reports whether s is one of the three levels.
func (s Sensitivity) Valid() bool {
	return s == Public || s == Internal || s == Confidential
}

// Sensitivities are the levels from least to most sensitive.
func Sensitivities() []Sensitivity { return []Sensitivity{Public, Internal, Confidential} }

// Rank orders the levels: public 0 < internal 1 < confidential 2; -1 for a
// value that is no level. It is the one ranking (the store builds its SQL
// from it).
func (s Sensitivity) Rank() int {
	switch s {
	case Public:
		return 0
	case Internal:
		return 1
	case Confidential:
		return 2
	}
	return -1
}

// MaxSensitivity is the more sensitive of a and b: what a row derived from
// both (a person from its records) must carry.
func MaxSensitivity(a, b Sensitivity) Sensitivity {
	if b.Rank() > a.Rank() {
		return b
	}
	return a
}

// Meta is embedded in every editable entity. Version implements optimistic
// locking: an update must name the version it read, and a stale one fails
// with ECONFLICT instead of overwriting someone else's change.
type Meta struct {
	ID        int64     `json:"id"`
	Version   int       `json:"version"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
}

// Source is where information comes from: a testimony, a report, state
// media, imagery, a list. Key is a stable external identifier so that
// re-importing the same file is idempotent.
type Source struct {
	Meta
	Key          string      `json:"key"`
	Kind         string      `json:"kind"` // vocabulary "source_kind"
	Title        string      `json:"title"`
	Author       string      `json:"author,omitempty"`
	Organisation string      `json:"organisation,omitempty"`
	Date         PartialDate `json:"date"`
	Language     string      `json:"language,omitempty"`
	Citation     string      `json:"citation,omitempty"`
	URL          string      `json:"url,omitempty"`
	// Reliability is the A–F source reliability grade, Credibility the 1–6
	// information credibility (NATO/Admiralty scale); "" and 0 when unassessed.
	Reliability string      `json:"reliability,omitempty"`
	Credibility int         `json:"credibility,omitempty"`
	Sensitivity Sensitivity `json:"sensitivity"`
	Informant   *Informant  `json:"informant,omitempty"` // confidential
	Notes       string      `json:"notes,omitempty"`
	// Fictional marks demo and test data; it shows wherever the data does.
	Fictional bool `json:"fictional"`

	// InformantRedacted is set on read when an informant is stored but the
	// reader may not see it (or no key is loaded); an update that keeps it
	// set leaves the stored informant untouched.
	InformantRedacted bool `json:"informant_redacted,omitempty"`
}

// Informant is the person who gave a testimony: the most sensitive data in
// the system. Every field is confidential.
type Informant struct {
	Name    string `json:"name,omitempty"`
	Contact string `json:"contact,omitempty"`
	// Consent lists the uses the informant agreed to: "research",
	// "publication", "un", "legal".
	Consent []string `json:"consent,omitempty"`
	// Testimony is the informant's testimony as given (the interview
	// text), sealed with the rest of the informant.
	Testimony string `json:"testimony,omitempty"`
}

// Record is one source's account of one person, kept as the source gave it.
// Records are never edited into agreement with each other; PersonID links
// the record to the person we conclude it describes.
type Record struct {
	Meta
	SourceID int64  `json:"source_id"`
	Key      string `json:"key"` // the source's own row id; unique within a source
	// Name as given, in whatever script; NameAlt another form the source gave.
	Name          string      `json:"name"`
	NameAlt       string      `json:"name_alt,omitempty"`
	Sex           string      `json:"sex,omitempty"` // "f", "m", "" unknown
	BirthDate     PartialDate `json:"birth_date"`
	BirthPlace    string      `json:"birth_place,omitempty"`
	Province      string      `json:"province,omitempty"` // of residence/origin
	Charge        string      `json:"charge,omitempty"`   // as given
	ChargeCat     string      `json:"charge_category,omitempty"`
	FacilityText  string      `json:"facility_text,omitempty"` // as given
	FacilityID    *int64      `json:"facility_id,omitempty"`   // resolved, if any
	ArrestDate    PartialDate `json:"arrest_date"`
	SentenceYears *float64    `json:"sentence_years,omitempty"`
	DetainedFrom  PartialDate `json:"detained_from"`
	ReleasedOn    PartialDate `json:"released_on"`
	Fate          string      `json:"fate,omitempty"` // vocabulary "fate"
	// Testimony is the source's words about this person: confidential.
	Testimony   string      `json:"testimony,omitempty"`
	Sensitivity Sensitivity `json:"sensitivity"`
	PersonID    *int64      `json:"person_id,omitempty"`
	Fictional   bool        `json:"fictional"`

	// TestimonyRedacted is like Source.InformantRedacted, for Testimony.
	TestimonyRedacted bool `json:"testimony_redacted,omitempty"`
}

// Person is who we conclude exists: a cluster of records with resolved
// attributes. Conflicts between the records stay visible.
type Person struct {
	Meta
	Name      string      `json:"name"`
	NameAlt   string      `json:"name_alt,omitempty"`
	Sex       string      `json:"sex,omitempty"`
	BirthDate PartialDate `json:"birth_date"`
	Province  string      `json:"province,omitempty"`
	// Status is the person's last known situation (vocabulary "fate").
	Status      string      `json:"status,omitempty"`
	Sensitivity Sensitivity `json:"sensitivity"`
	// ConsentPublish is true only when a source's informant consented to
	// publication of this person's identity; the public export needs it.
	ConsentPublish bool       `json:"consent_publish"`
	RecordIDs      []int64    `json:"record_ids,omitempty"`
	Conflicts      []Conflict `json:"conflicts,omitempty"`
	Fictional      bool       `json:"fictional"`
}

// Conflict is an attribute on which a person's records disagree.
type Conflict struct {
	Field  string   `json:"field"`
	Values []string `json:"values"`
}

// Facility is a place of detention.
type Facility struct {
	Meta
	Key     string   `json:"key"` // e.g. "kwanliso-15"
	Number  string   `json:"number,omitempty"`
	NameEn  string   `json:"name_en"`
	NameKo  string   `json:"name_ko,omitempty"`
	Aliases []string `json:"aliases,omitempty"`
	Type    string   `json:"type"` // vocabulary "facility_type"
	Agency  string   `json:"agency,omitempty"`
	// Province and County locate it administratively; Lat/Lon when known,
	// with LocationPrecision ("exact", "approximate", "county", ...).
	Province          string      `json:"province,omitempty"`
	County            string      `json:"county,omitempty"`
	Lat               *float64    `json:"lat,omitempty"`
	Lon               *float64    `json:"lon,omitempty"`
	LocationPrecision string      `json:"location_precision,omitempty"`
	Opened            PartialDate `json:"opened"`
	Closed            PartialDate `json:"closed"`
	Status            string      `json:"status,omitempty"`
	PopulationEst     *int64      `json:"population_estimate,omitempty"`
	PopulationYear    string      `json:"population_year,omitempty"`
	// Source cites where the facts above come from (free text with URLs).
	Source string `json:"source,omitempty"`
}

// Event is something that happened to someone.
type Event struct {
	Meta
	Key           string      `json:"key,omitempty"`
	Type          string      `json:"type"` // vocabulary "event_type"
	Date          PartialDate `json:"date"`
	EndDate       PartialDate `json:"end_date"`
	FacilityID    *int64      `json:"facility_id,omitempty"`
	Place         string      `json:"place,omitempty"`
	ChargeCat     string      `json:"charge_category,omitempty"`
	SentenceYears *float64    `json:"sentence_years,omitempty"`
	Perpetrator   string      `json:"perpetrator,omitempty"`
	Description   string      `json:"description,omitempty"`
	Sensitivity   Sensitivity `json:"sensitivity"`
	Victims       []Victim    `json:"victims,omitempty"`
	SourceIDs     []int64     `json:"source_ids,omitempty"`
	Fictional     bool        `json:"fictional"`
}

// Victim ties an event to a person or a record with a role
// ("victim", "witness", "family member").
type Victim struct {
	PersonID *int64 `json:"person_id,omitempty"`
	RecordID *int64 `json:"record_id,omitempty"`
	Role     string `json:"role"`
}

// PublishedEstimate is a figure someone else published. It is kept beside
// our own estimates, never merged with them.
type PublishedEstimate struct {
	Meta
	Subject string   `json:"subject"`
	Period  string   `json:"period"`
	Low     *float64 `json:"low,omitempty"`
	High    *float64 `json:"high,omitempty"`
	Point   *float64 `json:"point,omitempty"`
	Unit    string   `json:"unit,omitempty"`
	Method  string   `json:"method,omitempty"`
	Source  string   `json:"source"`
	URL     string   `json:"url,omitempty"`
}

// AmnestyDecree is an announced amnesty with its criteria as an executable
// CEL rule over one detainee's documented facts.
type AmnestyDecree struct {
	Meta
	Key                string      `json:"key"`
	Country            string      `json:"country"`
	Number             string      `json:"number,omitempty"`
	Title              string      `json:"title"`
	Decreed            PartialDate `json:"decreed"`
	Announced          PartialDate `json:"announced"`
	Effective          PartialDate `json:"effective"`
	IssuingBody        string      `json:"issuing_body,omitempty"`
	Occasion           string      `json:"occasion,omitempty"`
	WordingOriginal    string      `json:"wording_original,omitempty"`
	WordingTranslation string      `json:"wording_translation,omitempty"`
	AnnouncedNumber    string      `json:"announced_number,omitempty"` // as announced or reported, with its caveats
	Rule               string      `json:"rule"`
	Notes              string      `json:"notes,omitempty"` // how the wording was read
	Sources            string      `json:"sources,omitempty"`
}

// Eligibility decisions of an amnesty rule for one person.
const (
	Eligible     = "eligible"
	NotEligible  = "not_eligible"
	Undetermined = "undetermined"
)

// Amnesty outcome statuses.
const (
	OutcomeReleaseVerified = "release_verified"
	OutcomeReleaseReported = "release_reported"
	OutcomeNotReleased     = "not_released"
	OutcomeDiedBefore      = "died_before"
	OutcomeReArrested      = "re_arrested"
	OutcomeUnknown         = "unknown"
)

// AmnestyOutcome is what happened to one person under one decree. Each
// change is a new row; the latest is current and the rest is history.
type AmnestyOutcome struct {
	ID        int64       `json:"id"`
	PersonID  int64       `json:"person_id"`
	DecreeID  int64       `json:"decree_id"`
	Status    string      `json:"status"`
	Date      PartialDate `json:"date"`
	SourceID  *int64      `json:"source_id,omitempty"`
	Note      string      `json:"note,omitempty"`
	CreatedBy string      `json:"created_by,omitempty"`
	CreatedAt time.Time   `json:"created_at"`
}

// FollowUp is a dated observation about a released person.
type FollowUp struct {
	Meta
	PersonID    int64       `json:"person_id"`
	Date        PartialDate `json:"date"`
	Kind        string      `json:"kind"` // vocabulary "followup_kind"
	Observation string      `json:"observation"`
	ReportedBy  string      `json:"reported_by,omitempty"`
	SourceID    *int64      `json:"source_id,omitempty"`
	Sensitivity Sensitivity `json:"sensitivity"`
}

// Term is one entry of a controlled vocabulary (facility types, event types,
// source kinds, charge categories, ...). Vocabularies are data, so adding a
// term needs no code change.
type Term struct {
	Scheme      string `json:"scheme"`
	Code        string `json:"code"`
	LabelEn     string `json:"label_en"`
	LabelKo     string `json:"label_ko"`
	Description string `json:"description,omitempty"`
	Source      string `json:"source,omitempty"`
}

// Vocabulary scheme names.
const (
	VocabFacilityType = "facility_type"
	VocabEventType    = "event_type"
	VocabSourceKind   = "source_kind"
	VocabChargeCat    = "charge_category"
	VocabFate         = "fate"
	VocabFollowUpKind = "followup_kind"
	VocabVictimRole   = "victim_role"
)

// ListOptions filter and page a list. Filters holds exact-match filters by
// field name (e.g. "type": "kwanliso", "source_id": "3"); Query is a free-text
// search. Limit 0 means the store's default.
type ListOptions struct {
	Query   string
	Filters map[string]string
	Limit   int
	Offset  int
}
