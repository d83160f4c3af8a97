package main

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/rollcall-project/rollcall"
	"github.com/rollcall-project/rollcall/internal/export"
	"github.com/rollcall-project/rollcall/internal/ingest"
	"github.com/rollcall-project/rollcall/internal/refdata"
	"github.com/rollcall-project/rollcall/internal/store"
)

func (m *Main) ioCommands() []*cobra.Command {
	return []*cobra.Command{m.importCommand(), m.exportCommand()}
}

func (m *Main) importCommand() *cobra.Command {
	var kind, mapFile, sheet, encoding string
	var loadRef, asJSON, dryRun bool
	cmd := &cobra.Command{
		Use:   "import [FILE...]",
		Short: "Import sources, records, facilities and events from CSV or XLSX, all or nothing",
		Long: `Import reads CSV and XLSX files and writes them in one transaction, or nothing
if any row is wrong: then every problem is printed as FILE:ROW:COLUMN: reason
and the command fails. Importing the same files again changes nothing.

Each table (a CSV file, or an XLSX sheet) holds one kind of row, told by its
sheet name (sources, records, facilities, events), by --kind, by a mapping
file, or by its headers. Headers are matched by name and common synonyms in
English and Korean (name/이름, birth_date/생년월일, sex/성별, ...). Records name
their source by key in a "source" column; the source is in the same import
(another file or sheet) or already in the database.

A mapping file (YAML or JSON) maps other headers and gives defaults:

  kind: records
  columns: {"Nom": name, "N°": key}
  defaults: {source: my-list-2015}

CSV files may be UTF-8, UTF-16 (what Excel saves as "Unicode text") or CP949
(EUC-KR, what Korean Excel saves as "CSV"); the encoding is detected, and a
file whose encoding cannot be told is refused: give it with --encoding.
Limits, checked while reading: a CSV row of at most 4 MiB and 256 columns;
an XLSX file of at most 256 MiB unpacked and 10 million cells.

--refdata loads the built-in facilities, vocabularies, published estimates
and amnesty decrees (also without files).`,
		Example: `  rollcall import --refdata
  rollcall import sources.csv records.csv events.csv
  rollcall import list.xlsx --sheet 명단 --kind records --map list-map.yaml
  rollcall import 명단.csv --encoding cp949`,
		RunE: func(cmd *cobra.Command, args []string) error {
			if len(args) == 0 && !loadRef {
				return rollcall.Errorf(rollcall.EINVALID, "name the files to import (or give --refdata)")
			}
			if loadRef && dryRun {
				return rollcall.Errorf(rollcall.EINVALID, "--refdata writes to the database; load it without --dry-run first")
			}
			k, err := ingest.ParseKind(kind)
			if err != nil {
				return rollcall.Errorf(rollcall.EINVALID, "--kind: %s", err)
			}
			enc, err := ingest.ParseEncoding(encoding)
			if err != nil {
				return rollcall.Errorf(rollcall.EINVALID, "--encoding: %s", err)
			}
			opts := ingest.Options{Kind: k, Sheet: sheet, Encoding: enc, Progress: m.stderrTerminal()}
			if mapFile != "" {
				mp, err := ingest.LoadMapping(mapFile)
				if err != nil {
					return m.importFailed(err)
				}
				opts.Mapping = mp
			}
			return m.withStore(cmd, openOpts{}, func(ctx context.Context, st *store.Store) error {
				if loadRef {
					if err := refdata.Load(ctx, st); err != nil {
						return fmt.Errorf("load reference data: %w", err)
					}
					fmt.Fprintln(m.Stdout, "reference data loaded")
				}
				if len(args) == 0 {
					return nil
				}
				plan, err := ingest.Validate(ctx, st, args, opts)
				if err != nil {
					return m.importFailed(err)
				}
				if dryRun {
					for _, w := range plan.Warnings() {
						fmt.Fprintln(m.Stderr, "warning:", w)
					}
					fmt.Fprintf(m.Stdout, "%d rows checked, no problems found; nothing written (--dry-run)\n", plan.Rows())
					return nil
				}
				res, err := plan.Write(ctx)
				if err != nil {
					return err
				}
				for _, w := range res.Warnings {
					fmt.Fprintln(m.Stderr, "warning:", w)
				}
				if asJSON {
					enc := json.NewEncoder(m.Stdout)
					enc.SetIndent("", "  ")
					return enc.Encode(res)
				}
				for _, c := range []struct {
					name string
					c    ingest.Counts
				}{{"sources", res.Sources}, {"facilities", res.Facilities}, {"records", res.Records}, {"events", res.Events}} {
					if c.c != (ingest.Counts{}) {
						fmt.Fprintf(m.Stdout, "%-10s %d created, %d updated, %d unchanged\n", c.name, c.c.Created, c.c.Updated, c.c.Unchanged)
					}
				}
				return nil
			})
		},
	}
	f := cmd.Flags()
	f.StringVar(&kind, "kind", "", "what every table holds: sources, records, facilities or events (default: detect)")
	f.StringVar(&mapFile, "map", "", "column mapping file (YAML or JSON)")
	f.StringVar(&sheet, "sheet", "", "import only this sheet of an XLSX file")
	f.StringVar(&encoding, "encoding", ingest.EncodingAuto, "text encoding of CSV files: "+strings.Join(ingest.Encodings, ", ")+" (auto detects UTF-8, UTF-16 and CP949)")
	f.BoolVar(&loadRef, "refdata", false, "load the built-in reference data first")
	f.BoolVar(&asJSON, "json", false, "print the result as JSON")
	f.BoolVar(&dryRun, "dry-run", false, "check every row and report problems, but write nothing")
	return cmd
}

// importFailed prints each row error on its own line and returns a short
// error, so the user sees FILE:ROW:COLUMN: reason lines and exit status 1.
func (m *Main) importFailed(err error) error {
	es, ok := ingest.AsErrors(err)
	if !ok {
		return err
	}
	for _, e := range es {
		fmt.Fprintln(m.Stderr, e.String())
	}
	if rollcall.ErrorCode(err) == rollcall.EINVALID && rollcall.ErrorMessage(err) != "internal error" {
		return rollcall.Errorf(rollcall.EINVALID, "%s", rollcall.ErrorMessage(err))
	}
	return rollcall.Errorf(rollcall.EINVALID, "%d problem(s); nothing was imported", len(es))
}

func (m *Main) exportCommand() *cobra.Command {
	var format, entity, output string
	cmd := &cobra.Command{
		Use:   "export",
		Short: "Export facilities, sources, records, persons or events as CSV, XLSX, JSON, NDJSON or GeoJSON",
		Long: `Export writes one entity list to standard output or --output (created readable
by you only). Confidential fields (testimonies, informants) and confidential
rows are never written; the redacted, signed public export is a separate
command. GeoJSON writes the facilities that have coordinates as a
FeatureCollection of points ([longitude, latitude]).

CSV cells that a spreadsheet would run as a formula (starting with = + - @,
tab or carriage return, except numbers) get a leading apostrophe. XLSX has
the same columns, one sheet named after the entity, numbers as numbers and
everything else as text, so no cell is a formula.

A records or sources CSV or XLSX export can be imported again unchanged.`,
		Example: `  rollcall export --format geojson --output facilities.geojson
  rollcall export --entity records --format csv > records.csv
  rollcall export --entity records --format xlsx --output records.xlsx
  rollcall export --entity events --format ndjson`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if entity == "" {
				entity = export.Records
				if strings.EqualFold(format, export.GeoJSON) {
					entity = export.Facilities
				}
			}
			return m.withStore(cmd, openOpts{}, func(ctx context.Context, st *store.Store) error {
				// A file is written beside the target (0600) and renamed, so a
				// failed export never leaves half a file under the real name.
				opts := export.Options{Entity: entity, Format: format}
				var stats export.Stats
				var err error
				if output != "" && output != "-" {
					stats, err = export.WriteFile(ctx, st, output, opts)
				} else {
					stats, err = export.Write(ctx, st, m.Stdout, opts)
				}
				if err != nil {
					return err
				}
				msg := fmt.Sprintf("exported %d %s", stats.Written, entity)
				if stats.Skipped > 0 {
					why := "confidential"
					if strings.EqualFold(format, export.GeoJSON) {
						why = "without coordinates"
					}
					msg += fmt.Sprintf(" (%d left out: %s)", stats.Skipped, why)
				}
				fmt.Fprintln(m.Stderr, msg)
				return nil
			})
		},
	}
	f := cmd.Flags()
	f.StringVar(&format, "format", export.CSV, "csv, xlsx, json, ndjson or geojson")
	f.StringVar(&entity, "entity", "", "facilities, sources, records, persons or events (default records; facilities for geojson)")
	f.StringVarP(&output, "output", "o", "", "write to this file instead of standard output")
	return cmd
}
