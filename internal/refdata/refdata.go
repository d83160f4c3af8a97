// Package refdata holds the reference data rollcall ships with: the known
// North Korean detention facilities, the controlled vocabularies, the
// published estimates of detainee numbers and the announced amnesty decrees.
// The facts come from public sources, copied with their source column into
// data/ (see data/SOURCES.md); the vocabularies are our own. Load writes all
// of it into a store, idempotently.
package refdata

import (
	"bytes"
	"embed"
	"encoding/csv"
	"fmt"
	"io"
	"regexp"
	"strconv"
	"strings"

	"github.com/rollcall-project/rollcall"
	"github.com/rollcall-project/rollcall/internal/refdata/gazetteer"
)

//go:embed data/*.csv
var dataFS embed.FS

// table is one embedded CSV read into rows keyed by header name.
type table struct {
	name string
	rows []map[string]string
}

func readTable(name string) (*table, error) {
	var b []byte
	if name == "facilities.csv" {
		// one copy, shared with the name resolvers
		b = gazetteer.FacilitiesCSV()
	} else {
		var err error
		if b, err = dataFS.ReadFile("data/" + name); err != nil {
			return nil, fmt.Errorf("refdata: %w", err)
		}
	}
	r := csv.NewReader(bytes.NewReader(b))
	header, err := r.Read()
	if err != nil {
		return nil, fmt.Errorf("refdata: %s: header: %w", name, err)
	}
	t := &table{name: name}
	for {
		rec, err := r.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("refdata: %s: %w", name, err)
		}
		row := make(map[string]string, len(header))
		for i, h := range header {
			row[h] = strings.TrimSpace(rec[i])
		}
		t.rows = append(t.rows, row)
	}
	return t, nil
}

func parseFloatPtr(s string) (*float64, error) {
	if s == "" {
		return nil, nil
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil {
		return nil, err
	}
	return &f, nil
}

// Agencies by facility type, from the type descriptions in
// data/facility_types.csv.
var typeAgency = map[string]string{
	"kwanliso":           "State Security (bowibu)",
	"kyohwaso":           "People's Security, correctional bureau (교화국)",
	"kyoyangso":          "People's Security (local)",
	"jipkyulso":          "provincial security bureau",
	"rodong_danryeondae": "People's Security (local)",
}

var parenRE = regexp.MustCompile(`\s*\(([^)]*)\)`)

// Facilities returns the known facilities of gazetteer/data/facilities.csv, each with
// its source citation and the name variants sources use as aliases.
func Facilities() ([]rollcall.Facility, error) {
	t, err := readTable("facilities.csv")
	if err != nil {
		return nil, err
	}
	out := make([]rollcall.Facility, 0, len(t.rows))
	for i, r := range t.rows {
		f := rollcall.Facility{
			Key:      r["id"],
			Number:   r["number"],
			NameEn:   r["name_en"],
			NameKo:   r["name_ko"],
			Type:     r["type"],
			Agency:   typeAgency[r["type"]],
			Province: r["province"],
			County:   r["county"],
			Status:   r["status"],
			Source:   r["source"],
		}
		line := i + 2
		if f.Lat, err = parseFloatPtr(r["lat"]); err != nil {
			return nil, fmt.Errorf("refdata: facilities.csv:%d: lat: %w", line, err)
		}
		if f.Lon, err = parseFloatPtr(r["lon"]); err != nil {
			return nil, fmt.Errorf("refdata: facilities.csv:%d: lon: %w", line, err)
		}
		switch {
		case f.Lat != nil && f.Lon != nil:
			// The sources give one point for a camp that covers many square
			// kilometres.
			f.LocationPrecision = "approximate"
		case f.County != "":
			f.LocationPrecision = "county"
		default:
			f.LocationPrecision = "province"
		}
		if f.Opened, err = rollcall.ParseDate(r["opened"]); err != nil {
			return nil, fmt.Errorf("refdata: facilities.csv:%d: opened: %w", line, err)
		}
		if f.Closed, err = rollcall.ParseDate(r["closed"]); err != nil {
			return nil, fmt.Errorf("refdata: facilities.csv:%d: closed: %w", line, err)
		}
		if pe := r["population_estimate"]; pe != "" {
			if n, err := strconv.ParseInt(pe, 10, 64); err == nil {
				f.PopulationEst = &n
			} else {
				// A range such as "3300-5000" has no single figure: keep it
				// in words beside the source rather than pick one.
				f.Source = fmt.Sprintf("population estimate %s (%s); %s", pe, r["population_year"], f.Source)
			}
			f.PopulationYear = r["population_year"]
		}
		f.Aliases = aliases(f)
		out = append(out, f)
	}
	return out, nil
}

// aliases lists the ways sources name a facility: "Camp 15", "Kwan-li-so
// No. 15", "Yodok", "요덕 관리소", "Kyo-hwa-so No. 1", ...
func aliases(f rollcall.Facility) []string {
	seen := map[string]bool{}
	var out []string
	add := func(s string) {
		s = strings.TrimSpace(s)
		if s != "" && s != f.NameEn && s != f.NameKo && !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	// The place is the first word of the English name ("Yodok political
	// prison camp (Camp 15)"); the Korean place likewise.
	place := strings.Fields(f.NameEn)[0]
	var placeKo string
	if ko := strings.Fields(f.NameKo); len(ko) > 0 {
		placeKo = strings.TrimSuffix(strings.TrimSuffix(ko[0], "교화소"), "집결소")
	}
	if m := parenRE.FindStringSubmatch(f.NameEn); m != nil {
		add(m[1])
	}
	add(parenRE.ReplaceAllString(f.NameEn, ""))
	n := f.Number
	switch f.Type {
	case "kwanliso":
		if n != "" {
			add("Camp " + n)
			add("Camp No. " + n)
			add("Kwan-li-so No. " + n)
			add("Kwalliso No. " + n)
			add("Kwanliso " + n)
			add("제" + n + "호 관리소")
			add(n + "호 관리소")
		}
		add(place)
		add(place + " camp")
		if placeKo != "" {
			add(placeKo + " 관리소")
			add(placeKo + " 정치범수용소")
		}
	case "kyohwaso":
		if n != "" {
			add("Kyo-hwa-so No. " + n)
			add("Kyohwaso No. " + n)
			add("Prison No. " + n)
			add("제" + n + "호 교화소")
		}
		add(place + " kyohwaso")
		add(place + " prison")
		if placeKo != "" {
			add(placeKo + " 교화소")
		}
	case "jipkyulso":
		add(place + " jipkyulso")
		add(place + " holding centre")
		if placeKo != "" {
			add(placeKo + " 집결소")
		}
	}
	return out
}

// Terms returns every vocabulary term: our own vocabularies
// (data/vocabulary.csv) with the sources of the facility types merged in,
// the zones within political prison camps, and the UN Commission of
// Inquiry's lists (data/coi_vocabulary.csv).
func Terms() ([]rollcall.Term, error) {
	voc, err := readTable("vocabulary.csv")
	if err != nil {
		return nil, err
	}
	ft, err := readTable("facility_types.csv")
	if err != nil {
		return nil, err
	}
	coi, err := readTable("coi_vocabulary.csv")
	if err != nil {
		return nil, err
	}
	typeRow := map[string]map[string]string{}
	for _, r := range ft.rows {
		typeRow[r["code"]] = r
	}
	var out []rollcall.Term
	for _, r := range voc.rows {
		t := rollcall.Term{
			Scheme:      r["scheme"],
			Code:        r["code"],
			LabelEn:     r["label_en"],
			LabelKo:     r["label_ko"],
			Description: r["description"],
		}
		if t.Scheme == rollcall.VocabFacilityType {
			if src, ok := typeRow[t.Code]; ok {
				t.Description = src["description"]
				t.Source = src["source"]
			}
		}
		out = append(out, t)
	}
	// The two zones of a kwanliso are not facility types; they get their
	// own scheme.
	for _, code := range []string{"total_control_zone", "revolutionizing_zone"} {
		r, ok := typeRow[code]
		if !ok {
			return nil, fmt.Errorf("refdata: facility_types.csv has no %s", code)
		}
		out = append(out, rollcall.Term{
			Scheme: "facility_zone", Code: code, LabelEn: r["name_en"], LabelKo: r["name_ko"],
			Description: r["description"], Source: r["source"],
		})
	}
	for _, r := range coi.rows {
		out = append(out, rollcall.Term{
			Scheme: r["scheme"], Code: r["code"], LabelEn: r["term"], LabelKo: r["term_ko"],
			Source: strings.TrimSpace(r["source"] + " " + r["url"]),
		})
	}
	return out, nil
}

// PublishedEstimates returns the figures others published
// (data/estimates.csv), each with its source.
func PublishedEstimates() ([]rollcall.PublishedEstimate, error) {
	t, err := readTable("estimates.csv")
	if err != nil {
		return nil, err
	}
	out := make([]rollcall.PublishedEstimate, 0, len(t.rows))
	for i, r := range t.rows {
		e := rollcall.PublishedEstimate{
			Subject: r["subject"], Period: r["year"], Unit: r["unit"],
			Source: r["source"], URL: r["url"],
		}
		for _, c := range []struct {
			col string
			dst **float64
		}{{"low", &e.Low}, {"high", &e.High}, {"point", &e.Point}} {
			if *c.dst, err = parseFloatPtr(r[c.col]); err != nil {
				return nil, fmt.Errorf("refdata: estimates.csv:%d: %s: %w", i+2, c.col, err)
			}
		}
		out = append(out, e)
	}
	return out, nil
}

// DraftReading is the project's draft rule for a decree that has no
// executable rule: read from the decree's reported wording, never the
// decree's own text. Rule is empty where the wording gives no criteria;
// Note then says so.
type DraftReading struct {
	Rule string `json:"rule"`
	Note string `json:"note"`
}

// DraftReadings returns the draft readings by decree key
// (data/amnesty_reading.csv: draft_rule, draft_note).
func DraftReadings() (map[string]DraftReading, error) {
	rd, err := readTable("amnesty_reading.csv")
	if err != nil {
		return nil, err
	}
	out := map[string]DraftReading{}
	for _, r := range rd.rows {
		if r["draft_rule"] != "" || r["draft_note"] != "" {
			out[r["key"]] = DraftReading{Rule: r["draft_rule"], Note: r["draft_note"]}
		}
	}
	return out, nil
}

// AmnestyDecrees returns the announced North Korean amnesties
// (data/amnesties.csv) with our reading of each (data/amnesty_reading.csv):
// key, decree number, decree date, issuing body, and the executable rule
// where the wording allows one (so far only the 2015 decree).
func AmnestyDecrees() ([]rollcall.AmnestyDecree, error) { return amnestyDecrees("en") }

// amnestyDecrees builds the decrees with their texts in lang: "en" as
// published (or our English reading), "ko" from amnesties_ko.csv.
func amnestyDecrees(lang string) ([]rollcall.AmnestyDecree, error) {
	t, err := readTable("amnesties.csv")
	if err != nil {
		return nil, err
	}
	rd, err := readTable("amnesty_reading.csv")
	if err != nil {
		return nil, err
	}
	reading := map[string]map[string]string{}
	for _, r := range rd.rows {
		reading[r["announced"]] = r
	}
	kt, err := readTable("amnesties_ko.csv")
	if err != nil {
		return nil, err
	}
	korean := map[string]map[string]string{}
	for _, r := range kt.rows {
		korean[r["announced"]] = r
	}
	out := make([]rollcall.AmnestyDecree, 0, len(t.rows))
	for i, r := range t.rows {
		line := i + 2
		rr, ok := reading[r["announced"]]
		if !ok {
			return nil, fmt.Errorf("refdata: amnesties.csv:%d: no reading in amnesty_reading.csv for %q", line, r["announced"])
		}
		d := rollcall.AmnestyDecree{
			Key:                rr["key"],
			Country:            "KP",
			Number:             rr["number"],
			IssuingBody:        rr["issuing_body"],
			Occasion:           r["occasion"],
			WordingTranslation: r["criteria_text"],
			AnnouncedNumber:    r["reported_released"],
			Rule:               rr["rule"],
			Notes:              rr["notes"],
			Sources:            strings.TrimSpace(r["source"] + " " + r["url"]),
		}
		if ab := r["announced_by"]; ab != "" {
			d.Notes = strings.TrimSpace("As reported: " + ab + ". " + d.Notes)
		}
		if d.Announced, err = rollcall.ParseDate(r["announced"]); err != nil {
			return nil, fmt.Errorf("refdata: amnesties.csv:%d: announced: %w", line, err)
		}
		if d.Effective, err = rollcall.ParseDate(r["effective"]); err != nil {
			return nil, fmt.Errorf("refdata: amnesties.csv:%d: effective: %w", line, err)
		}
		if d.Decreed, err = rollcall.ParseDate(rr["decreed"]); err != nil {
			return nil, fmt.Errorf("refdata: amnesty_reading.csv: %s: decreed: %w", d.Key, err)
		}
		d.Title = "Amnesty announced " + d.Announced.Human("en")
		if d.Occasion != "" {
			d.Title += ": " + d.Occasion
		}
		if lang == "ko" {
			kr, ok := korean[r["announced"]]
			if !ok {
				return nil, fmt.Errorf("refdata: amnesties.csv:%d: no Korean in amnesties_ko.csv for %q", line, r["announced"])
			}
			koreanDecree(&d, kr)
		}
		out = append(out, d)
	}
	return out, nil
}
