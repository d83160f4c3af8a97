package store

import (
	"context"
	"math"
	"path/filepath"
	"testing"

	"github.com/rollcall-project/rollcall"
)

// TestNonFiniteNumbersRejected: NaN and ±Inf are invalid input, never a
// panic or a stored value.
func TestNonFiniteNumbersRejected(t *testing.T) {
	ctx := rollcall.WithActor(context.Background(), rollcall.Actor{Name: "t", Role: rollcall.RoleSystem})
	st, err := Open(ctx, filepath.Join(t.TempDir(), "f.db"), Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	nan, inf := math.NaN(), math.Inf(1)
	src := &rollcall.Source{Key: "s", Kind: "list", Title: "t", Sensitivity: rollcall.Internal}
	if err := st.CreateSource(ctx, src); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name   string
		create func() error
	}{
		{"facility lat NaN", func() error {
			return st.CreateFacility(ctx, &rollcall.Facility{Key: "f", NameEn: "F", Type: "other", Lat: &nan})
		}},
		{"record sentence +Inf", func() error {
			return st.CreateRecord(ctx, &rollcall.Record{SourceID: src.ID, Key: "1", Name: "X", SentenceYears: &inf, Sensitivity: rollcall.Internal})
		}},
		{"event sentence NaN", func() error {
			return st.CreateEvent(ctx, &rollcall.Event{Type: "sentence", SentenceYears: &nan, Sensitivity: rollcall.Internal})
		}},
		{"published point +Inf", func() error {
			return st.CreatePublishedEstimate(ctx, &rollcall.PublishedEstimate{Subject: "x", Source: "y", Point: &inf})
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := tt.create(); rollcall.ErrorCode(err) != rollcall.EINVALID {
				t.Errorf("got %v, want EINVALID", err)
			}
		})
	}
}
