package web

import (
	"crypto/ed25519"
	"crypto/rand"
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/rollcall-project/rollcall"
	"github.com/rollcall-project/rollcall/internal/publish"
)

// TestPublishFromTheWeb: an admin publishes from /publications twice, with
// a person whose consent is withdrawn in between; the second publication
// names the cells it withheld on the page (English and Korean), never in
// the export, and the files it offers verify as `rollcall verify-export`
// checks them.
func TestPublishFromTheWeb(t *testing.T) { eachFixture(t, testPublishFromTheWeb) }

func testPublishFromTheWeb(t *testing.T, f *fixture) {
	admin := f.login("admin")
	if res, b := admin.do("POST", "/publications", "form:k=5"); res.StatusCode != http.StatusConflict || !strings.Contains(string(b), "rollcall publish") {
		t.Fatalf("without a signing key: %d %.300s", res.StatusCode, b)
	}
	pub, priv, _ := ed25519.GenerateKey(rand.Reader)
	f.srv.signer = priv
	ctx := sysCtx()
	var ps []rollcall.Person
	for i := range 12 {
		// Like the fixture's own (unnamed) person: female, province and
		// fate unknown, so every table shows one cell.
		p := rollcall.Person{Name: "Named or not", Sex: "f", Sensitivity: rollcall.Public, ConsentPublish: i < 4}
		if err := f.st.CreatePerson(ctx, &p); err != nil {
			t.Fatal(err)
		}
		ps = append(ps, p)
	}
	if res, b := admin.do("POST", "/publications", "form:k=0"); res.StatusCode != http.StatusBadRequest || !strings.Contains(string(b), "at least 1") {
		t.Fatalf("k=0: %d %.300s", res.StatusCode, b)
	}
	res, b := admin.do("POST", "/publications", "form:k=5")
	if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/publications?done=1" {
		t.Fatalf("publish: %d %s %.300s", res.StatusCode, res.Header.Get("Location"), b)
	}
	ps[0].ConsentPublish = false
	if err := f.st.UpdatePerson(ctx, &ps[0]); err != nil {
		t.Fatal(err)
	}
	if res, b := admin.do("POST", "/publications", "form:k=5"); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("second publish: %d %.300s", res.StatusCode, b)
	}
	_, page := admin.do("GET", "/publications?done=2", nil)
	for _, want := range []string{"Publication 2 is recorded", "persons_by_sex = f (publication 1)", "the total (publication 1)"} {
		if !strings.Contains(string(page), want) {
			t.Errorf("page lacks %q", want)
		}
	}
	admin.lang("ko")
	if _, page := admin.do("GET", "/publications?done=2", nil); !strings.Contains(string(page), "persons_by_sex = f (공개본 1)") || !strings.Contains(string(page), "공개본 2번을 기록하고") {
		t.Errorf("Korean page:\n%s", page)
	}
	files := map[string][]byte{}
	for _, name := range []string{"export.json", "export.json.sig", "export.json.proof"} {
		res, b := admin.do("GET", "/publications/2/"+name, nil)
		if res.StatusCode != http.StatusOK || !strings.Contains(res.Header.Get("Content-Disposition"), "publication-2-"+name) {
			t.Fatalf("%s: %d %.200s", name, res.StatusCode, b)
		}
		files[name] = b
	}
	sig, err := publish.Verify(files["export.json"], string(files["export.json.sig"]), pub)
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := publish.CheckProof("export.json.proof", files["export.json.proof"], pub, sig); err != nil {
		t.Fatal(err)
	}
	var e publish.Export
	if err := json.Unmarshal(files["export.json"], &e); err != nil || e.Publication != 2 || len(e.Persons) != 3 {
		t.Fatalf("export: %+v %v", e, err)
	}
	if strings.Contains(string(files["export.json"]), "publication 1") || len(e.Statistics[0].Cells) != 0 {
		t.Fatalf("the second export shows a moved cell or the operator's report:\n%s", files["export.json"])
	}
	if res, _ := admin.do("GET", "/publications/9/export.json", nil); res.StatusCode != http.StatusNotFound {
		t.Fatalf("missing publication: %d", res.StatusCode)
	}
	if res, _ := f.login("editor").do("POST", "/publications", "form:k=5"); res.StatusCode != http.StatusForbidden {
		t.Fatalf("editor publishes: %d", res.StatusCode)
	}
}
