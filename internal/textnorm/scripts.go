package textnorm

// provinceNames are the Hangul and English names of each province key
// (ProvinceKey), as North Korea writes them (량강도, not 양강도).
var provinceNames = map[string][2]string{
	"pyongyang":      {"평양시", "Pyongyang"},
	"south-pyongan":  {"평안남도", "South Pyongan"},
	"north-pyongan":  {"평안북도", "North Pyongan"},
	"south-hamgyong": {"함경남도", "South Hamgyong"},
	"north-hamgyong": {"함경북도", "North Hamgyong"},
	"south-hwanghae": {"황해남도", "South Hwanghae"},
	"north-hwanghae": {"황해북도", "North Hwanghae"},
	"chagang":        {"자강도", "Chagang"},
	"ryanggang":      {"량강도", "Ryanggang"},
	"kangwon":        {"강원도", "Kangwon"},
	"rason":          {"라선시", "Rason"},
	"nampo":          {"남포시", "Nampo"},
	"kaesong":        {"개성시", "Kaesong"},
}

// ProvinceName is the name of the province s names (in any script or
// romanization) in lang ("ko" gives Hangul, else English); ok is false
// when s names no province.
func ProvinceName(s, lang string) (name string, ok bool) {
	k, ok := ProvinceKey(s)
	if !ok {
		return "", false
	}
	n, ok := provinceNames[k]
	if !ok {
		return "", false
	}
	if lang == "ko" {
		return n[0], true
	}
	return n[1], true
}

// SameAcrossScripts is the one rule for "the same value, written in two
// scripts or two romanizations": "South Hwanghae" and "황해남도", "Camp 15"
// and "요덕 관리소", 박순옥 and "Pak Sun-ok" (or "Sun-ok PAK"). Values equal
// once folded are the same; two places are the same when they name the same
// province or facility; a Hangul text and a Latin one are the same when the
// Latin reads as a romanization of the Hangul (their skeletons or their
// name keys agree). Two different texts in one script are not the same.
func SameAcrossScripts(a, b string) bool {
	fa, fb := Fold(a), Fold(b)
	if fa == fb {
		return true
	}
	if ka, ok := ProvinceKey(a); ok {
		kb, ok := ProvinceKey(b)
		return ok && ka == kb
	}
	if ka, ok := FacilityKey(a); ok {
		if kb, ok := FacilityKey(b); ok {
			return ka == kb
		}
	}
	if fa == "" || fb == "" || HasHangul(fa) == HasHangul(fb) {
		return false
	}
	if Skeleton(a) == Skeleton(b) {
		return true
	}
	na, nb := AnalyzeName(a), AnalyzeName(b)
	return na.Key != "" && (na.Key == nb.Key || (nb.AltKey != "" && na.Key == nb.AltKey) || (na.AltKey != "" && na.AltKey == nb.Key))
}
