package main

import (
	"context"
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/rollcall-project/rollcall/internal/amnesty"
	"github.com/rollcall-project/rollcall/internal/refdata"
	"github.com/rollcall-project/rollcall/internal/store"
)

// amnestyDecreeRule is `amnesty decree rule`: check, preview or save a
// decree's rule (as the web UI's rule editor does).
func (m *Main) amnestyDecreeRule() *cobra.Command {
	var rule, note string
	var save, draft bool
	cmd := &cobra.Command{
		Use:   "rule DECREE (--rule CEL | --draft) [--save [--note WHY]]",
		Short: "Check a decree's rule and preview its decisions; with --save keep it as a new version",
		Long: "rule compiles the rule against the facts and vocabularies and counts how the documented persons\n" +
			"would be decided under it. --draft takes the project's draft reading shipped for the decree (a\n" +
			"reading of its reported wording, not the decree's text). --save replaces the decree's rule,\n" +
			"keeping it as a new version with who saved it and when (`amnesty decree versions`);\n" +
			"an empty --rule \"\" removes the rule.",
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			key := args[0]
			if draft {
				drafts, err := refdata.DraftReadings()
				if err != nil {
					return err
				}
				d, ok := drafts[key]
				if !ok || d.Rule == "" {
					return fmt.Errorf("amnesty decree rule: no draft rule for %s%s", key, map[bool]string{true: ": " + d.Note}[d.Note != ""])
				}
				rule = d.Rule
				fmt.Fprintf(m.Stdout, "draft reading: %s\n(%s)\n", d.Rule, d.Note)
			} else if !cmd.Flags().Changed("rule") {
				return fmt.Errorf("amnesty decree rule: give --rule or --draft")
			}
			return m.withStore(cmd, openOpts{}, func(ctx context.Context, st *store.Store) error {
				d, err := st.DecreeByKey(ctx, key)
				if err != nil {
					return err
				}
				if strings.TrimSpace(rule) != "" {
					if _, err := amnesty.CompileRule(ctx, st, rule); err != nil {
						return err
					}
					ev, err := amnesty.Preview(ctx, st, key, rule)
					if err != nil {
						return err
					}
					n := map[string]int{}
					for _, r := range ev.Results {
						n[r.Decision.Decision]++
					}
					fmt.Fprintf(m.Stdout, "the rule compiles; it decides %d eligible, %d not eligible, %d undetermined of %d persons\n",
						n["eligible"], n["not_eligible"], n["undetermined"], len(ev.Results))
				}
				if !save {
					return nil
				}
				out, err := amnesty.SaveRule(ctx, st, key, d.Version, rule, note)
				if err != nil {
					return err
				}
				fmt.Fprintf(m.Stdout, "saved: decree %s is at version %d\n", out.Key, out.Version)
				return nil
			})
		},
	}
	cmd.Flags().StringVar(&rule, "rule", "", "the CEL rule")
	cmd.Flags().BoolVar(&draft, "draft", false, "use the project's draft reading for this decree")
	cmd.Flags().BoolVar(&save, "save", false, "save the rule as the decree's new version")
	cmd.Flags().StringVar(&note, "note", "", "why (kept with the version)")
	return cmd
}

// amnestyDecreeVersions is `amnesty decree versions`: every rule a decree
// has had.
func (m *Main) amnestyDecreeVersions() *cobra.Command {
	var format string
	cmd := &cobra.Command{
		Use:   "versions DECREE",
		Short: "List every rule a decree has had, newest first, with who saved it and when",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return m.withStore(cmd, openOpts{}, func(ctx context.Context, st *store.Store) error {
				d, err := st.DecreeByKey(ctx, args[0])
				if err != nil {
					return err
				}
				vs, err := st.RuleVersions(ctx, d.ID)
				if err != nil {
					return err
				}
				t := table{header: []string{"saved", "by", "rule", "note"}}
				for _, v := range vs {
					r := v.Rule
					if r == "" {
						r = "(removed)"
					}
					t.rows = append(t.rows, []string{v.SavedAt.Format("2006-01-02 15:04Z"), v.SavedBy, r, v.Note})
				}
				return m.render(format, vs, t)
			})
		},
	}
	cmd.Flags().StringVar(&format, "format", "table", "table, json or csv")
	return cmd
}
