package store

import (
	"bytes"
	"context"
	"crypto/aes"
	"crypto/cipher"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/rollcall-project/rollcall"
	"github.com/rollcall-project/rollcall/internal/audit/chain"
	"github.com/rollcall-project/rollcall/internal/storetest"
	"github.com/rollcall-project/rollcall/internal/textnorm"
)

// testCipher is a real AES-256-GCM field cipher built from the standard
// library, with table, column and row key bound as associated data.
type testCipher struct {
	aead cipher.AEAD
	mac  []byte
}

func newTestCipher(t testing.TB) *testCipher {
	key := make([]byte, 32)
	rand.Read(key)
	block, err := aes.NewCipher(key)
	if err != nil {
		t.Fatal(err)
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		t.Fatal(err)
	}
	return &testCipher{aead: aead, mac: key}
}

func ad(parts ...string) []byte {
	var b []byte
	for _, p := range parts {
		b = binary.BigEndian.AppendUint32(b, uint32(len(p)))
		b = append(b, p...)
	}
	return b
}

func (c *testCipher) Seal(table, column, rowKey string, plaintext []byte) ([]byte, error) {
	nonce := make([]byte, c.aead.NonceSize())
	rand.Read(nonce)
	return c.aead.Seal(nonce, nonce, plaintext, ad(table, column, rowKey)), nil
}

func (c *testCipher) Open(table, column, rowKey string, ct []byte) ([]byte, error) {
	n := c.aead.NonceSize()
	if len(ct) < n {
		return nil, errors.New("short ciphertext")
	}
	return c.aead.Open(nil, ct[:n], ct[n:], ad(table, column, rowKey))
}

func (c *testCipher) BlindIndex(table, column string, value []byte) string {
	m := hmac.New(sha256.New, c.mac)
	m.Write(ad(table, column, string(value)))
	return hex.EncodeToString(m.Sum(nil))
}

var (
	editor = rollcall.Actor{Name: "ed", Role: rollcall.RoleEditor}
	viewer = rollcall.Actor{Name: "vi", Role: rollcall.RoleViewer}
)

func ctxAs(a rollcall.Actor) context.Context { return rollcall.WithActor(context.Background(), a) }

// eachDB runs f against a fresh SQLite file and, when ROLLCALL_TEST_POSTGRES
// holds a URL, against a fresh schema on that PostgreSQL server (see
// internal/storetest).
func eachDB(t *testing.T, opts Options, f func(t *testing.T, st *Store)) {
	t.Helper()
	if opts.NameKeys == nil {
		opts.NameKeys = textnorm.NameKeys
	}
	storetest.Run(t, func(t *testing.T, db storetest.DB) { f(t, storetest.Open(t, Open, db.DSN, opts)) })
}

func must(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func wantCode(t testing.TB, err error, code string) {
	t.Helper()
	if got := rollcall.ErrorCode(err); got != code {
		t.Fatalf("error %v: code %q, want %q", err, got, code)
	}
}

func ptr[T any](v T) *T { return &v }

// crud exercises one entity's Create/Get/Update/Delete, optimistic locking
// and not-found handling.
type crud[T any] struct {
	make   func(st *Store) *T // a valid new value (may create parents)
	meta   func(*T) *rollcall.Meta
	create func(*Store, context.Context, *T) error
	get    func(*Store, context.Context, int64) (*T, error)
	update func(*Store, context.Context, *T) error
	del    func(*Store, context.Context, int64) error
	mutate func(*T) // a change that update must persist
}

func (c crud[T]) run(t *testing.T, st *Store) {
	ctx := ctxAs(editor)
	v := c.make(st)
	must(t, c.create(st, ctx, v))
	m := c.meta(v)
	if m.ID == 0 || m.Version != 1 || m.CreatedAt.IsZero() || !m.UpdatedAt.Equal(m.CreatedAt) {
		t.Fatalf("after create: meta %+v", *m)
	}
	got, err := c.get(st, ctx, m.ID)
	must(t, err)
	if !reflect.DeepEqual(got, v) {
		t.Fatalf("read back differs:\n got %+v\nwant %+v", got, v)
	}
	// A second reader holds version 1 while the first updates.
	stale := *got
	c.mutate(v)
	must(t, c.update(st, ctx, v))
	if m.Version != 2 {
		t.Fatalf("version after update = %d, want 2", m.Version)
	}
	got, err = c.get(st, ctx, m.ID)
	must(t, err)
	if !reflect.DeepEqual(got, v) {
		t.Fatalf("update not persisted:\n got %+v\nwant %+v", got, v)
	}
	err = c.update(st, ctx, &stale)
	wantCode(t, err, rollcall.ECONFLICT)
	if msg := rollcall.ErrorMessage(err); !strings.Contains(msg, "version 2, you had 1") || !strings.Contains(msg, "reload") {
		t.Errorf("conflict message %q does not say what happened", msg)
	}
	if got, _ := c.get(st, ctx, m.ID); c.meta(got).Version != 2 {
		t.Errorf("stale update changed the row")
	}
	wantCode(t, c.update(st, ctx, func() *T { x := *v; c.meta(&x).ID = 999999; return &x }()), rollcall.ENOTFOUND)
	_, err = c.get(st, ctx, 999999)
	wantCode(t, err, rollcall.ENOTFOUND)
	if !strings.Contains(rollcall.ErrorMessage(err), "999999 not found") {
		t.Errorf("not-found message %q does not name the id", rollcall.ErrorMessage(err))
	}
	must(t, c.del(st, ctx, m.ID))
	_, err = c.get(st, ctx, m.ID)
	wantCode(t, err, rollcall.ENOTFOUND)
	wantCode(t, c.del(st, ctx, m.ID), rollcall.ENOTFOUND)
}

func newSource(st *Store, key string) *rollcall.Source {
	return &rollcall.Source{Key: key, Kind: "testimony", Title: "Interview " + key, Date: rollcall.MustDate("2014-03"),
		Reliability: "B", Credibility: 2, Sensitivity: rollcall.Internal, Fictional: true}
}

func mkSource(t testing.TB, st *Store, key string) *rollcall.Source {
	s := newSource(st, key)
	must(t, st.CreateSource(ctxAs(editor), s))
	return s
}

func mkFacility(t testing.TB, st *Store, key, typ, province string) *rollcall.Facility {
	f := &rollcall.Facility{Key: key, NameEn: "Camp " + key, Type: typ, Province: province}
	must(t, st.CreateFacility(ctxAs(editor), f))
	return f
}

func mkPerson(t testing.TB, st *Store, name string) *rollcall.Person {
	p := &rollcall.Person{Name: name, Sensitivity: rollcall.Internal}
	must(t, st.CreatePerson(ctxAs(editor), p))
	return p
}

func TestCRUD(t *testing.T) {
	cases := []struct {
		name string
		run  func(t *testing.T, st *Store)
	}{
		{"source", crud[rollcall.Source]{
			make:   func(st *Store) *rollcall.Source { return newSource(st, "src-1") },
			meta:   func(v *rollcall.Source) *rollcall.Meta { return &v.Meta },
			create: (*Store).CreateSource, get: (*Store).GetSource, update: (*Store).UpdateSource, del: (*Store).DeleteSource,
			mutate: func(v *rollcall.Source) { v.Title = "Changed"; v.Date = rollcall.MustDate("c. 1999") },
		}.run},
		{"facility", crud[rollcall.Facility]{
			make: func(st *Store) *rollcall.Facility {
				return &rollcall.Facility{Key: "kwanliso-15", Number: "15", NameEn: "Yodok", NameKo: "요덕", Aliases: []string{"Camp 15"},
					Type: "kwanliso", Province: "South Hamgyong", Lat: ptr(39.7), Lon: ptr(127.0), Opened: rollcall.MustDate("1960s"),
					PopulationEst: ptr(int64(50000))}
			},
			meta:   func(v *rollcall.Facility) *rollcall.Meta { return &v.Meta },
			create: (*Store).CreateFacility, get: (*Store).GetFacility, update: (*Store).UpdateFacility, del: (*Store).DeleteFacility,
			mutate: func(v *rollcall.Facility) {
				v.Status = "closed"
				v.Lat = nil
				v.Aliases = append(v.Aliases, "요덕수용소")
			},
		}.run},
		{"person", crud[rollcall.Person]{
			make: func(st *Store) *rollcall.Person {
				return &rollcall.Person{Name: "김영희", NameAlt: "Kim Young-hee", Sex: "f", BirthDate: rollcall.MustDate("1962"), Sensitivity: rollcall.Confidential}
			},
			meta:   func(v *rollcall.Person) *rollcall.Meta { return &v.Meta },
			create: (*Store).CreatePerson, get: (*Store).GetPerson, update: (*Store).UpdatePerson, del: (*Store).DeletePerson,
			mutate: func(v *rollcall.Person) { v.Status = "released"; v.ConsentPublish = true },
		}.run},
		{"record", func(t *testing.T, st *Store) {
			src := mkSource(t, st, "s")
			fac := mkFacility(t, st, "f", "kyohwaso", "")
			crud[rollcall.Record]{
				make: func(st *Store) *rollcall.Record {
					return &rollcall.Record{SourceID: src.ID, Key: "row-1", Name: "이철수", Sex: "m", BirthDate: rollcall.MustDate("1970-05"),
						FacilityID: &fac.ID, SentenceYears: ptr(5.5), ArrestDate: rollcall.MustDate("2001-02-03"), Sensitivity: rollcall.Internal}
				},
				meta:   func(v *rollcall.Record) *rollcall.Meta { return &v.Meta },
				create: (*Store).CreateRecord, get: (*Store).GetRecord, update: (*Store).UpdateRecord, del: (*Store).DeleteRecord,
				mutate: func(v *rollcall.Record) { v.Fate = "released"; v.SentenceYears = nil },
			}.run(t, st)
		}},
		{"event", func(t *testing.T, st *Store) {
			src := mkSource(t, st, "s-ev")
			p := mkPerson(t, st, "Pak")
			crud[rollcall.Event]{
				make: func(st *Store) *rollcall.Event {
					return &rollcall.Event{Key: "ev-1", Type: "arrest", Date: rollcall.MustDate("2003"), Place: "Hyesan",
						Victims: []rollcall.Victim{{PersonID: &p.ID, Role: "victim"}}, SourceIDs: []int64{src.ID}, Sensitivity: rollcall.Internal}
				},
				meta:   func(v *rollcall.Event) *rollcall.Meta { return &v.Meta },
				create: (*Store).CreateEvent, get: (*Store).GetEvent, update: (*Store).UpdateEvent, del: (*Store).DeleteEvent,
				mutate: func(v *rollcall.Event) { v.Victims[0].Role = "witness"; v.SourceIDs = nil },
			}.run(t, st)
		}},
		{"published_estimate", crud[rollcall.PublishedEstimate]{
			make: func(st *Store) *rollcall.PublishedEstimate {
				return &rollcall.PublishedEstimate{Subject: "political prisoners", Period: "2013", Low: ptr(80000.0), High: ptr(120000.0), Source: "UN COI"}
			},
			meta:   func(v *rollcall.PublishedEstimate) *rollcall.Meta { return &v.Meta },
			create: (*Store).CreatePublishedEstimate, get: (*Store).GetPublishedEstimate, update: (*Store).UpdatePublishedEstimate, del: (*Store).DeletePublishedEstimate,
			mutate: func(v *rollcall.PublishedEstimate) { v.Point = ptr(100000.0) },
		}.run},
		{"amnesty_decree", crud[rollcall.AmnestyDecree]{
			make: func(st *Store) *rollcall.AmnestyDecree {
				return &rollcall.AmnestyDecree{Key: "kp-2015", Country: "KP", Title: "Amnesty 2015", Effective: rollcall.MustDate("2015-08-01"), Rule: "true"}
			},
			meta:   func(v *rollcall.AmnestyDecree) *rollcall.Meta { return &v.Meta },
			create: (*Store).CreateAmnestyDecree, get: (*Store).GetAmnestyDecree, update: (*Store).UpdateAmnestyDecree, del: (*Store).DeleteAmnestyDecree,
			mutate: func(v *rollcall.AmnestyDecree) { v.Notes = "read narrowly" },
		}.run},
		{"followup", func(t *testing.T, st *Store) {
			p := mkPerson(t, st, "Choe")
			crud[rollcall.FollowUp]{
				make: func(st *Store) *rollcall.FollowUp {
					return &rollcall.FollowUp{PersonID: p.ID, Date: rollcall.MustDate("2016-01"), Kind: "surveillance", Observation: "visited weekly", Sensitivity: rollcall.Confidential}
				},
				meta:   func(v *rollcall.FollowUp) *rollcall.Meta { return &v.Meta },
				create: (*Store).CreateFollowUp, get: (*Store).GetFollowUp, update: (*Store).UpdateFollowUp, del: (*Store).DeleteFollowUp,
				mutate: func(v *rollcall.FollowUp) { v.Observation = "left the country" },
			}.run(t, st)
		}},
	}
	eachDB(t, Options{Cipher: newTestCipher(t)}, func(t *testing.T, st *Store) {
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) { c.run(t, st) })
		}
	})
}

func TestKeysAndConstraints(t *testing.T) {
	eachDB(t, Options{}, func(t *testing.T, st *Store) {
		ctx := ctxAs(editor)
		src := mkSource(t, st, "dup")
		wantCode(t, st.CreateSource(ctx, newSource(st, "dup")), rollcall.ECONFLICT)
		got, err := st.SourceByKey(ctx, "dup")
		must(t, err)
		if got.ID != src.ID {
			t.Errorf("SourceByKey id %d, want %d", got.ID, src.ID)
		}
		_, err = st.SourceByKey(ctx, "nope")
		wantCode(t, err, rollcall.ENOTFOUND)

		// A record pointing at a missing source: foreign key → EINVALID.
		wantCode(t, st.CreateRecord(ctx, &rollcall.Record{SourceID: 424242, Key: "k", Name: "X"}), rollcall.EINVALID)
		r := &rollcall.Record{SourceID: src.ID, Key: "k", Name: "X"}
		must(t, st.CreateRecord(ctx, r))
		wantCode(t, st.CreateRecord(ctx, &rollcall.Record{SourceID: src.ID, Key: "k", Name: "Y"}), rollcall.ECONFLICT)
		byKey, err := st.RecordByKey(ctx, src.ID, "k")
		must(t, err)
		if byKey.ID != r.ID {
			t.Errorf("RecordByKey id %d, want %d", byKey.ID, r.ID)
		}
		// The source still has a record: deleting it is refused.
		wantCode(t, st.DeleteSource(ctx, src.ID), rollcall.EINVALID)

		f := mkFacility(t, st, "kyohwaso-1", "kyohwaso", "")
		if g, err := st.FacilityByKey(ctx, "kyohwaso-1"); err != nil || g.ID != f.ID {
			t.Errorf("FacilityByKey: %v, %v", g, err)
		}
		d := &rollcall.AmnestyDecree{Key: "d1", Country: "KP", Title: "D"}
		must(t, st.CreateAmnestyDecree(ctx, d))
		if g, err := st.DecreeByKey(ctx, "d1"); err != nil || g.ID != d.ID {
			t.Errorf("DecreeByKey: %v, %v", g, err)
		}
		e := &rollcall.Event{Key: "e1", Type: "arrest"}
		must(t, st.CreateEvent(ctx, e))
		must(t, st.CreateEvent(ctx, &rollcall.Event{Type: "arrest"})) // many events have no key
		must(t, st.CreateEvent(ctx, &rollcall.Event{Type: "arrest"}))
		if g, err := st.EventByKey(ctx, "e1"); err != nil || g.ID != e.ID {
			t.Errorf("EventByKey: %v, %v", g, err)
		}

		// Validation and database checks both give EINVALID.
		wantCode(t, st.CreateSource(ctx, &rollcall.Source{Key: "x", Kind: "k", Title: "t", Credibility: 9}), rollcall.EINVALID)
		wantCode(t, st.CreateFacility(ctx, &rollcall.Facility{Key: "x", NameEn: "x"}), rollcall.EINVALID)
		_, err = st.DB().Exec(`INSERT INTO persons (uid, version, created_at, updated_at, name, sensitivity) VALUES ('u', 1, '', '', 'n', 'secret')`)
		wantCode(t, mapErr(err, "person", 0), rollcall.EINVALID)
	})
}

func TestListFiltersPagingSearch(t *testing.T) {
	eachDB(t, Options{}, func(t *testing.T, st *Store) {
		ctx := ctxAs(editor)
		for i := range 7 {
			typ := "kyohwaso"
			if i%3 == 0 {
				typ = "kwanliso"
			}
			mkFacility(t, st, fmt.Sprintf("f%d", i), typ, []string{"North Hamgyong", "South Pyongan"}[i%2])
		}
		list := func(o rollcall.ListOptions) ([]rollcall.Facility, int) {
			t.Helper()
			v, n, err := st.ListFacilities(ctx, o)
			must(t, err)
			return v, n
		}
		v, n := list(rollcall.ListOptions{Filters: map[string]string{"type": "kwanliso"}})
		if n != 3 || len(v) != 3 || v[0].Key != "f0" || v[1].Key != "f3" || v[2].Key != "f6" {
			t.Errorf("type filter: total %d, %v", n, v)
		}
		v, n = list(rollcall.ListOptions{Filters: map[string]string{"type": "kyohwaso", "province": "South Pyongan"}})
		if n != 2 { // f1, f5
			t.Errorf("two filters: total %d, %v", n, v)
		}
		v, n = list(rollcall.ListOptions{Limit: 3, Offset: 3})
		if n != 7 || len(v) != 3 || v[0].Key != "f3" {
			t.Errorf("page: total %d, %v", n, v)
		}
		v, _ = list(rollcall.ListOptions{Limit: -1, Offset: 5})
		if len(v) != 2 {
			t.Errorf("unlimited with offset: %d rows", len(v))
		}
		v, _ = list(rollcall.ListOptions{Query: "CAMP F4"})
		if len(v) != 1 || v[0].Key != "f4" {
			t.Errorf("case-insensitive search: %v", v)
		}
		// LIKE wildcards in a query are literal.
		if v, _ = list(rollcall.ListOptions{Query: "%"}); len(v) != 0 {
			t.Errorf("%% matched %d rows", len(v))
		}
		_, _, err := st.ListFacilities(ctx, rollcall.ListOptions{Filters: map[string]string{"colour": "red"}})
		wantCode(t, err, rollcall.EINVALID)

		// Records: romanised queries find hangul names and back.
		src := mkSource(t, st, "s1")
		p := mkPerson(t, st, "김영희")
		for i, name := range []string{"김영희", "Pak Chol-su", "KIM Yong Hui", "이순자"} {
			r := &rollcall.Record{SourceID: src.ID, Key: fmt.Sprint(i), Name: name, Sex: "f"}
			if i == 0 {
				r.PersonID = &p.ID
			}
			must(t, st.CreateRecord(ctx, r))
		}
		names := func(q string) []string {
			t.Helper()
			recs, _, err := st.ListRecords(ctx, rollcall.ListOptions{Query: q})
			must(t, err)
			var out []string
			for _, r := range recs {
				out = append(out, r.Name)
			}
			return out
		}
		if got := names("Kim Young-hee"); !reflect.DeepEqual(got, []string{"김영희", "KIM Yong Hui"}) {
			t.Errorf("Kim Young-hee found %q", got)
		}
		if got := names("김영희"); !reflect.DeepEqual(got, []string{"김영희", "KIM Yong Hui"}) {
			t.Errorf("김영희 found %q", got)
		}
		if got := names("pak"); !reflect.DeepEqual(got, []string{"Pak Chol-su"}) {
			t.Errorf("pak found %q", got)
		}
		recs, n, err := st.ListRecords(ctx, rollcall.ListOptions{Filters: map[string]string{"person_id": "none"}})
		must(t, err)
		if n != 3 || len(recs) != 3 {
			t.Errorf("unlinked records: %d", n)
		}
		_, n, err = st.ListRecords(ctx, rollcall.ListOptions{Filters: map[string]string{"person_id": fmt.Sprint(p.ID), "source_id": fmt.Sprint(src.ID)}})
		must(t, err)
		if n != 1 {
			t.Errorf("records of person: %d", n)
		}
		_, _, err = st.ListRecords(ctx, rollcall.ListOptions{Filters: map[string]string{"source_id": "x"}})
		wantCode(t, err, rollcall.EINVALID)
		// Keys written without a normaliser are rebuilt by ReindexNames.
		plain := *st
		plain.nameKeys = nil
		late := &rollcall.Record{SourceID: src.ID, Key: "late", Name: "김영희"}
		must(t, plain.CreateRecord(ctx, late))
		if got := names("Kim Young-hee"); len(got) != 2 {
			t.Errorf("before reindex: %q", got)
		}
		n, err = st.ReindexNames(ctx)
		must(t, err)
		if got := names("Kim Young-hee"); n != 1 || len(got) != 3 {
			t.Errorf("after reindex (%d changed): %q", n, got)
		}
		must(t, st.DeleteRecord(ctx, late.ID))
		persons, _, err := st.ListPersons(ctx, rollcall.ListOptions{Query: "kim young hee"})
		must(t, err)
		if len(persons) != 1 || !reflect.DeepEqual(persons[0].RecordIDs, []int64{recs[0].ID - 1}) {
			t.Errorf("person search: %+v", persons)
		}
		// Events by person, through the victims table.
		must(t, st.CreateEvent(ctx, &rollcall.Event{Type: "arrest", Victims: []rollcall.Victim{{PersonID: &p.ID, Role: "victim"}}}))
		must(t, st.CreateEvent(ctx, &rollcall.Event{Type: "release"}))
		evs, n, err := st.ListEvents(ctx, rollcall.ListOptions{Filters: map[string]string{"person_id": fmt.Sprint(p.ID)}})
		must(t, err)
		if n != 1 || evs[0].Type != "arrest" || len(evs[0].Victims) != 1 {
			t.Errorf("events of person: %+v", evs)
		}
		srcs, n, err := st.ListSources(ctx, rollcall.ListOptions{Filters: map[string]string{"kind": "testimony"}})
		must(t, err)
		if n != 1 || srcs[0].Key != "s1" {
			t.Errorf("sources by kind: %+v", srcs)
		}
	})
}

func TestInTx(t *testing.T) {
	eachDB(t, Options{}, func(t *testing.T, st *Store) {
		ctx := ctxAs(editor)
		boom := errors.New("boom")
		err := st.InTx(ctx, func(tx *Store) error {
			mkFacility(t, tx, "a", "kwanliso", "")
			if _, err := tx.GetFacility(ctx, 1); err != nil {
				t.Errorf("row not visible inside its transaction: %v", err)
			}
			return boom
		})
		if !errors.Is(err, boom) {
			t.Fatalf("InTx returned %v, want boom", err)
		}
		func() {
			defer func() {
				if recover() == nil {
					t.Error("panic not propagated")
				}
			}()
			st.InTx(ctx, func(tx *Store) error {
				mkFacility(t, tx, "b", "kwanliso", "")
				panic("boom")
			})
		}()
		_, n, err := st.ListFacilities(ctx, rollcall.ListOptions{})
		must(t, err)
		if n != 0 {
			t.Errorf("%d facilities after rolled-back transactions", n)
		}
		entries, err := st.AuditEntries(ctx, 0, 0)
		must(t, err)
		if len(entries) != 0 {
			t.Errorf("rolled-back transactions left %d audit entries", len(entries))
		}
		// Committed: both rows and both audit entries, or nothing.
		must(t, st.InTx(ctx, func(tx *Store) error {
			mkFacility(t, tx, "c", "kwanliso", "")
			mkFacility(t, tx, "d", "kwanliso", "")
			return nil
		}))
		_, n, _ = st.ListFacilities(ctx, rollcall.ListOptions{})
		entries, _ = st.AuditEntries(ctx, 0, 0)
		if n != 2 || len(entries) != 2 {
			t.Errorf("after commit: %d facilities, %d audit entries", n, len(entries))
		}
	})
}

func TestConfidentialWithoutKey(t *testing.T) {
	eachDB(t, Options{}, func(t *testing.T, st *Store) {
		ctx := ctxAs(editor)
		s := newSource(st, "s")
		s.Informant = &rollcall.Informant{Name: "Ms A"}
		err := st.CreateSource(ctx, s)
		wantCode(t, err, rollcall.EINVALID)
		if !strings.Contains(rollcall.ErrorMessage(err), "need an encryption key (rollcall key init)") {
			t.Errorf("message %q", rollcall.ErrorMessage(err))
		}
		s.Informant = &rollcall.Informant{} // empty is nothing to protect
		must(t, st.CreateSource(ctx, s))
		r := &rollcall.Record{SourceID: s.ID, Key: "1", Name: "N", Testimony: "words"}
		wantCode(t, st.CreateRecord(ctx, r), rollcall.EINVALID)
		wantCode(t, st.ImportRecords(ctx, []rollcall.Record{*r}), rollcall.EINVALID)
		r.Testimony = ""
		must(t, st.CreateRecord(ctx, r))
		r.Testimony = "later words"
		wantCode(t, st.UpdateRecord(ctx, r), rollcall.EINVALID)

		// A testimony stored while a key was loaded survives an editor's
		// update made without the key (they could not have seen it).
		c := newTestCipher(t)
		keyed := *st
		keyed.cipher = c
		r2 := &rollcall.Record{SourceID: s.ID, Key: "2", Name: "N", Testimony: "kept"}
		must(t, keyed.CreateRecord(ctx, r2))
		got, err := st.GetRecord(ctx, r2.ID)
		must(t, err)
		if !got.TestimonyRedacted || got.Testimony != "" {
			t.Errorf("without the key: %+v", got)
		}
		got.TestimonyRedacted = false // a client that drops the flag
		got.Fate = "released"
		must(t, st.UpdateRecord(ctx, got))
		if again, _ := keyed.GetRecord(ctx, r2.ID); again.Testimony != "kept" || again.Fate != "released" {
			t.Errorf("after keyless update: %+v", again)
		}
	})
}

func TestConfidentialFields(t *testing.T) {
	c := newTestCipher(t)
	eachDB(t, Options{Cipher: c}, func(t *testing.T, st *Store) {
		ed, vi := ctxAs(editor), ctxAs(viewer)
		s := newSource(st, "s")
		in := &rollcall.Informant{Name: "Ms Secret-Informant", Contact: "+82 10 0000 0000", Consent: []string{"research"}}
		s.Informant = in
		must(t, st.CreateSource(ed, s))
		r := &rollcall.Record{SourceID: s.ID, Key: "1", Name: "N", Testimony: "they beat him at night"}
		must(t, st.CreateRecord(ed, r))
		s2 := mkSource(t, st, "s2")

		// Nothing readable in the database file or tables.
		var ct []byte
		must(t, st.DB().QueryRow(`SELECT informant FROM sources WHERE id = $1`, s.ID).Scan(&ct))
		if len(ct) == 0 || bytes.Contains(ct, []byte("Secret-Informant")) {
			t.Fatalf("informant stored in clear or not at all: %q", ct)
		}
		var tct []byte
		must(t, st.DB().QueryRow(`SELECT testimony FROM records WHERE id = $1`, r.ID).Scan(&tct))
		if bytes.Contains(tct, []byte("beat")) {
			t.Fatalf("testimony stored in clear")
		}
		if st.Dialect() == SQLite {
			path := dbPath(t, st)
			must(t, st.DB().Close())
			st2, err := Open(context.Background(), path, Options{Cipher: c})
			must(t, err)
			*st = *st2
			for _, f := range []string{"", "-wal"} {
				b, _ := os.ReadFile(dbPath(t, st) + f)
				if bytes.Contains(b, []byte("Secret-Informant")) || bytes.Contains(b, []byte("beat him")) {
					t.Fatalf("plaintext found in the database file%s", f)
				}
			}
		}

		before := auditLen(t, st)
		got, err := st.GetSource(vi, s.ID)
		must(t, err)
		if got.Informant != nil || !got.InformantRedacted {
			t.Errorf("viewer sees informant %+v (redacted %v)", got.Informant, got.InformantRedacted)
		}
		gr, err := st.GetRecord(vi, r.ID)
		must(t, err)
		if gr.Testimony != "" || !gr.TestimonyRedacted {
			t.Errorf("viewer sees testimony %q", gr.Testimony)
		}
		if n := auditLen(t, st); n != before {
			t.Errorf("redacted reads were audited as confidential reads")
		}
		got, err = st.GetSource(ed, s.ID)
		must(t, err)
		if !reflect.DeepEqual(got.Informant, in) || got.InformantRedacted {
			t.Errorf("editor reads informant %+v", got.Informant)
		}
		gr, err = st.GetRecord(ed, r.ID)
		must(t, err)
		if gr.Testimony != r.Testimony {
			t.Errorf("editor reads testimony %q", gr.Testimony)
		}
		entries, err := st.AuditEntries(ed, int64(before), 0)
		must(t, err)
		if len(entries) != 2 || entries[0].Action != ActionReadConfidential || entries[0].Entity != "source" ||
			entries[0].Actor != "ed" || entries[1].Entity != "record" || entries[1].EntityID != r.ID {
			t.Errorf("confidential reads audited as %+v", entries)
		}
		// Lists never decrypt.
		srcs, _, err := st.ListSources(ed, rollcall.ListOptions{})
		must(t, err)
		if srcs[0].Informant != nil || !srcs[0].InformantRedacted || srcs[1].InformantRedacted {
			t.Errorf("list: %+v", srcs)
		}

		// A viewer's update of other fields keeps the informant; a viewer
		// may not set one.
		vs, _ := st.GetSource(vi, s.ID)
		vs.Notes = "checked"
		must(t, st.UpdateSource(vi, vs))
		vs.Informant = &rollcall.Informant{Name: "someone else"}
		wantCode(t, st.UpdateSource(vi, vs), rollcall.EFORBIDDEN)
		got, _ = st.GetSource(ed, s.ID)
		if !reflect.DeepEqual(got.Informant, in) || got.Notes != "checked" {
			t.Errorf("after viewer update: %+v", got)
		}
		// An editor can change and clear it.
		got.Informant = &rollcall.Informant{Name: "Ms B"}
		must(t, st.UpdateSource(ed, got))
		again, _ := st.GetSource(ed, s.ID)
		if again.Informant == nil || again.Informant.Name != "Ms B" {
			t.Errorf("editor change lost: %+v", again.Informant)
		}
		again.Informant = nil
		must(t, st.UpdateSource(ed, again))
		if again, _ = st.GetSource(ed, s.ID); again.Informant != nil || again.InformantRedacted {
			t.Errorf("informant not cleared: %+v", again.Informant)
		}

		// Ciphertext moved to another row does not open there.
		_, err = st.DB().Exec(`UPDATE records SET testimony = $1 WHERE id = $2`, tct, r.ID) // same row: fine
		must(t, err)
		must(t, st.CreateRecord(ed, &rollcall.Record{SourceID: s2.ID, Key: "2", Name: "M"}))
		_, err = st.DB().Exec(`UPDATE records SET testimony = $1 WHERE key = '2'`, tct)
		must(t, err)
		other, err := st.RecordByKey(ed, s2.ID, "2")
		wantCode(t, err, rollcall.EINTERNAL)
		if other != nil {
			t.Errorf("moved ciphertext opened: %+v", other)
		}
		// Without an actor nothing is decrypted.
		if got, err := st.GetRecord(context.Background(), r.ID); err != nil || got.Testimony != "" {
			t.Errorf("anonymous read: %v %v", got, err)
		}
	})
}

func dbPath(t *testing.T, st *Store) string {
	var seq int
	var name, file string
	must(t, st.DB().QueryRow(`PRAGMA database_list`).Scan(&seq, &name, &file))
	return file
}

func auditLen(t testing.TB, st *Store) int {
	e, err := st.AuditEntries(context.Background(), 0, 0)
	must(t, err)
	return len(e)
}

func TestAuditChain(t *testing.T) {
	eachDB(t, Options{Cipher: newTestCipher(t)}, func(t *testing.T, st *Store) {
		ctx := ctxAs(editor)
		f := mkFacility(t, st, "a", "kwanliso", "")
		f.Status = "active"
		must(t, st.UpdateFacility(ctx, f))
		s := newSource(st, "s")
		s.Informant = &rollcall.Informant{Name: "Ms Secret"}
		must(t, st.CreateSource(ctx, s))
		must(t, st.DeleteFacility(ctx, f.ID))
		must(t, st.AppendAudit(ctx, chain.Entry{Action: "export", Detail: "public list sha256:abc"}))
		entries, err := st.AuditEntries(ctx, 0, 0)
		must(t, err)
		want := []struct{ action, entity string }{
			{"create", "facility"}, {"update", "facility"}, {"create", "source"}, {"delete", "facility"}, {"export", ""},
		}
		if len(entries) != len(want) {
			t.Fatalf("%d entries, want %d: %+v", len(entries), len(want), entries)
		}
		prev := chain.Genesis()
		for i, e := range entries {
			if e.Seq != int64(i+1) || e.Action != want[i].action || e.Entity != want[i].entity || e.Actor != "ed" {
				t.Errorf("entry %d: %+v", i, e)
			}
			if e.PrevHash != prev || e.Hash != e.ComputeHash() {
				t.Errorf("entry %d breaks the chain", e.Seq)
			}
			if strings.Contains(e.Detail, "Secret") {
				t.Errorf("entry %d holds plaintext", e.Seq)
			}
			prev = e.Hash
		}
		// The update's before-hash is the create's after-hash; a delete has
		// no after-hash.
		if entries[1].BeforeHash != entries[0].AfterHash || entries[1].AfterHash == entries[1].BeforeHash {
			t.Errorf("update hashes %q -> %q do not follow create %q", entries[1].BeforeHash, entries[1].AfterHash, entries[0].AfterHash)
		}
		if entries[3].BeforeHash != entries[1].AfterHash || entries[3].AfterHash != "" {
			t.Errorf("delete hashes: %+v", entries[3])
		}
		page, err := st.AuditEntries(ctx, 2, 2)
		must(t, err)
		if len(page) != 2 || page[0].Seq != 3 {
			t.Errorf("page: %+v", page)
		}
		// Editing a stored entry is detectable.
		_, err = st.DB().Exec(`UPDATE audit_log SET actor = 'mallory' WHERE seq = 2`)
		must(t, err)
		entries, _ = st.AuditEntries(ctx, 0, 0)
		if entries[1].Hash == entries[1].ComputeHash() {
			t.Error("edited entry still verifies")
		}
	})
}

func TestConcurrentUpdates(t *testing.T) {
	eachDB(t, Options{}, func(t *testing.T, st *Store) {
		ctx := ctxAs(editor)
		f := mkFacility(t, st, "hot", "kwanliso", "")
		const n = 50
		var wg sync.WaitGroup
		var mu sync.Mutex
		ok, conflicts := 0, 0
		versions := map[int]bool{}
		start := make(chan struct{})
		for i := range n {
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-start
				cur, err := st.GetFacility(ctx, f.ID)
				if err != nil {
					t.Error(err)
					return
				}
				cur.Status = fmt.Sprintf("writer %d", i)
				err = st.UpdateFacility(ctx, cur)
				mu.Lock()
				defer mu.Unlock()
				switch rollcall.ErrorCode(err) {
				case "":
					ok++
					if versions[cur.Version] {
						t.Errorf("two writers both produced version %d", cur.Version)
					}
					versions[cur.Version] = true
				case rollcall.ECONFLICT:
					conflicts++
				default:
					t.Errorf("writer %d: %v", i, err)
				}
			}()
		}
		close(start)
		wg.Wait()
		final, err := st.GetFacility(ctx, f.ID)
		must(t, err)
		if ok+conflicts != n || ok == 0 || final.Version != 1+ok {
			t.Errorf("%d succeeded, %d conflicts, final version %d: an update was lost or double-counted", ok, conflicts, final.Version)
		}
		entries, err := st.AuditEntries(ctx, 0, 0)
		must(t, err)
		if len(entries) != 1+ok {
			t.Errorf("%d audit entries for %d writes", len(entries), 1+ok)
		}
		for i, e := range entries {
			if e.Seq != int64(i+1) {
				t.Fatalf("audit seq %d at position %d", e.Seq, i)
			}
		}
		t.Logf("%d updates succeeded, %d got ECONFLICT", ok, conflicts)
	})
}

func TestImportRecords(t *testing.T) {
	c := newTestCipher(t)
	eachDB(t, Options{Cipher: c}, func(t *testing.T, st *Store) {
		ctx := ctxAs(editor)
		s1, s2 := mkSource(t, st, "a"), mkSource(t, st, "b")
		fac := mkFacility(t, st, "f", "kwanliso", "")
		recs := make([]rollcall.Record, 2*importBatch+17)
		for i := range recs {
			recs[i] = rollcall.Record{SourceID: []int64{s1.ID, s2.ID}[i%2], Key: fmt.Sprintf("r%05d", i), Name: fmt.Sprintf("Kim %d", i),
				BirthDate: rollcall.MustDate("1970"), Sensitivity: rollcall.Internal}
			if i%10 == 0 {
				recs[i].FacilityID = &fac.ID
				recs[i].Testimony = fmt.Sprintf("testimony %d", i)
			}
		}
		must(t, st.ImportRecords(ctx, recs))
		_, n, err := st.ListRecords(ctx, rollcall.ListOptions{})
		must(t, err)
		if n != len(recs) {
			t.Fatalf("%d records imported, want %d", n, len(recs))
		}
		for _, i := range []int{0, 1, importBatch, len(recs) - 1} {
			got, err := st.GetRecord(ctx, recs[i].ID)
			must(t, err)
			want := recs[i]
			if !reflect.DeepEqual(*got, want) {
				t.Errorf("row %d read back:\n got %+v\nwant %+v", i, *got, want)
			}
		}
		entries, err := st.AuditEntries(ctx, 0, 0)
		must(t, err)
		var last chain.Entry
		for _, e := range entries {
			if e.Action == ActionImport {
				last = e
			}
		}
		if last.Action != ActionImport || !strings.Contains(last.Detail, fmt.Sprintf("%d records", len(recs))) || last.AfterHash == "" {
			t.Errorf("import audited as %+v", last)
		}
		// All or nothing: a key taken in the database, or repeated in the input.
		bad := []rollcall.Record{{SourceID: s1.ID, Key: "new", Name: "X"}, {SourceID: s1.ID, Key: "r00000", Name: "Y"}}
		wantCode(t, st.ImportRecords(ctx, bad), rollcall.ECONFLICT)
		bad = []rollcall.Record{{SourceID: s1.ID, Key: "x", Name: "X"}, {SourceID: s1.ID, Key: "x", Name: "Y"}}
		err = st.ImportRecords(ctx, bad)
		wantCode(t, err, rollcall.ECONFLICT)
		if !strings.Contains(rollcall.ErrorMessage(err), "row 2") {
			t.Errorf("message %q does not name the row", rollcall.ErrorMessage(err))
		}
		err = st.ImportRecords(ctx, []rollcall.Record{{SourceID: s1.ID, Key: "y", Name: "Y"}, {SourceID: s1.ID, Key: "z"}})
		wantCode(t, err, rollcall.EINVALID)
		if !strings.Contains(rollcall.ErrorMessage(err), "row 2") {
			t.Errorf("message %q does not name the row", rollcall.ErrorMessage(err))
		}
		if _, n2, _ := st.ListRecords(ctx, rollcall.ListOptions{}); n2 != n {
			t.Errorf("failed imports left %d rows", n2-n)
		}
		// Inside a transaction that fails, nothing stays.
		err = st.InTx(ctx, func(tx *Store) error {
			if err := tx.ImportRecords(ctx, []rollcall.Record{{SourceID: s2.ID, Key: "t1", Name: "T"}}); err != nil {
				return err
			}
			return errors.New("abort")
		})
		if err == nil {
			t.Fatal("InTx did not fail")
		}
		if _, err := st.RecordByKey(ctx, s2.ID, "t1"); rollcall.ErrorCode(err) != rollcall.ENOTFOUND {
			t.Errorf("record of a rolled-back import: %v", err)
		}
	})
}

func TestPersonsLinksAndConflicts(t *testing.T) {
	eachDB(t, Options{}, func(t *testing.T, st *Store) {
		ctx := ctxAs(editor)
		s1, s2 := mkSource(t, st, "a"), mkSource(t, st, "b")
		f1, f2 := mkFacility(t, st, "kwanliso-15", "kwanliso", ""), mkFacility(t, st, "kwanliso-16", "kwanliso", "")
		p := mkPerson(t, st, "김영희")
		r1 := &rollcall.Record{SourceID: s1.ID, Key: "1", Name: "김영희", Sex: "f", BirthDate: rollcall.MustDate("1962"), FacilityID: &f1.ID, Province: "Hamgyong"}
		r2 := &rollcall.Record{SourceID: s2.ID, Key: "1", Name: "Kim Young-hee", Sex: "f", BirthDate: rollcall.MustDate("1962-04-05"), FacilityID: &f1.ID}
		r3 := &rollcall.Record{SourceID: s2.ID, Key: "2", Name: "Pak Sun-ok", Sex: "m", BirthDate: rollcall.MustDate("1965"), FacilityID: &f2.ID}
		for _, r := range []*rollcall.Record{r1, r2, r3} {
			must(t, st.CreateRecord(ctx, r))
		}
		must(t, st.SetRecordPerson(ctx, r1.ID, &p.ID))
		must(t, st.SetRecordPerson(ctx, r2.ID, &p.ID))
		got, err := st.GetPerson(ctx, p.ID)
		must(t, err)
		if !reflect.DeepEqual(got.RecordIDs, []int64{r1.ID, r2.ID}) || len(got.Conflicts) != 0 {
			t.Errorf("agreeing records: ids %v conflicts %+v", got.RecordIDs, got.Conflicts)
		}
		must(t, st.SetRecordPerson(ctx, r3.ID, &p.ID))
		got, err = st.GetPerson(ctx, p.ID)
		must(t, err)
		want := []rollcall.Conflict{
			{Field: "name", Values: []string{"Pak Sun-ok", "김영희"}},
			{Field: "sex", Values: []string{"f", "m"}},
			{Field: "birth_date", Values: []string{"1962", "1962-04-05", "1965"}},
			{Field: "facility", Values: []string{"kwanliso-15", "kwanliso-16"}},
		}
		if !reflect.DeepEqual(got.Conflicts, want) {
			t.Errorf("conflicts\n got %+v\nwant %+v", got.Conflicts, want)
		}
		rr, err := st.GetRecord(ctx, r3.ID)
		must(t, err)
		if rr.Version != 2 || rr.PersonID == nil || *rr.PersonID != p.ID {
			t.Errorf("linked record: version %d person %v", rr.Version, rr.PersonID)
		}
		recs, err := st.RecordsOfPerson(ctx, p.ID)
		must(t, err)
		if len(recs) != 3 {
			t.Errorf("RecordsOfPerson: %d", len(recs))
		}
		must(t, st.SetRecordPerson(ctx, r3.ID, nil))
		wantCode(t, st.SetRecordPerson(ctx, r3.ID, ptr(int64(987654))), rollcall.EINVALID)
		wantCode(t, st.SetRecordPerson(ctx, 987654, &p.ID), rollcall.ENOTFOUND)
		// Deleting the person unlinks its records.
		must(t, st.DeletePerson(ctx, p.ID))
		rr, _ = st.GetRecord(ctx, r1.ID)
		if rr.PersonID != nil {
			t.Errorf("record still linked to a deleted person")
		}

		// Link decisions and the review queue.
		must(t, st.AddLinkDecision(ctx, r2.ID, r1.ID, true, "", "same birth year and camp"))
		must(t, st.AddLinkDecision(ctx, r1.ID, r2.ID, false, "analyst2", "changed my mind"))
		wantCode(t, st.AddLinkDecision(ctx, r1.ID, r1.ID, true, "x", ""), rollcall.EINVALID)
		ds, err := st.LinkDecisions(ctx)
		must(t, err)
		if len(ds) != 2 || ds[0].RecordA != r1.ID || ds[0].RecordB != r2.ID || !ds[0].Same || ds[0].By != "ed" || ds[1].Same || ds[1].By != "analyst2" {
			t.Errorf("decisions: %+v", ds)
		}
		must(t, st.ReplaceReviewQueue(ctx, []ReviewPair{{r1.ID, r2.ID, 0.9, 0}, {r3.ID, r1.ID, 0.55, 0}, {r2.ID, r3.ID, 0.2, 0}}))
		q, n, err := st.ReviewQueue(ctx, 2, 0)
		must(t, err)
		if n != 3 || len(q) != 2 || q[0] != (ReviewPair{r1.ID, r3.ID, 0.55, 0}) || q[1].Probability != 0.2 {
			t.Errorf("queue: %d %+v", n, q)
		}
		// The worth of a decision orders the queue before its doubt.
		must(t, st.ReplaceReviewQueue(ctx, []ReviewPair{{r1.ID, r2.ID, 0.5, 0.1}, {r1.ID, r3.ID, 0.3, 0.3}, {r2.ID, r3.ID, 0.2, 0.2}}))
		q, _, err = st.ReviewQueue(ctx, 0, 0)
		must(t, err)
		if len(q) != 3 || q[0].Worth != 0.3 || q[1].Worth != 0.2 || q[2].Worth != 0.1 {
			t.Errorf("queue not by worth: %+v", q)
		}
		near, err := st.ReviewPairsTouching(ctx, []int64{r3.ID})
		must(t, err)
		if len(near) != 2 || near[0].RecordA != r1.ID || near[1].RecordA != r2.ID {
			t.Errorf("pairs touching %d: %+v", r3.ID, near)
		}
		must(t, st.RescoreReviewPairs(ctx, []ReviewPair{{r2.ID, r3.ID, 0.2, 0.9}}, []ReviewPair{{r3.ID, r1.ID, 0, 0}}))
		if q, n, err = st.ReviewQueue(ctx, 0, 0); err != nil || n != 2 || q[0].RecordA != r2.ID || q[0].Worth != 0.9 {
			t.Errorf("rescored queue: %d %+v %v", n, q, err)
		}
		must(t, st.ReplaceReviewQueue(ctx, []ReviewPair{{r1.ID, r2.ID, 0.5, 0}}))
		if _, n, _ = st.ReviewQueue(ctx, 0, 0); n != 1 {
			t.Errorf("queue not replaced: %d", n)
		}
		wantCode(t, st.ReplaceReviewQueue(ctx, []ReviewPair{{r1.ID, r2.ID, 1.5, 0}}), rollcall.EINVALID)
	})
}

func TestCaptureHistories(t *testing.T) {
	eachDB(t, Options{}, func(t *testing.T, st *Store) {
		ctx := ctxAs(editor)
		a, b, c := mkSource(t, st, "list-a"), mkSource(t, st, "list-b"), mkSource(t, st, "list-c")
		k := mkFacility(t, st, "k", "kwanliso", "")
		y := mkFacility(t, st, "y", "kyohwaso", "")
		p1, p2 := mkPerson(t, st, "One"), mkPerson(t, st, "Two")
		p3 := &rollcall.Person{Name: "Three", Sex: "m", Province: "Ryanggang"}
		must(t, st.CreatePerson(ctx, p3))
		add := func(src *rollcall.Source, key string, p *rollcall.Person, fac *rollcall.Facility, sex, detained string) {
			r := &rollcall.Record{SourceID: src.ID, Key: key, Name: "n", PersonID: &p.ID, Sex: sex, DetainedFrom: rollcall.MustDate(detained)}
			if fac != nil {
				r.FacilityID = &fac.ID
			}
			must(t, st.CreateRecord(ctx, r))
		}
		add(a, "1", p1, k, "f", "1995")
		add(b, "1", p1, k, "", "c. 1997")
		add(b, "2", p2, y, "m", "")
		add(c, "1", p2, k, "m", "2004-05")
		add(c, "2", p2, y, "", "2001")
		add(a, "3", p3, nil, "f", "")
		must(t, st.CreateRecord(ctx, &rollcall.Record{SourceID: c.ID, Key: "unlinked", Name: "x"}))
		rows, names, err := st.CaptureHistories(ctx, []string{"facility_type", "sex", "decade"})
		must(t, err)
		if !reflect.DeepEqual(names, []string{"list-a", "list-b", "list-c"}) {
			t.Errorf("list names %v", names)
		}
		want := []CaptureRow{
			{PersonID: p1.ID, Lists: []int{0, 1}, Strata: map[string]string{"facility_type": "kwanliso", "sex": "f", "decade": "1990s"}, Stratum: "kwanliso|f|1990s"},
			{PersonID: p2.ID, Lists: []int{1, 2}, Strata: map[string]string{"facility_type": "kyohwaso", "sex": "m", "decade": "2000s"}, Stratum: "kyohwaso|m|2000s"},
			// The person's own sex wins over the record's.
			{PersonID: p3.ID, Lists: []int{0}, Strata: map[string]string{"facility_type": "unknown", "sex": "m", "decade": "unknown"}, Stratum: "unknown|m|unknown"},
		}
		if !reflect.DeepEqual(rows, want) {
			t.Errorf("capture histories\n got %+v\nwant %+v", rows, want)
		}
		rows, _, err = st.CaptureHistories(ctx, nil)
		must(t, err)
		if len(rows) != 3 || rows[0].Stratum != "" || rows[0].Strata != nil {
			t.Errorf("unstratified: %+v", rows)
		}
		_, _, err = st.CaptureHistories(ctx, []string{"colour"})
		wantCode(t, err, rollcall.EINVALID)
	})
}

func TestOutcomesTermsEstimates(t *testing.T) {
	eachDB(t, Options{}, func(t *testing.T, st *Store) {
		ctx := ctxAs(editor)
		p := mkPerson(t, st, "P")
		d := &rollcall.AmnestyDecree{Key: "d", Country: "KP", Title: "D"}
		must(t, st.CreateAmnestyDecree(ctx, d))
		must(t, st.AddAmnestyOutcome(ctx, &rollcall.AmnestyOutcome{PersonID: p.ID, DecreeID: d.ID, Status: rollcall.OutcomeReleaseReported}))
		must(t, st.AddAmnestyOutcome(ctx, &rollcall.AmnestyOutcome{PersonID: p.ID, DecreeID: d.ID, Status: rollcall.OutcomeReleaseVerified, Date: rollcall.MustDate("2015-09")}))
		wantCode(t, st.AddAmnestyOutcome(ctx, &rollcall.AmnestyOutcome{PersonID: p.ID, DecreeID: d.ID, Status: "freed"}), rollcall.EINVALID)
		wantCode(t, st.AddAmnestyOutcome(ctx, &rollcall.AmnestyOutcome{PersonID: 999, DecreeID: d.ID, Status: rollcall.OutcomeUnknown}), rollcall.EINVALID)
		outs, err := st.AmnestyOutcomes(ctx, d.ID, p.ID)
		must(t, err)
		if len(outs) != 2 || outs[1].Status != rollcall.OutcomeReleaseVerified || outs[1].CreatedBy != "ed" || outs[1].Date.String() != "2015-09" {
			t.Errorf("outcomes: %+v", outs)
		}
		if all, _ := st.AmnestyOutcomes(ctx, 0, 0); len(all) != 2 {
			t.Errorf("all outcomes: %d", len(all))
		}
		if none, _ := st.AmnestyOutcomes(ctx, d.ID, p.ID+1); len(none) != 0 {
			t.Errorf("outcomes of another person: %d", len(none))
		}
		wantCode(t, st.DeleteAmnestyDecree(ctx, d.ID), rollcall.EINVALID)

		must(t, st.UpsertTerm(ctx, rollcall.Term{Scheme: rollcall.VocabFacilityType, Code: "kwanliso", LabelEn: "political prison camp"}))
		must(t, st.UpsertTerm(ctx, rollcall.Term{Scheme: rollcall.VocabFacilityType, Code: "kwanliso", LabelEn: "political prison camp", LabelKo: "관리소"}))
		must(t, st.UpsertTerm(ctx, rollcall.Term{Scheme: rollcall.VocabFacilityType, Code: "kyohwaso", LabelEn: "reeducation camp"}))
		must(t, st.UpsertTerm(ctx, rollcall.Term{Scheme: rollcall.VocabFate, Code: "died", LabelEn: "died"}))
		terms, err := st.Terms(ctx, rollcall.VocabFacilityType)
		must(t, err)
		if len(terms) != 2 || terms[0].LabelKo != "관리소" || terms[1].Code != "kyohwaso" {
			t.Errorf("terms: %+v", terms)
		}
		wantCode(t, st.UpsertTerm(ctx, rollcall.Term{Scheme: "x"}), rollcall.EINVALID)

		e := &EstimateRow{Stratum: "kwanliso", Method: "loglinear", Observed: 120, Estimate: 310.5, Lower: ptr(250.0), Upper: ptr(400.0),
			Level: 0.95, Model: "[12][3]", ParamsJSON: `{"ic":"bic"}`, Seed: 42, InputHash: "abc"}
		must(t, st.SaveEstimate(ctx, e))
		wantCode(t, st.SaveEstimate(ctx, &EstimateRow{Method: "x", ParamsJSON: "{"}), rollcall.EINVALID)
		es, err := st.ListEstimates(ctx)
		must(t, err)
		if len(es) != 1 || !reflect.DeepEqual(es[0], *e) {
			t.Errorf("estimates:\n got %+v\nwant %+v", es, *e)
		}
	})
}

// TestLibcMatchesSQLite keeps modernc.org/libc at the version that
// modernc.org/sqlite was generated against: a mismatch compiles but can
// corrupt memory at run time. Since Go 1.17, go.mod lists the selected
// version of every module in the build.
func TestLibcMatchesSQLite(t *testing.T) {
	// From modernc.org/sqlite's go.mod, per sqlite release.
	required := map[string]string{"v1.62.0": "v1.80.1"}
	b, err := os.ReadFile("../../go.mod")
	if err != nil {
		t.Fatal(err)
	}
	var sqliteV, libcV string
	for _, line := range strings.Split(string(b), "\n") {
		f := strings.Fields(line)
		if len(f) >= 2 {
			switch f[0] {
			case "modernc.org/sqlite":
				sqliteV = f[1]
			case "modernc.org/libc":
				libcV = f[1]
			}
		}
	}
	want, known := required[sqliteV]
	if !known {
		t.Fatalf("modernc.org/sqlite %q: add the libc version its go.mod requires to this test", sqliteV)
	}
	if libcV != want {
		t.Fatalf("modernc.org/libc is %s but modernc.org/sqlite %s requires %s: pin it in go.mod", libcV, sqliteV, want)
	}
}

func TestOpenErrors(t *testing.T) {
	_, err := Open(context.Background(), "", Options{})
	wantCode(t, err, rollcall.EINVALID)
	// A time written by the store survives the round trip exactly.
	tm := time.Date(2026, 1, 2, 3, 4, 5, 123456000, time.UTC)
	if got := parseTime(fmtTime(tm)); !got.Equal(tm) {
		t.Errorf("time round trip %v -> %v", tm, got)
	}
}

// TestOpenPathWithURICharacters: a SQLite path holding '#', '?' or '%'
// opens exactly that file (a file: URI would otherwise end the path
// there and open a truncated name).
func TestOpenPathWithURICharacters(t *testing.T) {
	dir := t.TempDir()
	for _, name := range []string{"a#01.db", "b?x=1.db", "c%41.db"} {
		path := filepath.Join(dir, name)
		st, err := Open(context.Background(), path, Options{})
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		st.Close()
		if _, err := os.Stat(path); err != nil {
			t.Errorf("%s: the database is not at its path: %v", name, err)
		}
	}
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		if n := e.Name(); n == "a" || n == "b" || n == "cA.db" {
			t.Errorf("a truncated or decoded name was created: %s", n)
		}
	}
}
