package main

import (
	"context"
	"fmt"
	"os"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/rollcall-project/rollcall"
	"github.com/rollcall-project/rollcall/internal/amnesty"
	"github.com/rollcall-project/rollcall/internal/amnesty/rule"
	"github.com/rollcall-project/rollcall/internal/chart"
	"github.com/rollcall-project/rollcall/internal/demo"
	"github.com/rollcall-project/rollcall/internal/refdata"
	"github.com/rollcall-project/rollcall/internal/store"
)

// amnestyCommands is `rollcall amnesty ...`: decrees as rules, eligibility,
// outcomes, follow-ups and the tracker report.
func (m *Main) amnestyCommands() []*cobra.Command {
	root := &cobra.Command{
		Use:   "amnesty",
		Short: "Check announced amnesties against documented detainees",
		Long: "Decrees carry their criteria as a CEL rule over a detainee's facts (age, sex, facility,\n" +
			"facility_type, charges, sentence_years, served_years, detained, prior_amnesties). Every\n" +
			"person is eligible, not_eligible or undetermined (naming the facts that would decide);\n" +
			"outcomes and follow-ups are recorded with dates and sources.",
	}
	decree := &cobra.Command{Use: "decree", Short: "Add, list and show decrees"}
	decree.AddCommand(m.amnestyDecreeAdd(), m.amnestyDecreeList(), m.amnestyDecreeShow(), m.amnestyDecreeRule(), m.amnestyDecreeVersions())
	outcome := &cobra.Command{Use: "outcome", Short: "Record and show what happened to a person under a decree"}
	outcome.AddCommand(m.amnestyOutcomeAdd(), m.amnestyOutcomeHistory())
	followup := &cobra.Command{Use: "followup", Short: "Record observations after release"}
	followup.AddCommand(m.amnestyFollowUpAdd())
	root.AddCommand(m.amnestyCheck(), decree, m.amnestyEvaluate(), outcome, m.amnestyReport(), followup,
		m.amnestyOverdue(), m.amnestySeedDemo())
	return []*cobra.Command{root}
}

func (m *Main) amnestyCheck() *cobra.Command {
	var decreeFile, personsFile, format string
	cmd := &cobra.Command{
		Use:   "check --decree DECREE.yaml --persons PERSONS.csv",
		Short: "Decide eligibility for persons in a CSV file, without a database",
		Long: "DECREE.yaml has id, title, decreed, announced, effective, rule (CEL) and notes.\n" +
			"PERSONS.csv has a header with id and any of: " + strings.Join(rule.PersonColumns[1:], ", ") + ".\n" +
			"An empty cell is unknown; dates may be partial; charges are ;-separated (\"none\" for no charge).\n" +
			"Output: id,decision,missing (missing = ;-separated facts that would decide), or JSON.",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if decreeFile == "" || personsFile == "" {
				return rollcall.Errorf(rollcall.EINVALID, "both --decree and --persons are required")
			}
			// The persons first: the rule may name the categories they use.
			voc, err := refdata.Vocabulary(cmd.Context(), nil)
			if err != nil {
				return err
			}
			pf, err := m.openInput(personsFile)
			if err != nil {
				return err
			}
			defer pf.Close()
			persons, err := rule.ParsePersons(pf, personsFile, voc)
			if err != nil {
				return err
			}
			d, rl, err := m.checkDecree(decreeFile, rule.Documented(voc, persons))
			if err != nil {
				return err
			}
			rows, err := rule.Check(d, rl, persons)
			if err != nil {
				return err
			}
			for _, r := range rows {
				if r.Error != "" {
					fmt.Fprintf(m.Stderr, "rollcall: %s: the rule failed on this person: %s\n", r.ID, r.Error)
				}
			}
			return rule.WriteCheck(m.Stdout, rows, format)
		},
	}
	cmd.Flags().StringVar(&decreeFile, "decree", "", "decree YAML file (- for stdin), or the key of a built-in decree such as kp-amnesty-2015")
	cmd.Flags().StringVar(&personsFile, "persons", "", "persons CSV file (- for stdin)")
	cmd.Flags().StringVar(&format, "format", "csv", "output format: csv or json")
	return cmd
}

// checkDecree reads a decree file, or when no such file exists, the
// built-in reference decree with that key; its rule reads values with voc.
func (m *Main) checkDecree(name string, voc *rollcall.Vocabulary) (rollcall.AmnestyDecree, *rule.Rule, error) {
	if _, err := os.Stat(name); err != nil && name != "-" {
		ds, rerr := refdata.AmnestyDecrees()
		if rerr != nil {
			return rollcall.AmnestyDecree{}, nil, rerr
		}
		for _, d := range ds {
			if d.Key == name && strings.TrimSpace(d.Rule) != "" {
				rl, err := rule.Compile(d.Rule, voc)
				return d, rl, err
			}
		}
	}
	f, err := m.openInput(name)
	if err != nil {
		return rollcall.AmnestyDecree{}, nil, err
	}
	defer f.Close()
	return rule.ParseDecree(f, name, voc)
}

func (m *Main) amnestyDecreeAdd() *cobra.Command {
	var file string
	var update bool
	cmd := &cobra.Command{
		Use:   "add --file DECREE.yaml",
		Short: "Add a decree (or replace it with --update) from a YAML file",
		Long: "The YAML keys: id, title, country, number, decreed, announced, effective, issuing_body,\n" +
			"occasion, wording_original, wording_translation, announced_number, sources, rule, notes.",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if file == "" {
				return rollcall.Errorf(rollcall.EINVALID, "--file is required")
			}
			f, err := m.openInput(file)
			if err != nil {
				return err
			}
			defer f.Close()
			voc, err := refdata.Vocabulary(cmd.Context(), nil)
			if err != nil {
				return err
			}
			d, _, err := rule.ParseDecree(f, file, voc)
			if err != nil {
				return err
			}
			return m.withStore(cmd, openOpts{}, func(ctx context.Context, st *store.Store) error {
				created, err := amnesty.SaveDecree(ctx, st, &d, update)
				if err != nil {
					return err
				}
				verb := "updated"
				if created {
					verb = "added"
				}
				fmt.Fprintf(m.Stdout, "%s decree %s (id %d)\n", verb, d.Key, d.ID)
				return nil
			})
		},
	}
	cmd.Flags().StringVar(&file, "file", "", "decree YAML file (- for stdin)")
	cmd.Flags().BoolVar(&update, "update", false, "replace an existing decree with the same id")
	return cmd
}

func (m *Main) amnestyDecreeList() *cobra.Command {
	var format string
	cmd := &cobra.Command{
		Use:   "list",
		Short: "List decrees by date",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			return m.withStore(cmd, openOpts{}, func(ctx context.Context, st *store.Store) error {
				ds, _, err := st.ListAmnestyDecrees(ctx, rollcall.ListOptions{Limit: -1})
				if err != nil {
					return err
				}
				slices.SortStableFunc(ds, func(a, b rollcall.AmnestyDecree) int {
					return rule.DecreeDate(a).Compare(rule.DecreeDate(b))
				})
				t := table{header: []string{"key", "announced", "effective", "rule", "announced_number", "title"}}
				for _, d := range ds {
					hasRule := "–"
					if strings.TrimSpace(d.Rule) != "" {
						hasRule = "yes"
					}
					t.rows = append(t.rows, []string{d.Key, d.Announced.String(), d.Effective.String(), hasRule,
						shorten(d.AnnouncedNumber, 40), shorten(d.Title, 60)})
				}
				if ds == nil {
					ds = []rollcall.AmnestyDecree{}
				}
				return m.render(format, ds, t)
			})
		},
	}
	cmd.Flags().StringVar(&format, "format", "table", "output format: table, csv or json")
	return cmd
}

func shorten(s string, n int) string {
	r := []rune(strings.Join(strings.Fields(s), " "))
	if len(r) > n {
		return string(r[:n-1]) + "…"
	}
	return string(r)
}

func (m *Main) amnestyDecreeShow() *cobra.Command {
	var format string
	cmd := &cobra.Command{
		Use:   "show DECREE",
		Short: "Show one decree with its rule and the facts the rule uses",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return m.withStore(cmd, openOpts{}, func(ctx context.Context, st *store.Store) error {
				d, err := st.DecreeByKey(ctx, args[0])
				if err != nil {
					return err
				}
				if format == "json" {
					return m.render("json", d, table{})
				}
				return m.renderOne(d)
			})
		},
	}
	cmd.Flags().StringVar(&format, "format", "table", "output format: table or json")
	return cmd
}

func (m *Main) amnestyEvaluate() *cobra.Command {
	var format, only string
	cmd := &cobra.Command{
		Use:   "evaluate DECREE",
		Short: "Decide every documented person's eligibility under a decree",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return m.withStore(cmd, openOpts{}, func(ctx context.Context, st *store.Store) error {
				ev, err := amnesty.Evaluate(ctx, st, args[0])
				if err != nil {
					return err
				}
				var rows []amnesty.PersonResult
				for _, r := range ev.Results {
					if only == "" || r.Decision.Decision == only || (only == "held" && r.Held != "false") {
						rows = append(rows, r)
					}
				}
				if rows == nil {
					rows = []amnesty.PersonResult{}
				}
				t := table{header: []string{"person_id", "name", "decision", "missing", "held", "facility", "outcome"}}
				for _, r := range rows {
					out := ""
					if r.Outcome != nil {
						out = r.Outcome.Status
					}
					name := r.Name
					if r.Fictional {
						name += " (fictional)"
					}
					t.rows = append(t.rows, []string{strconv.FormatInt(r.PersonID, 10), name, r.Decision.Decision,
						strings.Join(r.Missing, ";"), r.Held, r.Facility, out})
				}
				return m.render(format, rows, t)
			})
		},
	}
	cmd.Flags().StringVar(&format, "format", "table", "output format: table, csv or json")
	cmd.Flags().StringVar(&only, "only", "", "show only eligible, not_eligible, undetermined, or held (held or possibly held on the date)")
	return cmd
}

func parsePersonID(s string) (int64, error) {
	id, err := strconv.ParseInt(strings.TrimSpace(s), 10, 64)
	if err != nil || id <= 0 {
		return 0, rollcall.Errorf(rollcall.EINVALID, "person %q: give the numeric person id", s)
	}
	return id, nil
}

func (m *Main) amnestyOutcomeAdd() *cobra.Command {
	var in amnesty.OutcomeInput
	cmd := &cobra.Command{
		Use:   "add PERSON DECREE --status S --date D [--source SRC]",
		Short: "Record an outcome (a new history row; earlier rows are kept)",
		Long:  "Statuses: " + strings.Join(amnesty.OutcomeStatuses, ", ") + ". A verified release needs --source (a source key or id).",
		Args:  cobra.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			id, err := parsePersonID(args[0])
			if err != nil {
				return err
			}
			in.PersonID, in.DecreeKey = id, args[1]
			return m.withStore(cmd, openOpts{}, func(ctx context.Context, st *store.Store) error {
				o, err := amnesty.AddOutcome(ctx, st, in)
				if err != nil {
					return err
				}
				fmt.Fprintf(m.Stdout, "outcome %d: person %d under %s: %s on %s\n", o.ID, o.PersonID, in.DecreeKey, o.Status, o.Date.Human("en"))
				return nil
			})
		},
	}
	cmd.Flags().StringVar(&in.Status, "status", "", "outcome status")
	cmd.Flags().StringVar(&in.Date, "date", "", "date of the outcome (partial dates allowed)")
	cmd.Flags().StringVar(&in.Source, "source", "", "source key or id")
	cmd.Flags().StringVar(&in.Note, "note", "", "note")
	return cmd
}

func (m *Main) amnestyOutcomeHistory() *cobra.Command {
	var format string
	cmd := &cobra.Command{
		Use:   "history PERSON DECREE",
		Short: "Show every outcome recorded for a person under a decree, oldest first",
		Args:  cobra.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			id, err := parsePersonID(args[0])
			if err != nil {
				return err
			}
			return m.withStore(cmd, openOpts{}, func(ctx context.Context, st *store.Store) error {
				rows, err := amnesty.OutcomeHistory(ctx, st, id, args[1])
				if err != nil {
					return err
				}
				t := table{header: []string{"id", "status", "date", "source_id", "note", "by", "recorded"}}
				for _, o := range rows {
					src := ""
					if o.SourceID != nil {
						src = strconv.FormatInt(*o.SourceID, 10)
					}
					t.rows = append(t.rows, []string{strconv.FormatInt(o.ID, 10), o.Status, o.Date.String(), src, o.Note, o.CreatedBy, o.CreatedAt.Format(time.RFC3339)})
				}
				return m.render(format, rows, t)
			})
		},
	}
	cmd.Flags().StringVar(&format, "format", "table", "output format: table, csv or json")
	return cmd
}

func (m *Main) amnestyReport() *cobra.Command {
	var format, svg string
	var persons bool
	cmd := &cobra.Command{
		Use:   "report DECREE",
		Short: "Announced vs documented vs eligible vs released, per facility and across decrees",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return m.withStore(cmd, openOpts{}, func(ctx context.Context, st *store.Store) error {
				rep, err := amnesty.Report(ctx, st, args[0])
				if err != nil {
					return err
				}
				if svg != "" {
					b, err := chart.Amnesties(rep.Timeline, chart.Labels{Title: "Amnesties: announced, documented, eligible, released"})
					if err != nil {
						return err
					}
					if err := os.WriteFile(svg, b, 0o600); err != nil {
						return fmt.Errorf("write chart: %w", err)
					}
				}
				return amnesty.WriteReport(m.Stdout, rep, format, persons)
			})
		},
	}
	cmd.Flags().StringVar(&format, "format", "table", "output format: table, csv or json")
	cmd.Flags().StringVar(&svg, "svg", "", "also write the bar chart across decrees to this SVG file")
	cmd.Flags().BoolVar(&persons, "persons", false, "include per-person decisions in JSON output")
	return cmd
}

func (m *Main) amnestyFollowUpAdd() *cobra.Command {
	var in amnesty.FollowUpInput
	var sens string
	cmd := &cobra.Command{
		Use:   "add PERSON --kind K --date D --observation TEXT --reported-by X",
		Short: "Record a dated observation about a released person",
		Long:  "Kinds: " + strings.Join(amnesty.FollowUpKinds, ", ") + ".",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			id, err := parsePersonID(args[0])
			if err != nil {
				return err
			}
			in.PersonID, in.Sensitivity = id, rollcall.Sensitivity(sens)
			return m.withStore(cmd, openOpts{}, func(ctx context.Context, st *store.Store) error {
				f, err := amnesty.AddFollowUp(ctx, st, in)
				if err != nil {
					return err
				}
				fmt.Fprintf(m.Stdout, "follow-up %d: person %d, %s on %s\n", f.ID, f.PersonID, f.Kind, f.Date.Human("en"))
				return nil
			})
		},
	}
	cmd.Flags().StringVar(&in.Kind, "kind", "", "kind of observation")
	cmd.Flags().StringVar(&in.Date, "date", "", "date observed (partial dates allowed)")
	cmd.Flags().StringVar(&in.Observation, "observation", "", "what was observed")
	cmd.Flags().StringVar(&in.ReportedBy, "reported-by", "", "who reported it")
	cmd.Flags().StringVar(&in.Source, "source", "", "source key or id")
	cmd.Flags().StringVar(&sens, "sensitivity", "internal", "public, internal or confidential")
	return cmd
}

func (m *Main) amnestyOverdue() *cobra.Command {
	var months int
	var format, now string
	cmd := &cobra.Command{
		Use:   "overdue --months N",
		Short: "List released people with no follow-up for N months",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			at := time.Now().UTC()
			if now != "" {
				t, err := time.Parse("2006-01-02", now)
				if err != nil {
					return rollcall.Errorf(rollcall.EINVALID, "--now %q: write it as 2006-01-02", now)
				}
				at = t
			}
			return m.withStore(cmd, openOpts{}, func(ctx context.Context, st *store.Store) error {
				rows, err := amnesty.Overdue(ctx, st, months, at)
				if err != nil {
					return err
				}
				if rows == nil {
					rows = []amnesty.OverdueRow{}
				}
				t := table{header: []string{"person_id", "name", "decree", "status", "released_on", "last_follow_up", "last_kind", "months_since"}}
				for _, r := range rows {
					name := r.Name
					if r.Fictional {
						name += " (fictional)"
					}
					t.rows = append(t.rows, []string{strconv.FormatInt(r.PersonID, 10), name, r.Decree, r.Status, r.ReleasedOn,
						r.LastFollowUp, r.LastKind, strconv.Itoa(r.MonthsSince)})
				}
				return m.render(format, rows, t)
			})
		},
	}
	cmd.Flags().IntVar(&months, "months", 6, "months without follow-up")
	cmd.Flags().StringVar(&format, "format", "table", "output format: table, csv or json")
	cmd.Flags().StringVar(&now, "now", "", "count months up to this day (YYYY-MM-DD) instead of today")
	return cmd
}

func (m *Main) amnestySeedDemo() *cobra.Command {
	var seed int64
	cmd := &cobra.Command{
		Use:   "seed-demo",
		Short: "Record FICTIONAL outcomes under the 2015 decree for the demo population",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			return m.withStore(cmd, openOpts{}, func(ctx context.Context, st *store.Store) error {
				sum, err := demo.SeedAmnestyOutcomes(ctx, st, seed)
				if err != nil {
					return err
				}
				if sum.Skipped {
					fmt.Fprintf(m.Stdout, "%s already has outcomes; nothing recorded\n", sum.Decree)
					return nil
				}
				fmt.Fprintf(m.Stdout, "recorded %d fictional outcomes and %d follow-ups under %s\n", sum.Outcomes, sum.FollowUps, sum.Decree)
				return nil
			})
		},
	}
	cmd.Flags().Int64Var(&seed, "seed", 1, "random seed")
	return cmd
}
