package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"

	"github.com/spf13/cobra"

	"github.com/rollcall-project/rollcall"
	"github.com/rollcall-project/rollcall/internal/link"
	"github.com/rollcall-project/rollcall/internal/link/match"
)

// runLinkDB links the stored records into persons (rollcall link --db).
func (m *Main) runLinkDB(cmd *cobra.Command, f linkFlags) error {
	if len(f.fields) > 0 || f.id != "" || f.truth != "" || f.output != "" {
		return rollcall.Errorf(rollcall.EINVALID, "--id, --field, --truth and --output go with --input; over the database the fields are fixed (name, sex, birth date, province, facility)")
	}
	if !m.dbGiven(cmd) {
		return rollcall.Errorf(rollcall.EINVALID, "link: give --input FILE.csv (files), or --db DB to link the stored records into persons")
	}
	ctx := m.cliContext(cmd.Context())
	st, err := m.openStore(ctx, cmd)
	if err != nil {
		return err
	}
	opts := link.Options{DryRun: f.dryRun}
	if f.model != "" {
		b, err := os.ReadFile(f.model)
		if err != nil {
			return rollcall.WrapError(rollcall.EINVALID, err, "cannot read model %s", f.model)
		}
		var s match.Settings
		if err := decodeStrict(b, &s); err != nil {
			return rollcall.WrapError(rollcall.EINVALID, err, "model %s is not valid settings JSON", f.model)
		}
		opts.Settings = &s
	}
	report, done := m.progress()
	opts.Progress = report
	rep, err := link.Run(ctx, st, opts)
	done()
	if err != nil {
		return err
	}
	if f.saveModel != "" {
		b, err := json.MarshalIndent(rep.Settings, "", "  ")
		if err != nil {
			return fmt.Errorf("save model: %w", err)
		}
		if err := os.WriteFile(f.saveModel, b, 0o600); err != nil {
			return fmt.Errorf("save model: %w", err)
		}
	}
	summary := *rep
	summary.Settings = nil // written with --save-model; too long for a report
	enc := json.NewEncoder(m.Stdout)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(struct {
		link.Report
		DryRun bool `json:"dry_run,omitempty"`
	}{summary, f.dryRun})
}

// decodeStrict decodes JSON into v and refuses fields v does not have, so
// a typo in a saved model is an error rather than a silently dropped setting.
func decodeStrict(b []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return err
	}
	if dec.More() {
		return fmt.Errorf("data after the JSON value")
	}
	return nil
}
