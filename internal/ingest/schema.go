package ingest

import (
	"fmt"
	"os"
	"slices"

	"gopkg.in/yaml.v3"

	"github.com/rollcall-project/rollcall"
)

// Kind is what a table holds.
type Kind string

// Kinds of tables, in the order they are written (later kinds refer to
// earlier ones).
const (
	KindSources    Kind = "sources"
	KindFacilities Kind = "facilities"
	KindRecords    Kind = "records"
	KindEvents     Kind = "events"
)

var kindOrder = []Kind{KindSources, KindFacilities, KindRecords, KindEvents}

// ParseKind reads a kind name ("records", "record", "기록", ...).
func ParseKind(s string) (Kind, error) {
	switch normHeader(s) {
	case "":
		return "", nil
	case "sources", "source", "출처", "자료":
		return KindSources, nil
	case "facilities", "facility", "시설", "수용소":
		return KindFacilities, nil
	case "records", "record", "기록", "명단", "persons", "people":
		return KindRecords, nil
	case "events", "event", "사건":
		return KindEvents, nil
	}
	return "", fmt.Errorf("unknown kind %q (sources, records, facilities or events)", s)
}

// field is one importable column: its canonical name and the headers that
// mean it.
type field struct {
	name     string
	synonyms []string
	required bool
}

// schemas list, for each kind, its fields. Headers are compared after
// normHeader, so "Date of birth", "date_of_birth" and "DATE OF BIRTH" are
// one header.
var schemas = map[Kind][]field{
	KindSources: {
		{"key", []string{"id", "source key", "source id", "code", "출처 코드", "코드"}, true},
		{"kind", []string{"type", "source kind", "source type", "종류", "유형"}, true},
		{"title", []string{"name", "source title", "제목", "자료명"}, true},
		{"author", []string{"저자", "작성자"}, false},
		{"organisation", []string{"organization", "org", "publisher", "기관", "단체"}, false},
		{"date", []string{"published", "publication date", "날짜", "발행일", "작성일"}, false},
		{"language", []string{"lang", "언어"}, false},
		{"citation", []string{"reference", "인용"}, false},
		{"url", []string{"link", "web", "링크", "주소"}, false},
		{"reliability", []string{"source reliability", "신뢰도"}, false},
		{"credibility", []string{"information credibility", "신빙성"}, false},
		{"sensitivity", []string{"보안등급", "민감도"}, false},
		{"notes", []string{"note", "comment", "comments", "비고", "메모"}, false},
		{"fictional", []string{"synthetic", "demo", "가상"}, false},
		{"informant_name", []string{"informant", "interviewee", "제보자", "증언자", "면담자"}, false},
		{"informant_contact", []string{"contact", "informant contact", "연락처", "제보자 연락처"}, false},
		{"informant_consent", []string{"consent", "informant consent", "동의", "동의 범위"}, false},
	},
	KindRecords: {
		{"source", []string{"source key", "source id", "list", "출처", "자료"}, true},
		{"key", []string{"id", "record id", "record key", "no", "number", "row id", "번호", "연번", "일련번호"}, true},
		{"name", []string{"full name", "person", "detainee", "이름", "성명", "성함"}, true},
		{"name_alt", []string{"alt name", "other name", "alias", "name (hangul)", "hangul", "hangul name", "korean name", "한글 이름", "한글", "다른 이름", "별명"}, false},
		{"sex", []string{"gender", "성별"}, false},
		{"birth_date", []string{"dob", "date of birth", "born", "birth", "birth year", "year of birth", "생년월일", "출생일", "출생", "생년"}, false},
		{"birth_place", []string{"place of birth", "birthplace", "출생지", "고향"}, false},
		{"province", []string{"region", "residence", "home province", "origin", "도", "지역", "거주지", "주소지"}, false},
		{"charge", []string{"offence", "offense", "crime", "accusation", "죄명", "혐의", "죄목"}, false},
		{"charge_category", []string{"charge cat", "charge type", "category", "죄목 분류", "혐의 분류"}, false},
		{"facility", []string{"facility text", "camp", "prison", "place of detention", "detention facility", "수용시설", "수용소", "구금시설", "구금 장소", "교화소", "관리소"}, false},
		{"facility_key", []string{"facility id", "camp id", "시설 코드"}, false},
		{"arrest_date", []string{"arrested", "date of arrest", "arrest", "체포일", "체포 일자", "체포", "검거일"}, false},
		{"sentence_years", []string{"sentence", "term", "years", "sentence (years)", "형기", "형량"}, false},
		{"detained_from", []string{"detained", "detention start", "detention date", "imprisoned", "구금일", "수감일", "수감"}, false},
		{"released_on", []string{"released", "release date", "date of release", "석방일", "석방", "출소일"}, false},
		{"fate", []string{"status", "current status", "outcome", "현재 상태", "생사", "상태", "결과"}, false},
		{"testimony", []string{"statement", "account", "증언", "진술"}, false},
		{"sensitivity", []string{"보안등급", "민감도"}, false},
		{"fictional", []string{"synthetic", "demo", "가상"}, false},
	},
	KindFacilities: {
		{"key", []string{"id", "facility key", "facility id", "code", "시설 코드"}, true},
		{"number", []string{"no", "camp number", "번호", "호"}, false},
		{"name_en", []string{"name", "english name", "name (english)", "영문 이름", "영문명"}, true},
		{"name_ko", []string{"korean name", "name (korean)", "hangul", "한글 이름", "이름", "시설명", "명칭"}, false},
		{"aliases", []string{"alias", "other names", "also known as", "aka", "별칭", "다른 이름"}, false},
		{"type", []string{"facility type", "category", "종류", "유형"}, true},
		{"agency", []string{"administered by", "operator", "운영 기관", "관리 기관"}, false},
		{"province", []string{"region", "도", "지역"}, false},
		{"county", []string{"district", "city", "군", "시군"}, false},
		{"lat", []string{"latitude", "위도"}, false},
		{"lon", []string{"lng", "long", "longitude", "경도"}, false},
		{"location_precision", []string{"precision", "위치 정확도"}, false},
		{"opened", []string{"established", "opened on", "개소", "설립"}, false},
		{"closed", []string{"closed on", "폐쇄"}, false},
		{"status", []string{"current status", "상태", "현황"}, false},
		{"population_estimate", []string{"population", "prisoners", "inmates", "수용 인원", "인원"}, false},
		{"population_year", []string{"population as of", "기준 연도"}, false},
		{"source", []string{"sources", "citation", "출처"}, false},
	},
	KindEvents: {
		{"key", []string{"id", "event id", "event key", "번호"}, true},
		{"type", []string{"event type", "event", "종류", "유형", "사건 유형"}, true},
		{"date", []string{"start", "start date", "from", "날짜", "일자", "시작일"}, false},
		{"end_date", []string{"end", "until", "to", "종료일"}, false},
		{"facility", []string{"facility key", "camp", "prison", "시설", "수용소"}, false},
		{"place", []string{"location", "where", "장소"}, false},
		{"charge_category", []string{"charge", "charge cat", "혐의 분류"}, false},
		{"sentence_years", []string{"sentence", "term", "형기"}, false},
		{"perpetrator", []string{"perpetrating unit", "unit", "가해자", "가해 기관"}, false},
		{"description", []string{"details", "summary", "내용", "설명"}, false},
		{"sensitivity", []string{"보안등급", "민감도"}, false},
		{"fictional", []string{"synthetic", "demo", "가상"}, false},
		{"source", []string{"sources", "source key", "출처"}, false},
		{"record", []string{"record key", "victim record", "기록"}, false},
		{"role", []string{"victim role", "역할"}, false},
	},
}

// normHeader folds a header for comparison as vocabulary values are:
// lower case, without spaces, underscores, hyphens, dots and brackets.
func normHeader(s string) string { return rollcall.FoldTerm(s) }

// headerIndex maps normalised headers to fields for each kind.
var headerIndex = func() map[Kind]map[string]string {
	out := map[Kind]map[string]string{}
	for k, fs := range schemas {
		m := map[string]string{}
		for _, f := range fs {
			m[normHeader(f.name)] = f.name
			for _, s := range f.synonyms {
				if _, dup := m[normHeader(s)]; !dup {
					m[normHeader(s)] = f.name
				}
			}
		}
		out[k] = m
	}
	return out
}()

// detectKind guesses a table's kind from its sheet name, then its headers.
func detectKind(sheet string, header []string) Kind {
	if k, err := ParseKind(sheet); err == nil && k != "" {
		return k
	}
	has := map[string]bool{}
	for _, h := range header {
		has[normHeader(h)] = true
	}
	switch {
	case has["nameen"] || (has["type"] && (has["lat"] || has["latitude"])):
		return KindFacilities
	case has["kind"] && has["title"]:
		return KindSources
	case has["type"] && (has["date"] || has["record"]) && !has["name"]:
		return KindEvents
	}
	// Otherwise the kind with the most recognised headers, provided one of
	// them is a field that kind requires (a sheet of notes is no table).
	// Required fields count most: "source, key, name" is a records table
	// even though facilities also have a key and a source.
	best, bestN := Kind(""), 0
	for _, k := range kindOrder {
		n, req := 0, 0
		for h := range has {
			if f, ok := headerIndex[k][h]; ok {
				n++
				if slices.ContainsFunc(schemas[k], func(x field) bool { return x.name == f && x.required }) {
					req++
				}
			}
		}
		if score := 100*req + n; req > 0 && score > bestN {
			best, bestN = k, score
		}
	}
	return best
}

// Mapping tells how to read a file whose headers the synonyms do not cover:
// which header is which field, and constant values for fields the file
// lacks (such as the source key of a list that is one source). It is read
// from YAML or JSON:
//
//	kind: records
//	columns:
//	  "Nom complet": name
//	  "N°": key
//	defaults:
//	  source: hrw-2015-list
type Mapping struct {
	Kind     string            `yaml:"kind" json:"kind"`
	Columns  map[string]string `yaml:"columns" json:"columns"`
	Defaults map[string]string `yaml:"defaults" json:"defaults"`
}

// LoadMapping reads a mapping file (YAML or JSON) and checks that every
// field it names exists.
func LoadMapping(path string) (*Mapping, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read mapping: %w", err)
	}
	var m Mapping
	if err := yaml.Unmarshal(b, &m); err != nil {
		return nil, &FieldError{File: path, Row: 1, Column: "*", Reason: "not a valid YAML or JSON mapping: " + err.Error()}
	}
	if err := m.check(); err != nil {
		return nil, &FieldError{File: path, Row: 1, Column: "*", Reason: err.Error()}
	}
	return &m, nil
}

func (m *Mapping) check() error {
	k, err := ParseKind(m.Kind)
	if err != nil {
		return err
	}
	kinds := kindOrder
	if k != "" {
		kinds = []Kind{k}
	}
	known := func(f string) bool {
		for _, k := range kinds {
			if slices.ContainsFunc(schemas[k], func(x field) bool { return x.name == f }) {
				return true
			}
		}
		return false
	}
	for h, f := range m.Columns {
		if f != "" && f != "-" && !known(f) {
			return fmt.Errorf("column %q maps to unknown field %q", h, f)
		}
	}
	for f := range m.Defaults {
		if !known(f) {
			return fmt.Errorf("default for unknown field %q", f)
		}
	}
	return nil
}

// exportOnly are columns rollcall's own export writes that an import does
// not read (ids and versions are the database's), so they are skipped
// without a warning.
var exportOnly = map[string]bool{
	"id": true, "version": true, "createdat": true, "updatedat": true, "sourceid": true, "facilityid": true,
	"personid": true, "sourceids": true, "victims": true, "recordids": true, "conflicts": true, "consentpublish": true,
}

// columns resolves a header row: for each column, the field it fills ("" if
// none), and the fields required but missing. A header that is exactly a
// field's name wins over another header that is only a synonym of it; a
// synonym whose field is already taken is skipped.
func columns(kind Kind, header []string, m *Mapping) (fields []string, unknown []int, missing []string) {
	fields = make([]string, len(header))
	explicit := map[string]string{}
	if m != nil {
		for h, f := range m.Columns {
			explicit[normHeader(h)] = f
		}
	}
	exact := map[string]string{}
	for _, f := range schemas[kind] {
		exact[normHeader(f.name)] = f.name
	}
	seen := map[string]bool{}
	// Pass 1: mapped and exact headers; pass 2: synonyms.
	for pass := 1; pass <= 2; pass++ {
		for i, h := range header {
			n := normHeader(h)
			f, mapped := explicit[n]
			switch {
			case mapped:
				if pass == 2 {
					continue
				}
				if f == "-" || f == "" {
					continue // deliberately ignored
				}
			case pass == 1:
				if f = exact[n]; f == "" {
					continue
				}
			default:
				if exact[n] != "" {
					continue // done in pass 1
				}
				f = headerIndex[kind][n]
				if f == "" {
					if n != "" && !exportOnly[n] {
						unknown = append(unknown, i)
					}
					continue
				}
				if seen[f] {
					if exportOnly[n] {
						continue
					}
					fields[i] = "\x00dup:" + f
					continue
				}
			}
			if seen[f] {
				// A second column for the same field would silently lose one.
				fields[i] = "\x00dup:" + f
				continue
			}
			seen[f] = true
			fields[i] = f
		}
	}
	for _, f := range schemas[kind] {
		if f.required && !seen[f.name] && (m == nil || m.Defaults[f.name] == "") {
			missing = append(missing, f.name)
		}
	}
	return fields, unknown, missing
}
