package ingest

import (
	"context"
	"fmt"
	"hash/maphash"
	"slices"
	"strconv"
	"strings"

	"github.com/rollcall-project/rollcall"
	"github.com/rollcall-project/rollcall/internal/refdata"
	"github.com/rollcall-project/rollcall/internal/store"
)

func recKey(source, key string) string { return source + "\x00" + key }

// sex reads f, m or empty from the ways people write it (rollcall.SexOf,
// the rule the API and the store apply too).
func (c *rowCtx) sex(f string) string {
	sex, err := rollcall.SexOf(c.get(f))
	if err != nil {
		c.fail(f, "%s", rollcall.ErrorMessage(err))
	}
	return sex
}

func (p *Plan) convertSource(c *rowCtx) *rollcall.Source {
	s := &rollcall.Source{
		Key:          c.required("key"),
		Kind:         c.vocab("kind", rollcall.VocabSourceKind),
		Title:        c.requiredText("title"),
		Author:       c.text("author"),
		Organisation: c.text("organisation"),
		Date:         c.date("date"),
		Language:     c.get("language"),
		Citation:     c.text("citation"),
		URL:          c.get("url"),
		Reliability:  strings.ToUpper(c.get("reliability")),
		Sensitivity:  c.sensitivity("sensitivity", rollcall.Internal),
		Notes:        c.text("notes"),
		Fictional:    c.boolean("fictional"),
	}
	if s.Kind == "" && c.get("kind") == "" {
		c.fail("kind", "kind is required")
	}
	s.Informant = c.informant()
	if r := s.Reliability; r != "" && (len(r) != 1 || r[0] < 'A' || r[0] > 'F') {
		c.fail("reliability", "%q is not a reliability grade A to F", truncate(r, 10))
	}
	if v := c.get("credibility"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 6 {
			c.fail("credibility", "%q is not a credibility from 1 to 6", truncate(v, 10))
		}
		s.Credibility = n
	}
	if c.writing() || s.Key == "" {
		return s
	}
	if prev, dup := p.sourceRow[s.Key]; dup {
		c.fail("key", "source %q is already given at %s", s.Key, prev)
	} else {
		p.sources[s.Key] = s
		p.sourceRow[s.Key] = c.where()
	}
	return s
}

func (p *Plan) convertFacility(c *rowCtx) *rollcall.Facility {
	f := &rollcall.Facility{
		Key:               c.required("key"),
		Number:            c.get("number"),
		NameEn:            c.requiredText("name_en"),
		NameKo:            c.text("name_ko"),
		Type:              c.vocab("type", rollcall.VocabFacilityType),
		Agency:            c.text("agency"),
		Province:          c.text("province"),
		County:            c.text("county"),
		Lat:               c.float("lat", -90, 90),
		Lon:               c.float("lon", -180, 180),
		LocationPrecision: c.get("location_precision"),
		Opened:            c.date("opened"),
		Closed:            c.date("closed"),
		Status:            c.text("status"),
		PopulationYear:    c.get("population_year"),
		Source:            c.text("source"),
	}
	if f.Type == "" && c.get("type") == "" {
		c.fail("type", "type is required")
	}
	for _, a := range strings.Split(c.get("aliases"), ";") {
		if a = strings.TrimSpace(a); a != "" {
			f.Aliases = append(f.Aliases, a)
		}
	}
	if (f.Lat == nil) != (f.Lon == nil) {
		c.fail("lat", "give both latitude and longitude, or neither")
	}
	if v := c.get("population_estimate"); v != "" {
		n, err := strconv.ParseInt(strings.ReplaceAll(v, ",", ""), 10, 64)
		if err != nil || n < 0 {
			c.fail("population_estimate", "%q is not a whole number", truncate(v, 30))
		}
		f.PopulationEst = &n
	}
	if !f.Opened.IsZero() && !f.Closed.IsZero() && f.Closed.Compare(f.Opened) < 0 && !f.Closed.Overlaps(f.Opened) {
		c.fail("closed", "closed %s before it opened %s", f.Closed, f.Opened)
	}
	if c.writing() || f.Key == "" {
		return f
	}
	if prev, dup := p.facRow[f.Key]; dup {
		c.fail("key", "facility %q is already given at %s", f.Key, prev)
	} else {
		p.facilities[f.Key] = f
		p.facRow[f.Key] = c.where()
	}
	return f
}

// importRecord is a record with the keys it refers to by.
type importRecord struct {
	source   string
	facility string // resolved facility key, "" if none
	rec      rollcall.Record
}

func (p *Plan) convertRecord(ctx context.Context, c *rowCtx) (*importRecord, error) {
	ir := &importRecord{source: c.required("source")}
	r := &ir.rec
	r.Key = c.required("key")
	r.Name = c.requiredText("name")
	r.NameAlt = c.text("name_alt")
	r.Sex = c.sex("sex")
	r.BirthDate = c.birthDate("birth_date")
	r.BirthPlace = c.text("birth_place")
	r.Province = c.text("province")
	r.Charge = c.text("charge")
	r.ChargeCat = c.vocab("charge_category", rollcall.VocabChargeCat)
	r.FacilityText = c.text("facility")
	r.ArrestDate = c.date("arrest_date")
	r.SentenceYears = c.sentence("sentence_years")
	r.DetainedFrom = c.date("detained_from")
	r.ReleasedOn = c.date("released_on")
	r.Fate = c.vocab("fate", rollcall.VocabFate)
	r.Testimony = c.text("testimony")
	r.Sensitivity = c.sensitivity("sensitivity", rollcall.Internal)
	r.Fictional = c.boolean("fictional")
	if r.Testimony != "" && p.st.Cipher() == nil {
		c.fail("testimony", "testimony is confidential and no encryption key is loaded (see rollcall key)")
	}
	if !r.ReleasedOn.IsZero() && !r.ArrestDate.IsZero() && !r.ReleasedOn.Overlaps(r.ArrestDate) && r.ReleasedOn.Compare(r.ArrestDate) < 0 {
		c.fail("released_on", "released %s before the arrest %s", r.ReleasedOn, r.ArrestDate)
	}
	// The facility: by key when given, else by a name or alias we know.
	if k := c.get("facility_key"); k != "" {
		ok, err := p.facilityKnown(ctx, k)
		if err != nil {
			return nil, err
		}
		if !ok {
			c.fail("facility_key", "no facility %q in this import or the database (`rollcall init` loads the reference facilities)", truncate(k, 40))
		}
		ir.facility = k
	} else if r.FacilityText != "" {
		ir.facility = p.facilityByName(r.FacilityText)
	}
	if ir.source != "" {
		ok, err := p.sourceKnown(ctx, ir.source)
		if err != nil {
			return nil, err
		}
		if !ok {
			c.fail("source", "no source %q in this import or the database", truncate(ir.source, 40))
		}
	}
	if c.writing() || ir.source == "" || r.Key == "" {
		return ir, nil
	}
	h := maphash.String(p.seed, recKey(ir.source, r.Key))
	if prev, dup := p.recKeys[h]; dup {
		c.fail("key", "record %q of source %q is already given at row %d", truncate(r.Key, 40), truncate(ir.source, 40), prev)
	} else if len(c.errs) == 0 {
		p.recKeys[h] = int32(c.num)
	}
	return ir, nil
}

// sentence reads a term in years; "life" (무기) is kept as no number, since
// a life term has no length to compare.
func (c *rowCtx) sentence(f string) *float64 {
	switch strings.ToLower(c.get(f)) {
	case "life", "무기", "무기징역", "종신":
		return nil
	}
	return c.float(f, 0, 200)
}

// importEvent is an event with the keys it refers to.
type importEvent struct {
	sources  []string
	record   string // record key in sources[0], "" if none
	facility string
	ev       rollcall.Event
}

func (p *Plan) convertEvent(ctx context.Context, c *rowCtx) (*importEvent, error) {
	ie := &importEvent{}
	e := &ie.ev
	e.Key = c.required("key")
	e.Type = c.vocab("type", rollcall.VocabEventType)
	if e.Type == "" && c.get("type") == "" {
		c.fail("type", "type is required")
	}
	e.Date = c.date("date")
	e.EndDate = c.date("end_date")
	e.Place = c.text("place")
	e.ChargeCat = c.vocab("charge_category", rollcall.VocabChargeCat)
	e.SentenceYears = c.sentence("sentence_years")
	e.Perpetrator = c.text("perpetrator")
	e.Description = c.text("description")
	e.Sensitivity = c.sensitivity("sensitivity", rollcall.Internal)
	e.Fictional = c.boolean("fictional")
	if !e.EndDate.IsZero() && !e.Date.IsZero() && !e.EndDate.Overlaps(e.Date) && e.EndDate.Compare(e.Date) < 0 {
		c.fail("end_date", "ends %s before it starts %s", e.EndDate, e.Date)
	}
	if fv := c.get("facility"); fv != "" {
		ok, err := p.facilityKnown(ctx, fv)
		if err != nil {
			return nil, err
		}
		switch {
		case ok:
			ie.facility = fv
		case p.facilityByName(fv) != "":
			ie.facility = p.facilityByName(fv)
		default:
			c.fail("facility", "no facility %q in this import or the database (`rollcall init` loads the reference facilities)", truncate(fv, 40))
		}
	}
	for _, s := range strings.Split(c.get("source"), ";") {
		if s = strings.TrimSpace(s); s == "" {
			continue
		}
		ok, err := p.sourceKnown(ctx, s)
		if err != nil {
			return nil, err
		}
		if !ok {
			c.fail("source", "no source %q in this import or the database", truncate(s, 40))
		}
		ie.sources = append(ie.sources, s)
	}
	role := c.vocab("role", rollcall.VocabVictimRole)
	if ie.record = c.get("record"); ie.record != "" {
		if len(ie.sources) == 0 {
			c.fail("record", "a record is named by its source: give the source too")
		} else if !c.writing() {
			if err := p.checkRecordRef(ctx, c, ie.sources[0], ie.record); err != nil {
				return nil, err
			}
		}
		if role == "" {
			role = "victim"
		}
		e.Victims = []rollcall.Victim{{Role: role}}
	}
	if c.writing() || e.Key == "" {
		return ie, nil
	}
	if prev, dup := p.evKeys[e.Key]; dup {
		c.fail("key", "event %q is already given at row %s", truncate(e.Key, 40), prev)
	} else {
		p.evKeys[e.Key] = fmt.Sprint(c.num)
	}
	return ie, nil
}

// checkRecordRef checks that an event's record exists in this import or the
// database, and remembers it so its id is kept while writing.
func (p *Plan) checkRecordRef(ctx context.Context, c *rowCtx, source, key string) error {
	k := recKey(source, key)
	p.eventRef[k] = true
	if _, ok := p.recKeys[maphash.String(p.seed, k)]; ok {
		return nil
	}
	s, err := p.dbSource(ctx, source)
	if err != nil {
		return err
	}
	if s != nil {
		id, err := recordIDByKey(ctx, p.st, s.ID, key)
		if err != nil {
			return fmt.Errorf("look up record %s/%s: %w", source, key, err)
		}
		if id != 0 {
			return nil
		}
	}
	c.fail("record", "no record %q of source %q in this import or the database", truncate(key, 40), truncate(source, 40))
	return nil
}

// informant reads the informant columns of a source row. They are
// confidential: without an encryption key they are refused.
func (c *rowCtx) informant() *rollcall.Informant {
	in := &rollcall.Informant{Name: c.text("informant_name"), Contact: c.text("informant_contact")}
	for _, w := range strings.FieldsFunc(c.get("informant_consent"), func(r rune) bool { return r == ';' || r == ',' }) {
		use, err := refdata.ConsentUse(w)
		if err != nil {
			c.fail("informant_consent", "%s", rollcall.ErrorMessage(err))
			continue
		}
		if !slices.Contains(in.Consent, use) {
			in.Consent = append(in.Consent, use)
		}
	}
	if in.Name == "" && in.Contact == "" && len(in.Consent) == 0 {
		return nil
	}
	if c.p.st.Cipher() == nil {
		for _, f := range []string{"informant_name", "informant_contact", "informant_consent"} {
			if c.get(f) != "" {
				c.fail(f, "informant details are confidential and no encryption key is loaded (see rollcall key)")
				break
			}
		}
	}
	return in
}

// recordIDByKey returns the id of a source's record, 0 if there is none,
// without decrypting its testimony (which would be an audited read).
func recordIDByKey(ctx context.Context, st *store.Store, sourceID int64, key string) (int64, error) {
	rs, _, err := st.ListRecords(ctx, rollcall.ListOptions{Limit: 2,
		Filters: map[string]string{"source_id": strconv.FormatInt(sourceID, 10), "key": key}})
	if err != nil {
		return 0, err
	}
	for _, r := range rs {
		if r.Key == key {
			return r.ID, nil
		}
	}
	return 0, nil
}
