package export

import (
	"bufio"
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rollcall-project/rollcall"
	"github.com/rollcall-project/rollcall/internal/demo/synth"
	"github.com/rollcall-project/rollcall/internal/ingest"
	"github.com/rollcall-project/rollcall/internal/keys"
	"github.com/rollcall-project/rollcall/internal/refdata"
	"github.com/rollcall-project/rollcall/internal/store"
	"github.com/rollcall-project/rollcall/internal/storetest"
)

func ctxSystem() context.Context {
	return rollcall.WithActor(context.Background(), rollcall.Actor{Name: "test", Role: rollcall.RoleSystem})
}

// setup returns a store (with a field cipher) holding the reference data,
// a synthetic dataset, and one record with a testimony from a source with
// an informant.
func setup(t *testing.T, db storetest.DB) (*store.Store, *synth.Dataset) {
	t.Helper()
	ctx := ctxSystem()
	k := bytes.Repeat([]byte{7}, keys.KeySize)
	c, err := keys.NewCipher(1, map[byte][]byte{1: k}, bytes.Repeat([]byte{9}, keys.KeySize))
	if err != nil {
		t.Fatal(err)
	}
	st := storetest.Open(t, store.Open, db.DSN, store.Options{Cipher: c})
	if err := refdata.Load(ctx, st); err != nil {
		t.Fatal(err)
	}
	ds, err := synth.Generate(synth.Options{Persons: 200, Seed: 5})
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	if err := ds.WriteCSV(dir); err != nil {
		t.Fatal(err)
	}
	if _, err := ingest.Import(ctx, st, []string{filepath.Join(dir, "sources.csv"), filepath.Join(dir, "records.csv"),
		filepath.Join(dir, "events.csv")}, ingest.Options{}); err != nil {
		t.Fatal(err)
	}
	src := &rollcall.Source{Key: "interview-1", Kind: "testimony", Title: "Interview", Sensitivity: rollcall.Internal,
		Informant: &rollcall.Informant{Name: "SECRET-INFORMANT-NAME", Contact: "secret@example.org"}}
	if err := st.CreateSource(ctx, src); err != nil {
		t.Fatal(err)
	}
	rec := &rollcall.Record{SourceID: src.ID, Key: "1", Name: "Kim Test", Testimony: "SECRET-TESTIMONY-TEXT", Sensitivity: rollcall.Internal}
	if err := st.CreateRecord(ctx, rec); err != nil {
		t.Fatal(err)
	}
	return st, ds
}

func export(t *testing.T, st *store.Store, entity, format string) ([]byte, Stats) {
	t.Helper()
	var b bytes.Buffer
	stats, err := Write(ctxSystem(), st, &b, Options{Entity: entity, Format: format, PageSize: 37})
	if err != nil {
		t.Fatalf("export %s as %s: %v", entity, format, err)
	}
	return b.Bytes(), stats
}

func TestExportAllFormats(t *testing.T) { storetest.Run(t, testExportAllFormats) }

func testExportAllFormats(t *testing.T, db storetest.DB) {
	st, ds := setup(t, db)
	ctx := ctxSystem()
	_, nRecords, _ := st.ListRecords(ctx, rollcall.ListOptions{Limit: 1})
	_, nSources, _ := st.ListSources(ctx, rollcall.ListOptions{Limit: 1})
	_, nEvents, _ := st.ListEvents(ctx, rollcall.ListOptions{Limit: 1})
	_, nFacs, _ := st.ListFacilities(ctx, rollcall.ListOptions{Limit: 1})
	confidentialSources := 0
	for _, s := range ds.Sources {
		if s.Sensitivity == rollcall.Confidential {
			confidentialSources++
		}
	}
	want := map[string]int{Records: nRecords, Sources: nSources - confidentialSources, Events: nEvents, Facilities: nFacs, Persons: 0}
	for _, entity := range Entities {
		for _, format := range []string{CSV, JSON, NDJSON} {
			out, stats := export(t, st, entity, format)
			// Neither the confidential values nor a field or column for them.
			for _, secret := range []string{"SECRET-TESTIMONY-TEXT", "SECRET-INFORMANT-NAME", "secret@example.org",
				`"testimony":`, `"testimony_redacted"`, `"informant":`, `"informant_redacted"`} {
				if bytes.Contains(out, []byte(secret)) {
					t.Errorf("%s %s export contains %q", entity, format, secret)
				}
			}
			var n int
			switch format {
			case CSV:
				rows, err := csv.NewReader(bytes.NewReader(out)).ReadAll()
				if err != nil {
					t.Fatalf("%s csv: %v", entity, err)
				}
				n = len(rows) - 1
				if rows[0][0] != "id" || strings.Contains(strings.Join(rows[0], ","), "testimony") || strings.Contains(strings.Join(rows[0], ","), "informant") {
					t.Errorf("%s csv header %v", entity, rows[0])
				}
			case JSON:
				var arr []map[string]any
				if err := json.Unmarshal(out, &arr); err != nil {
					t.Fatalf("%s json: %v", entity, err)
				}
				n = len(arr)
			case NDJSON:
				sc := bufio.NewScanner(bytes.NewReader(out))
				sc.Buffer(nil, 1<<20)
				for sc.Scan() {
					var m map[string]any
					if err := json.Unmarshal(sc.Bytes(), &m); err != nil {
						t.Fatalf("%s ndjson line %d: %v", entity, n+1, err)
					}
					n++
				}
			}
			if n != want[entity] || stats.Written != n {
				t.Errorf("%s %s: %d rows (stats %d), want %d", entity, format, n, stats.Written, want[entity])
			}
		}
	}
}

func TestExportGeoJSON(t *testing.T) { storetest.Run(t, testExportGeoJSON) }

func testExportGeoJSON(t *testing.T, db storetest.DB) {
	st, _ := setup(t, db)
	out, stats := export(t, st, "", GeoJSON)
	var fc struct {
		Type     string `json:"type"`
		Features []struct {
			Type     string `json:"type"`
			Geometry struct {
				Type        string    `json:"type"`
				Coordinates []float64 `json:"coordinates"`
			} `json:"geometry"`
			Properties map[string]any `json:"properties"`
		} `json:"features"`
	}
	if err := json.Unmarshal(out, &fc); err != nil {
		t.Fatalf("not JSON: %v", err)
	}
	facs, _, err := st.ListFacilities(ctxSystem(), rollcall.ListOptions{Limit: -1})
	if err != nil {
		t.Fatal(err)
	}
	byKey := map[string]rollcall.Facility{}
	withCoords := 0
	for _, f := range facs {
		byKey[f.Key] = f
		if f.Lat != nil && f.Lon != nil {
			withCoords++
		}
	}
	if fc.Type != "FeatureCollection" || len(fc.Features) != withCoords || withCoords == 0 {
		t.Fatalf("type %q with %d features, want FeatureCollection with %d", fc.Type, len(fc.Features), withCoords)
	}
	if stats.Skipped != len(facs)-withCoords {
		t.Errorf("skipped %d, want %d", stats.Skipped, len(facs)-withCoords)
	}
	for _, ft := range fc.Features {
		key, _ := ft.Properties["key"].(string)
		f, ok := byKey[key]
		if !ok || ft.Type != "Feature" || ft.Geometry.Type != "Point" || len(ft.Geometry.Coordinates) != 2 {
			t.Fatalf("bad feature %+v", ft)
		}
		// RFC 7946: longitude first. North Korea's longitudes (124–131)
		// and latitudes (37–43) cannot be confused.
		lon, lat := ft.Geometry.Coordinates[0], ft.Geometry.Coordinates[1]
		if lon != *f.Lon || lat != *f.Lat || lon < 124 || lon > 131 || lat < 37 || lat > 43.1 {
			t.Errorf("%s at %v,%v, want lon %v lat %v", key, lon, lat, *f.Lon, *f.Lat)
		}
		for _, p := range []string{"name_en", "type", "status", "source"} {
			if _, ok := ft.Properties[p]; !ok {
				t.Errorf("%s lacks property %s", key, p)
			}
		}
	}
	var b bytes.Buffer
	if _, err := Write(ctxSystem(), st, &b, Options{Entity: Records, Format: GeoJSON}); rollcall.ErrorCode(err) != rollcall.EINVALID {
		t.Errorf("GeoJSON of records: %v, want invalid", err)
	}
	if _, err := Write(ctxSystem(), st, &b, Options{Entity: Records, Format: "xml"}); rollcall.ErrorCode(err) != rollcall.EINVALID {
		t.Errorf("xml: %v, want invalid", err)
	}
}

// TestExportCSVReimports checks that the records export reads back through
// the importer unchanged: an export is a valid import of the same data.
func TestExportCSVReimports(t *testing.T) { storetest.Run(t, testExportCSVReimports) }

func testExportCSVReimports(t *testing.T, db storetest.DB) {
	st, _ := setup(t, db)
	ctx := ctxSystem()
	dir := t.TempDir()
	var paths []string
	for _, e := range []string{Sources, Records} {
		out, _ := export(t, st, e, CSV)
		p := filepath.Join(dir, e+".csv")
		if err := writeFile(p, out); err != nil {
			t.Fatal(err)
		}
		paths = append(paths, p)
	}
	res, err := ingest.Import(ctx, st, paths, ingest.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if res.Records.Created != 0 || res.Records.Updated != 0 || res.Sources.Created != 0 || res.Sources.Updated != 0 {
		t.Errorf("re-importing the export changed data: %+v", res)
	}
	if strings.Contains(strings.Join(res.Warnings, "\n"), "source_id") {
		t.Errorf("export-only columns gave warnings: %v", res.Warnings)
	}
}
