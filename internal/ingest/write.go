package ingest

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"reflect"
	"slices"
	"strconv"
	"time"

	"github.com/schollz/progressbar/v3"

	"github.com/rollcall-project/rollcall"
	"github.com/rollcall-project/rollcall/internal/store"
)

// writer writes a checked plan inside one transaction.
type writer struct {
	p   *Plan
	tx  *store.Store
	res *Result
	bar *progressbar.ProgressBar
	n   int // rows since the bar was last moved

	srcID    map[string]int64
	newSrc   map[string]bool // created in this import: no records yet
	facID    map[string]int64
	recID    map[string]int64                  // records events refer to
	existing map[int64]map[string]storedRecord // source id → key → stored record
	batch    []rollcall.Record
	batchKey []string // source key of each batched record
}

// Write writes the plan in one transaction and returns what it did.
func (p *Plan) Write(ctx context.Context) (*Result, error) {
	res := p.res
	res.Warnings = slices.Clone(p.res.Warnings)
	w := &writer{p: p, res: &res,
		srcID: map[string]int64{}, newSrc: map[string]bool{}, facID: map[string]int64{}, recID: map[string]int64{},
		existing: map[int64]map[string]storedRecord{},
	}
	if p.opts.Progress != nil {
		w.bar = progressbar.NewOptions64(int64(p.total),
			progressbar.OptionSetWriter(p.opts.Progress),
			progressbar.OptionSetDescription("importing"),
			progressbar.OptionShowCount(),
			progressbar.OptionShowIts(),
			progressbar.OptionThrottle(200*time.Millisecond),
			progressbar.OptionClearOnFinish(),
		)
	}
	// Comparing stored testimonies and informants with the file's decrypts
	// them: one audit entry with the counts, not one per row (a re-import
	// of 300,000 records would otherwise write 300,000).
	ctx, bulk := store.BeginBulkRead(ctx, "import")
	err := p.st.InTx(ctx, func(tx *store.Store) error {
		w.tx = tx
		for _, t := range p.tables {
			if err := p.scan(ctx, t, func(v any) error { return w.emit(ctx, v) }, nil); err != nil {
				return err
			}
			if err := w.flush(ctx); err != nil {
				return err
			}
		}
		return tx.EndBulkRead(ctx, bulk)
	})
	if err != nil {
		// Rolled back, the entry with it: the values were read all the same.
		err = errors.Join(err, p.st.EndBulkRead(ctx, bulk))
	}
	if w.bar != nil {
		w.bar.Add(w.n)
		w.bar.Finish()
	}
	if err != nil {
		return nil, err
	}
	return &res, nil
}

func (w *writer) tick() {
	if w.bar == nil {
		return
	}
	if w.n++; w.n >= 1000 {
		w.bar.Add(w.n)
		w.n = 0
	}
}

func (w *writer) emit(ctx context.Context, v any) error {
	defer w.tick()
	switch v := v.(type) {
	case *rollcall.Source:
		return w.source(ctx, v)
	case *rollcall.Facility:
		return w.facility(ctx, v)
	case *importRecord:
		return w.record(ctx, v)
	case *importEvent:
		return w.event(ctx, v)
	}
	return fmt.Errorf("import: unexpected %T", v)
}

func count(c *Counts, created, updated bool) {
	switch {
	case created:
		c.Created++
	case updated:
		c.Updated++
	default:
		c.Unchanged++
	}
}

func (w *writer) source(ctx context.Context, s *rollcall.Source) error {
	old, err := sourceByKey(ctx, w.tx, s.Key)
	if err == nil && old != nil && s.Informant != nil && old.InformantRedacted {
		// Comparing informants needs the stored one in clear: a
		// confidential read, audited as such.
		old, err = w.tx.SourceByKey(ctx, s.Key)
	}
	if err == nil && old == nil {
		if err := w.tx.CreateSource(ctx, s); err != nil {
			return fmt.Errorf("import source %s: %w", s.Key, err)
		}
		w.srcID[s.Key], w.newSrc[s.Key] = s.ID, true
		count(&w.res.Sources, true, false)
		return nil
	}
	if err != nil {
		return fmt.Errorf("import source %s: %w", s.Key, err)
	}
	w.srcID[s.Key] = old.ID
	// Without informant columns the stored informant stays as it is.
	s.Meta = old.Meta
	if s.Informant == nil {
		s.Informant, s.InformantRedacted = old.Informant, old.InformantRedacted
	} else if old.InformantRedacted {
		// Stored but unreadable (no key or no right): replace it.
		old.Informant, old.InformantRedacted = nil, false
	}
	if reflect.DeepEqual(*old, *s) {
		count(&w.res.Sources, false, false)
		return nil
	}
	if err := w.tx.UpdateSource(ctx, s); err != nil {
		return fmt.Errorf("import source %s: %w", s.Key, err)
	}
	count(&w.res.Sources, false, true)
	return nil
}

func (w *writer) facility(ctx context.Context, f *rollcall.Facility) error {
	old, err := w.tx.FacilityByKey(ctx, f.Key)
	if rollcall.ErrorCode(err) == rollcall.ENOTFOUND {
		if err := w.tx.CreateFacility(ctx, f); err != nil {
			return fmt.Errorf("import facility %s: %w", f.Key, err)
		}
		w.facID[f.Key] = f.ID
		count(&w.res.Facilities, true, false)
		return nil
	}
	if err != nil {
		return fmt.Errorf("import facility %s: %w", f.Key, err)
	}
	w.facID[f.Key] = old.ID
	f.Meta = old.Meta
	if len(f.Aliases) == 0 && len(old.Aliases) == 0 {
		f.Aliases = old.Aliases
	}
	if reflect.DeepEqual(*old, *f) {
		count(&w.res.Facilities, false, false)
		return nil
	}
	if err := w.tx.UpdateFacility(ctx, f); err != nil {
		return fmt.Errorf("import facility %s: %w", f.Key, err)
	}
	count(&w.res.Facilities, false, true)
	return nil
}

func (w *writer) facilityID(ctx context.Context, key string) (*int64, error) {
	if key == "" {
		return nil, nil
	}
	if id, ok := w.facID[key]; ok {
		return &id, nil
	}
	f, err := w.tx.FacilityByKey(ctx, key)
	if err != nil {
		return nil, fmt.Errorf("import: facility %s: %w", key, err)
	}
	w.facID[key] = f.ID
	return &f.ID, nil
}

func (w *writer) sourceID(ctx context.Context, key string) (int64, error) {
	if id, ok := w.srcID[key]; ok {
		return id, nil
	}
	s, err := sourceByKey(ctx, w.tx, key)
	if err != nil {
		return 0, err
	}
	if s == nil {
		return 0, fmt.Errorf("import: source %s vanished", key)
	}
	w.srcID[key] = s.ID
	return s.ID, nil
}

// storedRecord is what the writer keeps of a record already in the
// database: enough to tell whether an imported row changes it, without
// holding a million records in memory on a re-import.
type storedRecord struct {
	id  int64
	sum [16]byte // recordSum of the stored record
}

// recordSum hashes the fields an import sets, so that an unchanged row is
// recognised without comparing (or keeping) the whole stored record.
func recordSum(r *rollcall.Record) [16]byte {
	h := sha256.New()
	f := func(ss ...string) {
		for _, s := range ss {
			h.Write([]byte(s))
			h.Write([]byte{0})
		}
	}
	ptr := func(p *float64) string {
		if p == nil {
			return "nil"
		}
		return strconv.FormatFloat(*p, 'g', -1, 64)
	}
	id := func(p *int64) string {
		if p == nil {
			return "nil"
		}
		return strconv.FormatInt(*p, 10)
	}
	f(strconv.FormatInt(r.SourceID, 10), r.Key, r.Name, r.NameAlt, r.Sex, r.BirthDate.String(), r.BirthPlace, r.Province,
		r.Charge, r.ChargeCat, r.FacilityText, id(r.FacilityID), r.ArrestDate.String(), ptr(r.SentenceYears),
		r.DetainedFrom.String(), r.ReleasedOn.String(), r.Fate, string(r.Sensitivity), strconv.FormatBool(r.Fictional))
	var out [16]byte
	copy(out[:], h.Sum(nil))
	return out
}

// stored returns the records the source already has, by key, read page by
// page so only their sums are held.
func (w *writer) stored(ctx context.Context, srcKey string, srcID int64) (map[string]storedRecord, error) {
	if m, ok := w.existing[srcID]; ok {
		return m, nil
	}
	m := map[string]storedRecord{}
	if !w.newSrc[srcKey] {
		const page = 20000
		for off := 0; ; off += page {
			recs, _, err := w.tx.ListRecords(ctx, rollcall.ListOptions{Limit: page, Offset: off,
				Filters: map[string]string{"source_id": strconv.FormatInt(srcID, 10)}})
			if err != nil {
				return nil, fmt.Errorf("import: records of source %s: %w", srcKey, err)
			}
			for i := range recs {
				m[recs[i].Key] = storedRecord{id: recs[i].ID, sum: recordSum(&recs[i])}
			}
			if len(recs) < page {
				break
			}
		}
	}
	w.existing[srcID] = m
	return m, nil
}

func (w *writer) record(ctx context.Context, ir *importRecord) error {
	r := &ir.rec
	var err error
	if r.SourceID, err = w.sourceID(ctx, ir.source); err != nil {
		return err
	}
	if r.FacilityID, err = w.facilityID(ctx, ir.facility); err != nil {
		return err
	}
	have, err := w.stored(ctx, ir.source, r.SourceID)
	if err != nil {
		return err
	}
	sr, ok := have[r.Key]
	if !ok {
		w.batch = append(w.batch, *r)
		w.batchKey = append(w.batchKey, ir.source)
		if len(w.batch) >= w.p.opts.BatchSize {
			return w.flush(ctx)
		}
		return nil
	}
	if k := recKey(ir.source, r.Key); w.p.eventRef[k] {
		w.recID[k] = sr.id
	}
	if r.Testimony == "" && recordSum(r) == sr.sum {
		count(&w.res.Records, false, false)
		return nil
	}
	// Something differs, or there is a testimony to compare: read the
	// whole stored record.
	var old *rollcall.Record
	if r.Testimony != "" {
		// Comparing testimonies needs the stored one in clear: a
		// confidential read, audited as such.
		if old, err = w.tx.RecordByKey(ctx, r.SourceID, r.Key); err != nil {
			return fmt.Errorf("import record %s/%s: %w", ir.source, r.Key, err)
		}
	} else {
		rs, _, err := w.tx.ListRecords(ctx, rollcall.ListOptions{Limit: 2,
			Filters: map[string]string{"source_id": strconv.FormatInt(r.SourceID, 10), "key": r.Key}})
		if err != nil || len(rs) == 0 {
			return fmt.Errorf("import record %s/%s: read: %v", ir.source, r.Key, err)
		}
		old = &rs[0]
	}
	// Linkage decides the person, not the import; an absent testimony
	// keeps the stored one.
	r.Meta, r.PersonID = old.Meta, old.PersonID
	if r.Testimony == "" {
		r.TestimonyRedacted = old.TestimonyRedacted
	}
	if reflect.DeepEqual(*old, *r) {
		count(&w.res.Records, false, false)
		return nil
	}
	if err := w.tx.UpdateRecord(ctx, r); err != nil {
		return fmt.Errorf("import record %s/%s: %w", ir.source, r.Key, err)
	}
	count(&w.res.Records, false, true)
	return nil
}

// flush writes the batched new records through the store's bulk path.
func (w *writer) flush(ctx context.Context) error {
	if len(w.batch) == 0 {
		return nil
	}
	if err := w.tx.ImportRecords(ctx, w.batch); err != nil {
		return fmt.Errorf("import records: %w", err)
	}
	if len(w.p.eventRef) > 0 {
		for i := range w.batch {
			if k := recKey(w.batchKey[i], w.batch[i].Key); w.p.eventRef[k] {
				w.recID[k] = w.batch[i].ID
			}
		}
	}
	w.res.Records.Created += len(w.batch)
	w.batch, w.batchKey = w.batch[:0], w.batchKey[:0]
	return nil
}

func (w *writer) recordID(ctx context.Context, source, key string) (*int64, error) {
	k := recKey(source, key)
	if id, ok := w.recID[k]; ok {
		return &id, nil
	}
	sid, err := w.sourceID(ctx, source)
	if err != nil {
		return nil, err
	}
	id, err := recordIDByKey(ctx, w.tx, sid, key)
	if err != nil || id == 0 {
		return nil, fmt.Errorf("import: record %s/%s: not found (%v)", source, key, err)
	}
	w.recID[k] = id
	return &id, nil
}

func (w *writer) event(ctx context.Context, ie *importEvent) error {
	e := &ie.ev
	var err error
	if e.FacilityID, err = w.facilityID(ctx, ie.facility); err != nil {
		return err
	}
	for _, s := range ie.sources {
		id, err := w.sourceID(ctx, s)
		if err != nil {
			return err
		}
		if !slices.Contains(e.SourceIDs, id) {
			e.SourceIDs = append(e.SourceIDs, id)
		}
	}
	slices.Sort(e.SourceIDs)
	if ie.record != "" {
		if e.Victims[0].RecordID, err = w.recordID(ctx, ie.sources[0], ie.record); err != nil {
			return err
		}
	}
	old, err := w.tx.EventByKey(ctx, e.Key)
	if rollcall.ErrorCode(err) == rollcall.ENOTFOUND {
		if err := w.tx.CreateEvent(ctx, e); err != nil {
			return fmt.Errorf("import event %s: %w", e.Key, err)
		}
		count(&w.res.Events, true, false)
		return nil
	}
	if err != nil {
		return fmt.Errorf("import event %s: %w", e.Key, err)
	}
	e.Meta = old.Meta
	if len(old.Victims) == 0 && len(e.Victims) == 0 {
		e.Victims = old.Victims
	}
	if len(old.SourceIDs) == 0 && len(e.SourceIDs) == 0 {
		e.SourceIDs = old.SourceIDs
	}
	slices.Sort(old.SourceIDs)
	if reflect.DeepEqual(*old, *e) {
		count(&w.res.Events, false, false)
		return nil
	}
	if err := w.tx.UpdateEvent(ctx, e); err != nil {
		return fmt.Errorf("import event %s: %w", e.Key, err)
	}
	count(&w.res.Events, false, true)
	return nil
}
