package publish

import (
	"crypto/ed25519"
	"crypto/rand"
	"encoding/json"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/rollcall-project/rollcall"
)

func ptr[T any](v T) *T { return &v }

// TestExportLeaksNothingOutsideTheAllowList plants a marker in every field
// that is not cleared for publication and in every person who may not be
// named, then checks that no marker reaches the export bytes.
func TestExportLeaksNothingOutsideTheAllowList(t *testing.T) {
	fid := int64(1)
	d := Data{
		Facilities: []rollcall.Facility{{Meta: rollcall.Meta{ID: 1}, Key: "kwanliso-15", NameEn: "Camp 15", Type: "kwanliso"}},
		Persons: []rollcall.Person{
			{Meta: rollcall.Meta{ID: 1}, Name: "Public Consenting", Sensitivity: rollcall.Public, ConsentPublish: true, Status: "detained",
				BirthDate: rollcall.MustDate("1961-04-05"),
				Conflicts: []rollcall.Conflict{{Field: "name", Values: []string{"MARKER-CONFLICT"}}}, RecordIDs: []int64{1, 2}},
			{Meta: rollcall.Meta{ID: 2}, Name: "MARKER-NO-CONSENT", Sensitivity: rollcall.Public, ConsentPublish: false},
			{Meta: rollcall.Meta{ID: 3}, Name: "MARKER-CONFIDENTIAL", Sensitivity: rollcall.Confidential, ConsentPublish: true},
			{Meta: rollcall.Meta{ID: 4}, Name: "MARKER-INTERNAL", Sensitivity: rollcall.Internal, ConsentPublish: true},
		},
		Records: []rollcall.Record{
			{Meta: rollcall.Meta{ID: 1}, PersonID: ptr(int64(1)), Name: "MARKER-RECORD-NAME", Testimony: "MARKER-TESTIMONY",
				Charge: "MARKER-CHARGE", FacilityText: "MARKER-FTEXT", FacilityID: &fid, Sensitivity: rollcall.Public, BirthPlace: "MARKER-BIRTHPLACE"},
			{Meta: rollcall.Meta{ID: 2}, PersonID: ptr(int64(2)), FacilityID: &fid, Sensitivity: rollcall.Confidential},
		},
	}
	e, _, err := Build(d, Options{K: 5, Number: 1, Now: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)})
	if err != nil {
		t.Fatal(err)
	}
	b, err := e.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(b), "MARKER") {
		t.Fatalf("export leaks a field or person outside the allow-list:\n%s", b)
	}
	if len(e.Persons) != 1 || e.Persons[0].Name != "Public Consenting" || e.Persons[0].BirthYear != 1961 {
		t.Fatalf("persons = %+v", e.Persons)
	}
	if !slices.Equal(e.Persons[0].Facilities, []string{"kwanliso-15"}) {
		t.Fatalf("facilities from public records = %v", e.Persons[0].Facilities)
	}
	if strings.Contains(string(b), "1961-04-05") {
		t.Fatal("full birth date published; only the year is allowed")
	}
	if e.Withheld != nil {
		t.Fatalf("withheld = %d (3 withheld is below k)", *e.Withheld)
	}
}

// TestPublicTypesAreAllowListed pins the published fields: adding one to an
// output type must be a deliberate, reviewed change to this list.
func TestPublicTypesAreAllowListed(t *testing.T) {
	want := map[reflect.Type][]string{
		reflect.TypeFor[PublicPerson]():   {"ref", "name", "name_alt", "sex", "birth_year", "province", "status", "facilities", "fictional"},
		reflect.TypeFor[PublicFacility](): {"key", "number", "name_en", "name_ko", "type", "province", "county", "lat", "lon", "location_precision", "opened", "closed", "status", "source"},
	}
	for typ, names := range want {
		var got []string
		for f := range typ.Fields() {
			got = append(got, strings.Split(f.Tag.Get("json"), ",")[0])
		}
		if !slices.Equal(got, names) {
			t.Errorf("%s publishes %v, allow-list is %v", typ.Name(), got, names)
		}
	}
}

func TestSignVerify(t *testing.T) {
	pub, priv, _ := ed25519.GenerateKey(rand.Reader)
	other, _, _ := ed25519.GenerateKey(rand.Reader)
	e, _, err := Build(Data{}, Options{K: 5, Number: 1, Now: time.Date(2026, time.December, 31, 23, 59, 59, 0, time.UTC)})
	if err != nil {
		t.Fatal(err)
	}
	b, _ := e.Marshal()
	sig := Sign(priv, b)
	if _, err := Verify(b, sig.Text(), pub); err != nil {
		t.Fatalf("genuine export: %v", err)
	}
	alt := append([]byte{}, b...)
	alt[10] ^= 1
	if _, err := Verify(alt, sig.Text(), pub); err == nil {
		t.Fatal("altered export verified")
	}
	if _, err := Verify(b, sig.Text(), other); err == nil {
		t.Fatal("export verified against another key")
	}
	// A signature re-made by someone else over an altered file fails for the
	// published key.
	_, mallory, _ := ed25519.GenerateKey(rand.Reader)
	if _, err := Verify(alt, Sign(mallory, alt).Text(), pub); err == nil {
		t.Fatal("forged signature verified")
	}
	var doc map[string]any
	if err := json.Unmarshal(b, &doc); err != nil || doc["format"] != Format {
		t.Fatalf("export is not the documented JSON: %v", err)
	}
}

func FuzzParseSignature(f *testing.F) {
	_, priv, _ := ed25519.GenerateKey(rand.Reader)
	f.Add(Sign(priv, []byte("x")).Text())
	f.Add("rollcall export signature v1\nsha256 \nkey \nsig \n")
	f.Fuzz(func(t *testing.T, s string) {
		sig, err := ParseSignature(s)
		if err == nil && len(sig.PublicKey) != ed25519.PublicKeySize {
			t.Fatalf("accepted a signature with a %d-byte key", len(sig.PublicKey))
		}
	})
}
