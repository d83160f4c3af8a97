package textnorm

import "testing"

func TestSameAcrossScripts(t *testing.T) {
	for _, c := range []struct {
		a, b string
		same bool
	}{
		{"South Hwanghae", "황해남도", true},
		{"황해남도", "S. Hwanghae Province", true},
		{"Hwanghae-namdo", "황남", true},
		{"North Hwanghae", "황해남도", false},
		{"박순옥", "Pak Sun-ok", true},
		{"박순옥", "Sun-ok PAK", true},
		{"박순옥", "Park Soon-ok", true},
		{"박순옥", "Kim Sun-ok", false},
		{"박순옥", "박순희", false},
		{"Pak Sun-ok", "Pak Sun-hui", false},
		{"Camp 15", "요덕 관리소", true},
		{"Camp 15", "Camp 16", false},
		{"Chongjin", "청진", true},
		{"Chongjin", "Hamhung", false},
		{"espionage", "간첩", false},
		{"", "황해남도", false},
		{"  pak sun-ok ", "Pak Sun-ok", true},
	} {
		if got := SameAcrossScripts(c.a, c.b); got != c.same {
			t.Errorf("SameAcrossScripts(%q, %q) = %v, want %v", c.a, c.b, got, c.same)
		}
		if got := SameAcrossScripts(c.b, c.a); got != c.same {
			t.Errorf("SameAcrossScripts(%q, %q) = %v, want %v (not symmetric)", c.b, c.a, got, c.same)
		}
	}
}

func TestProvinceName(t *testing.T) {
	for _, c := range []struct{ in, lang, want string }{
		{"South Hwanghae", "ko", "황해남도"},
		{"황남", "en", "South Hwanghae"},
		{"Yanggang", "ko", "량강도"},
		{"Pyongyang", "ko", "평양시"},
		{"Atlantis", "ko", ""},
	} {
		got, ok := ProvinceName(c.in, c.lang)
		if got != c.want || ok != (c.want != "") {
			t.Errorf("ProvinceName(%q, %s) = %q, %v; want %q", c.in, c.lang, got, ok, c.want)
		}
	}
}
