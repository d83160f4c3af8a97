package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/rollcall-project/rollcall"
)

const facilityCols = `id, version, created_at, updated_at, key, number, name_en, name_ko, aliases, type, agency,
	province, county, lat, lon, location_precision, opened, closed, status, population_est, population_year, source`

func scanFacility(r scanner) (*rollcall.Facility, error) {
	var v rollcall.Facility
	var created, updated, aliases string
	err := r.Scan(&v.ID, &v.Version, &created, &updated, &v.Key, &v.Number, &v.NameEn, &v.NameKo, &aliases, &v.Type, &v.Agency,
		&v.Province, &v.County, &v.Lat, &v.Lon, &v.LocationPrecision, &v.Opened, &v.Closed, &v.Status, &v.PopulationEst,
		&v.PopulationYear, &v.Source)
	if err != nil {
		return nil, err
	}
	v.CreatedAt, v.UpdatedAt = parseTime(created), parseTime(updated)
	if aliases != "" && aliases != "[]" {
		if err := json.Unmarshal([]byte(aliases), &v.Aliases); err != nil {
			return nil, fmt.Errorf("facility %d aliases: %w", v.ID, err)
		}
	}
	return &v, nil
}

func validateFacility(v *rollcall.Facility) error {
	if err := finite("facility", "lat", v.Lat, "lon", v.Lon); err != nil {
		return err
	}
	v.Key, v.NameEn, v.Type = strings.TrimSpace(v.Key), trimText(v.NameEn), strings.TrimSpace(v.Type)
	for _, f := range [][2]string{{"key", v.Key}, {"name_en", v.NameEn}, {"type", v.Type}} {
		if err := required("facility", f[0], f[1]); err != nil {
			return err
		}
	}
	if v.Lat != nil && (*v.Lat < -90 || *v.Lat > 90) {
		return &rollcall.Error{Code: rollcall.EINVALID, Field: "lat", Message: fmt.Sprintf("facility %s: latitude %g out of range", v.Key, *v.Lat)}
	}
	if v.Lon != nil && (*v.Lon < -180 || *v.Lon > 180) {
		return &rollcall.Error{Code: rollcall.EINVALID, Field: "lon", Message: fmt.Sprintf("facility %s: longitude %g out of range", v.Key, *v.Lon)}
	}
	return nil
}

func aliasesJSON(a []string) string {
	if len(a) == 0 {
		return "[]"
	}
	b, _ := json.Marshal(a) // a []string always encodes
	return string(b)
}

// CreateFacility inserts v and sets ID, Version and times.
func (s *Store) CreateFacility(ctx context.Context, v *rollcall.Facility) error {
	if err := validateFacility(v); err != nil {
		return err
	}
	return s.write(ctx, func(tx *Store) error {
		now := tx.nowUTC()
		var id int64
		err := tx.q.QueryRowContext(ctx, `INSERT INTO facilities (uid, version, created_at, updated_at, key, number, name_en,
			name_ko, aliases, type, agency, province, county, lat, lon, location_precision, opened, closed, status,
			population_est, population_year, source)
			VALUES ($1, 1, $2, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20) RETURNING id`,
			newUID(), fmtTime(now), v.Key, v.Number, v.NameEn, v.NameKo, aliasesJSON(v.Aliases), v.Type, v.Agency, v.Province,
			v.County, v.Lat, v.Lon, v.LocationPrecision, v.Opened, v.Closed, v.Status, v.PopulationEst, v.PopulationYear, v.Source).Scan(&id)
		if err != nil {
			if e := keyTaken(err, "a facility", v.Key); e != nil {
				return e
			}
			return mapErr(fmt.Errorf("create facility: %w", err), "facility", 0)
		}
		v.ID, v.Version, v.CreatedAt, v.UpdatedAt = id, 1, now, now
		return tx.logChange(ctx, ActionCreate, "facility", id, "", hashOf(v))
	})
}

// GetFacility returns the facility with id.
func (s *Store) GetFacility(ctx context.Context, id int64) (*rollcall.Facility, error) {
	v, err := scanFacility(s.q.QueryRowContext(ctx, `SELECT `+facilityCols+` FROM facilities WHERE id = $1`, id))
	if err != nil {
		return nil, mapErr(fmt.Errorf("get facility: %w", err), "facility", id)
	}
	return v, nil
}

// FacilityByKey returns the facility with key.
func (s *Store) FacilityByKey(ctx context.Context, key string) (*rollcall.Facility, error) {
	v, err := scanFacility(s.q.QueryRowContext(ctx, `SELECT `+facilityCols+` FROM facilities WHERE key = $1`, key))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, rollcall.Errorf(rollcall.ENOTFOUND, "facility %q not found", key)
	}
	if err != nil {
		return nil, mapErr(fmt.Errorf("get facility: %w", err), "facility", 0)
	}
	return v, nil
}

// UpdateFacility writes v if v.Version is current, and increments it.
func (s *Store) UpdateFacility(ctx context.Context, v *rollcall.Facility) error {
	if err := validateFacility(v); err != nil {
		return err
	}
	return s.write(ctx, func(tx *Store) error {
		cur, err := tx.GetFacility(ctx, v.ID)
		if err != nil {
			return err
		}
		if cur.Version != v.Version {
			return conflict("facility", v.ID, cur.Version, v.Version)
		}
		now := tx.nowUTC()
		res, err := tx.q.ExecContext(ctx, `UPDATE facilities SET version = version + 1, updated_at = $1, key = $2, number = $3,
			name_en = $4, name_ko = $5, aliases = $6, type = $7, agency = $8, province = $9, county = $10, lat = $11, lon = $12,
			location_precision = $13, opened = $14, closed = $15, status = $16, population_est = $17, population_year = $18,
			source = $19 WHERE id = $20 AND version = $21`,
			fmtTime(now), v.Key, v.Number, v.NameEn, v.NameKo, aliasesJSON(v.Aliases), v.Type, v.Agency, v.Province, v.County,
			v.Lat, v.Lon, v.LocationPrecision, v.Opened, v.Closed, v.Status, v.PopulationEst, v.PopulationYear, v.Source,
			v.ID, v.Version)
		if err != nil {
			if e := keyTaken(err, "a facility", v.Key); e != nil {
				return e
			}
			return mapErr(fmt.Errorf("update facility: %w", err), "facility", v.ID)
		}
		if err := checkUpdated(res, "facility", v.ID, v.Version); err != nil {
			return err
		}
		v.Version++
		v.CreatedAt, v.UpdatedAt = cur.CreatedAt, now
		return tx.logChange(ctx, ActionUpdate, "facility", v.ID, hashOf(cur), hashOf(v))
	})
}

// DeleteFacility deletes the facility with id; it fails while records or
// events refer to it.
func (s *Store) DeleteFacility(ctx context.Context, id int64) error {
	return s.write(ctx, func(tx *Store) error {
		cur, err := tx.GetFacility(ctx, id)
		if err != nil {
			return err
		}
		if _, err := tx.q.ExecContext(ctx, `DELETE FROM facilities WHERE id = $1`, id); err != nil {
			if constraintKind(err) == cForeignKey {
				return rollcall.WrapError(rollcall.EINVALID, err, "facility %d is still referred to by records or events", id)
			}
			return mapErr(fmt.Errorf("delete facility: %w", err), "facility", id)
		}
		return tx.logChange(ctx, ActionDelete, "facility", id, hashOf(cur), "")
	})
}

var facilityList = registerList(&listSpec{
	row:    rollcall.Facility{},
	entity: "facility",
	table:  "facilities",
	filters: map[string]filterCol{
		"type":     {"type", fText},
		"province": {"province", fText},
		"county":   {"county", fText},
		"agency":   {"agency", fText},
		"status":   {"status", fText},
		"key":      {"key", fText},
		"number":   {"number", fText},
	},
	search: []string{"name_en", "name_ko", "aliases", "key", "number"},
	order:  "id",
})

// ListFacilities lists facilities.
func (s *Store) ListFacilities(ctx context.Context, o rollcall.ListOptions) ([]rollcall.Facility, int, error) {
	out := []rollcall.Facility{}
	total, err := s.list(ctx, facilityList, facilityCols, o, func(r scanner) error {
		v, err := scanFacility(r)
		if err != nil {
			return err
		}
		out = append(out, *v)
		return nil
	})
	return out, total, err
}
