// Package publish builds the redacted public export: the list of persons
// whose publication was consented to, the facilities, and statistics over
// the persons it does not name with small cells left out (suppress.go),
// signed so that anyone can check a copy, and recorded with what it
// revealed so that a later publication cannot be differenced against it
// (record.go).
//
// The export is built from an allow-list: every output type below is a new
// struct holding only fields cleared for publication, filled field by field.
// Nothing is copied from a domain struct and then trimmed, so a field added
// to the domain later cannot leak by default.
package publish

import (
	"bytes"
	"cmp"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/rollcall-project/rollcall"
	"github.com/rollcall-project/rollcall/internal/store"
)

// Format names the export format. Format 2 counts only the persons the
// list does not name, drops small cells instead of marking them, and
// carries a publication number (issue 12 finding 1: format 1 leaked the
// withheld persons by subtraction).
const Format = "rollcall-public-export/2"

// FormatV1 is the format of exports made before publication numbers;
// verify-export warns about them.
const FormatV1 = "rollcall-public-export/1"

// DefaultK is the smallest count a statistics cell may show.
const DefaultK = 5

// Data is what the export is built from; the caller reads it from the store
// with the system role.
type Data struct {
	Persons    []rollcall.Person
	Records    []rollcall.Record
	Facilities []rollcall.Facility
}

// Export is the public document.
type Export struct {
	Format string `json:"format"`
	// Publication is the number the publisher's database gave this export
	// (rollcall publish list).
	Publication int64     `json:"publication"`
	GeneratedAt time.Time `json:"generated_at"`
	Notice      string    `json:"notice"`
	// K is the suppression threshold: no statistics cell shows a count
	// between 1 and K-1.
	K       int            `json:"k"`
	Persons []PublicPerson `json:"persons"`
	// Withheld is how many persons the list does not name; nil when any
	// statistics cell was left out, since it would help recover one.
	Withheld   *int             `json:"persons_withheld"`
	Facilities []PublicFacility `json:"facilities"`
	// Statistics count the persons the list does not name, only them.
	Statistics []Table `json:"statistics"`
	// Fictional is true when any published row is fictional demo data.
	Fictional bool `json:"fictional"`
}

// PublicPerson is a documented person whose identity may be published.
type PublicPerson struct {
	Ref        string   `json:"ref"`
	Name       string   `json:"name"`
	NameAlt    string   `json:"name_alt,omitempty"`
	Sex        string   `json:"sex,omitempty"`
	BirthYear  int      `json:"birth_year,omitempty"`
	Province   string   `json:"province,omitempty"`
	Status     string   `json:"status,omitempty"`
	Facilities []string `json:"facilities,omitempty"`
	Fictional  bool     `json:"fictional,omitempty"`
}

// PublicFacility is a place of detention as published.
type PublicFacility struct {
	Key               string   `json:"key"`
	Number            string   `json:"number,omitempty"`
	NameEn            string   `json:"name_en"`
	NameKo            string   `json:"name_ko,omitempty"`
	Type              string   `json:"type"`
	Province          string   `json:"province,omitempty"`
	County            string   `json:"county,omitempty"`
	Lat               *float64 `json:"lat,omitempty"`
	Lon               *float64 `json:"lon,omitempty"`
	LocationPrecision string   `json:"location_precision,omitempty"`
	Opened            string   `json:"opened,omitempty"`
	Closed            string   `json:"closed,omitempty"`
	Status            string   `json:"status,omitempty"`
	Source            string   `json:"source,omitempty"`
}

// Table is a one-way frequency table over the persons the list does not
// name. A value whose count is left out does not appear at all.
type Table struct {
	Name  string `json:"name"`
	Cells []Cell `json:"cells"`
	// Total is the number of persons counted; nil when any cell of any
	// table was left out.
	Total *int `json:"total"`
}

// Cell is one value's count, at least K.
type Cell struct {
	Value string `json:"value"`
	Count int    `json:"count"`
}

// Publishable reports whether a person's identity may appear in the list:
// marked public and consented to publication.
func Publishable(p rollcall.Person) bool {
	return rollcall.Visible(rollcall.PublicReader(), p) && p.ConsentPublish
}

// Options are the parameters of one publication.
type Options struct {
	// K is the smallest count a cell may show; < 1 is refused by CheckK.
	K int
	// Number is the publication number (the store's next one).
	Number int64
	Now    time.Time
	// Earlier are the counts every earlier publication revealed; a cell
	// whose difference with any of them is in 1..K-1 is withheld.
	Earlier []store.PublishedCell
}

// CheckK refuses a suppression threshold below 1.
func CheckK(k int) error {
	if k < 1 {
		return rollcall.Errorf(rollcall.EINVALID, "--k must be a whole number of at least 1 (the default is %d), not %d", DefaultK, k)
	}
	return nil
}

// dims are the statistics tables: name and the person's value.
var dims = []struct {
	name string
	of   func(rollcall.Person) string
}{
	{"persons_by_status", func(p rollcall.Person) string { return p.Status }},
	{"persons_by_province", func(p rollcall.Person) string { return p.Province }},
	{"persons_by_sex", func(p rollcall.Person) string { return p.Sex }},
}

// Build makes the export and says which cells were withheld because they
// differ by less than K from an earlier publication (for the operator,
// never for the export).
func Build(d Data, o Options) (*Export, []Differenced, error) {
	if err := CheckK(o.K); err != nil {
		return nil, nil, err
	}
	k := o.K
	fac := map[int64]string{}
	e := &Export{Format: Format, Publication: o.Number, GeneratedAt: o.Now.UTC().Truncate(time.Second), K: k,
		Notice: "Redacted public export. Only persons who consented to publication are named. The statistics count only the persons not named; " +
			"a count below k, and any count that would let one be recovered from this or an earlier publication, is left out, and then totals are null."}
	for _, f := range d.Facilities {
		fac[f.ID] = f.Key
		e.Facilities = append(e.Facilities, PublicFacility{
			Key: f.Key, Number: f.Number, NameEn: f.NameEn, NameKo: f.NameKo, Type: f.Type,
			Province: f.Province, County: f.County, Lat: f.Lat, Lon: f.Lon, LocationPrecision: f.LocationPrecision,
			Opened: f.Opened.String(), Closed: f.Closed.String(), Status: f.Status, Source: f.Source,
		})
	}
	// Facilities of a person come only from public records.
	perFac := map[int64][]string{}
	for _, r := range d.Records {
		if r.PersonID == nil || r.FacilityID == nil || !rollcall.Visible(rollcall.PublicReader(), r) {
			continue
		}
		if key, ok := fac[*r.FacilityID]; ok && !slices.Contains(perFac[*r.PersonID], key) {
			perFac[*r.PersonID] = append(perFac[*r.PersonID], key)
		}
	}
	counts := make([]map[string]int, len(dims))
	for i := range dims {
		counts[i] = map[string]int{}
	}
	unnamed := 0
	for _, p := range d.Persons {
		if !Publishable(p) {
			// Only the persons the list does not name are counted.
			unnamed++
			for i, dim := range dims {
				v := dim.of(p)
				if v == "" {
					v = "unknown"
				}
				counts[i][v]++
			}
			continue
		}
		pp := PublicPerson{Ref: fmt.Sprintf("P%d", p.ID), Name: p.Name, NameAlt: p.NameAlt, Sex: p.Sex,
			Province: p.Province, Status: p.Status, Fictional: p.Fictional}
		if !p.BirthDate.IsZero() {
			pp.BirthYear = p.BirthDate.Year()
		}
		pp.Facilities = perFac[p.ID]
		slices.Sort(pp.Facilities)
		e.Persons = append(e.Persons, pp)
		e.Fictional = e.Fictional || p.Fictional
	}
	slices.SortFunc(e.Persons, func(a, b PublicPerson) int { return cmp.Compare(a.Ref, b.Ref) })
	names := make([]string, len(dims))
	for i, dim := range dims {
		names[i] = dim.name
	}
	tables, total, diffs := Suppress(names, counts, unnamed, k, o.Earlier)
	e.Statistics = tables
	e.Withheld = total
	return e, diffs, nil
}

// Marshal encodes the export canonically (indented JSON, trailing newline).
func (e *Export) Marshal() ([]byte, error) {
	b, err := json.MarshalIndent(e, "", "  ")
	if err != nil {
		return nil, err
	}
	return append(b, '\n'), nil
}

// Signature is the detached signature of an export file, written beside it
// as FILE.sig.
type Signature struct {
	SHA256    string
	PublicKey ed25519.PublicKey
	Sig       []byte
}

const sigHeader = "rollcall export signature v1"

// signedMessage binds the header and the file hash.
func signedMessage(sum string) []byte { return []byte(sigHeader + "\nsha256 " + sum + "\n") }

// Sign signs the exact bytes of an export.
func Sign(priv ed25519.PrivateKey, export []byte) Signature {
	sum := sha256.Sum256(export)
	s := Signature{SHA256: hex.EncodeToString(sum[:]), PublicKey: priv.Public().(ed25519.PublicKey)}
	s.Sig = ed25519.Sign(priv, signedMessage(s.SHA256))
	return s
}

// Text is the .sig file content.
func (s Signature) Text() string {
	return fmt.Sprintf("%s\nsha256 %s\nkey ed25519:%s\nsig %s\n", sigHeader, s.SHA256,
		base64.StdEncoding.EncodeToString(s.PublicKey), base64.StdEncoding.EncodeToString(s.Sig))
}

// ParseSignature reads a .sig file.
func ParseSignature(text string) (Signature, error) {
	var s Signature
	lines := strings.Split(strings.TrimRight(text, "\n"), "\n")
	if len(lines) != 4 || lines[0] != sigHeader {
		return s, rollcall.Errorf(rollcall.EINVALID, "not a rollcall export signature")
	}
	get := func(line, prefix string) (string, error) {
		v, ok := strings.CutPrefix(line, prefix+" ")
		if !ok {
			return "", rollcall.Errorf(rollcall.EINVALID, "signature line %q should start with %q", line, prefix)
		}
		return v, nil
	}
	var err error
	if s.SHA256, err = get(lines[1], "sha256"); err != nil {
		return s, err
	}
	k, err := get(lines[2], "key")
	if err != nil {
		return s, err
	}
	pk, err := base64.StdEncoding.DecodeString(strings.TrimPrefix(k, "ed25519:"))
	if err != nil || len(pk) != ed25519.PublicKeySize {
		return s, rollcall.Errorf(rollcall.EINVALID, "bad public key in signature")
	}
	s.PublicKey = pk
	sig, err := get(lines[3], "sig")
	if err != nil {
		return s, err
	}
	if s.Sig, err = base64.StdEncoding.DecodeString(sig); err != nil {
		return s, rollcall.Errorf(rollcall.EINVALID, "bad signature encoding")
	}
	return s, nil
}

// Verify checks that export is the file that was signed, by trusted.
func Verify(export []byte, sigText string, trusted ed25519.PublicKey) (Signature, error) {
	s, err := ParseSignature(sigText)
	if err != nil {
		return s, err
	}
	sum := sha256.Sum256(export)
	if hex.EncodeToString(sum[:]) != s.SHA256 {
		return s, rollcall.Errorf(rollcall.EINVALID, "the file was altered: its SHA-256 is %x, the signature is for %s", sum, s.SHA256)
	}
	if !bytes.Equal(trusted, s.PublicKey) {
		return s, rollcall.Errorf(rollcall.EINVALID, "signed by another key (ed25519:%s), not the one given", base64.StdEncoding.EncodeToString(s.PublicKey))
	}
	if !ed25519.Verify(trusted, signedMessage(s.SHA256), s.Sig) {
		return s, rollcall.Errorf(rollcall.EINVALID, "bad signature")
	}
	return s, nil
}

// FormatOf returns the format named by an export's "format" field, "" when
// it has none.
func FormatOf(export []byte) string {
	var head struct {
		Format string `json:"format"`
	}
	if json.Unmarshal(export, &head) != nil {
		return ""
	}
	return head.Format
}

// Parse reads an export file.
func Parse(b []byte) (*Export, error) {
	var e Export
	if err := json.Unmarshal(b, &e); err != nil {
		return nil, rollcall.WrapError(rollcall.EINVALID, err, "not a public export")
	}
	return &e, nil
}
