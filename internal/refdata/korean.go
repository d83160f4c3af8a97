package refdata

import (
	"fmt"
	"strings"

	"github.com/rollcall-project/rollcall"
)

// Korean returns the Korean form of every English text of the reference
// data that the interface shows (decree titles, occasions, wording, readings
// and announced figures; published-estimate subjects, periods, units and
// sources; facility statuses), keyed by the English text it translates.
// The Korean comes from the *_ko columns of data/ (and amnesties_ko.csv):
// the project's own translation unless SOURCES.md cites an official Korean
// text. Keyed by the English, a row whose English was edited after loading
// no longer finds a Korean form and shows its English: never a stale
// translation.
func Korean() (map[string]string, error) {
	ko := map[string]string{}
	add := func(file, en, k string) error {
		en, k = strings.TrimSpace(en), strings.TrimSpace(k)
		if en == "" || k == "" {
			return nil
		}
		if old, ok := ko[en]; ok && old != k {
			return fmt.Errorf("refdata: %s: %q has two Korean forms, %q and %q", file, en, old, k)
		}
		ko[en] = k
		return nil
	}
	est, err := readTable("estimates.csv")
	if err != nil {
		return nil, err
	}
	for _, r := range est.rows {
		for _, c := range []string{"subject", "year", "unit", "source"} {
			if err := add(est.name, r[c], r[c+"_ko"]); err != nil {
				return nil, err
			}
		}
	}
	fac, err := readTable("facilities.csv")
	if err != nil {
		return nil, err
	}
	for _, r := range fac.rows {
		if err := add(fac.name, r["status"], r["status_ko"]); err != nil {
			return nil, err
		}
	}
	en, err := AmnestyDecrees()
	if err != nil {
		return nil, err
	}
	kr, err := amnestyDecrees("ko")
	if err != nil {
		return nil, err
	}
	for i := range en {
		e, k := en[i], kr[i]
		for _, p := range [][2]string{{e.Title, k.Title}, {e.Occasion, k.Occasion}, {e.IssuingBody, k.IssuingBody},
			{e.WordingTranslation, k.WordingTranslation}, {e.AnnouncedNumber, k.AnnouncedNumber}, {e.Notes, k.Notes}} {
			if err := add("amnesties_ko.csv", p[0], p[1]); err != nil {
				return nil, err
			}
		}
	}
	return ko, nil
}

// koreanDecree replaces d's texts by their Korean forms from amnesties_ko.csv
// (r), building the title and notes as the English ones are built.
func koreanDecree(d *rollcall.AmnestyDecree, r map[string]string) {
	d.Occasion = r["occasion_ko"]
	d.IssuingBody = r["issuing_body_ko"]
	d.WordingTranslation = r["criteria_text_ko"]
	d.AnnouncedNumber = r["reported_released_ko"]
	d.Notes = r["notes_ko"]
	if ab := r["announced_by_ko"]; ab != "" {
		d.Notes = strings.TrimSpace("보도 내용: " + ab + ". " + d.Notes)
	}
	d.Title = d.Announced.Human("ko") + " 발표 사면"
	if d.Occasion != "" {
		d.Title += ": " + d.Occasion
	}
}
