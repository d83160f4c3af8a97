package main

import (
	"context"
	"fmt"
	"io"
	"maps"
	"os"
	"slices"
	"time"

	"github.com/spf13/cobra"

	"github.com/rollcall-project/rollcall"
	"github.com/rollcall-project/rollcall/internal/audit"
	"github.com/rollcall-project/rollcall/internal/keys"
	"github.com/rollcall-project/rollcall/internal/store"
)

// auditCommand is `rollcall audit`: the hash-chained audit log. Only the
// row check (verify, seal-rows) loads the key, for the keyed row MACs; the
// log itself holds no confidential value.
func (m *Main) auditCommand() *cobra.Command {
	cmd := &cobra.Command{Use: "audit", Short: "Verify, export and checkpoint the hash-chained audit log"}
	cmd.AddCommand(m.auditVerify(), m.auditExport(), m.auditCheckpoint(), m.auditSealRows())
	return cmd
}

// trustedKey is the signing key from the keyring file, if there is one.
func (m *Main) trustedKey(dsn string) []byte {
	p, err := m.keyringPath(dsn)
	if err != nil {
		return nil
	}
	f, err := keys.Load(p)
	if err != nil {
		return nil
	}
	return f.SigningPublic
}

func (m *Main) auditVerify() *cobra.Command {
	var cps []string
	var pub string
	var noRows bool
	cmd := &cobra.Command{
		Use:   "verify",
		Short: "Check every entry and checkpoint, and every data row against the log; exit 1 naming what is wrong",
		Long: `Check the hash chain and every checkpoint (exit 1 naming the first bad
entry), then every current row of the sources, persons, records, events,
amnesty outcomes and follow-ups against the keyed MAC last logged for it:
rows edited, deleted or inserted behind the program's back (with sqlite3 or
psql) are named by table and id, and the exit status is 1. The row check
needs the key and holds the write lock while it runs (writers wait). Rows
never hashed (a database from before row hashes) are counted as unkeyed until
` + "`rollcall audit seal-rows`" + `. --no-rows checks the log only.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			o := audit.Options{Trusted: m.trustedKey(m.dbFlag(cmd))}
			if pub != "" {
				var err error
				if o.Trusted, err = keys.ParsePublicKey(pub); err != nil {
					return err
				}
			}
			for _, p := range cps {
				b, err := os.ReadFile(p)
				if err != nil {
					return err
				}
				o.External = append(o.External, string(b))
			}
			return m.withStore(cmd, openOpts{plain: noRows}, func(ctx context.Context, st *store.Store) error {
				var rep audit.Report
				var rows *store.RowReport
				// One transaction holding the write lock: the log and the
				// rows are read at one moment, and writers wait meanwhile.
				err := st.InTx(ctx, func(tx *store.Store) error {
					var err error
					if _, rep, err = audit.Verify(ctx, tx, o); err != nil {
						return err
					}
					if noRows || !tx.RowsKeyed() {
						return nil
					}
					rows, err = tx.VerifyRows(ctx)
					return err
				})
				if err != nil {
					return err
				}
				fmt.Fprintf(m.Stdout, "audit log OK: %d entries, head %s, tree root %s, %d checkpoints consistent\n", rep.Entries, rep.Head, rep.Root, rep.Checkpoints)
				if o.Trusted == nil && rep.Checkpoints > 0 {
					fmt.Fprintln(m.Stdout, "note: no keyring or --key: checkpoint signatures were checked against the key each names, not one you trust")
				}
				return m.reportRows(noRows, rows)
			})
		},
	}
	cmd.Flags().BoolVar(&noRows, "no-rows", false, "check the log only, not the data rows against it (needs no key)")
	cmd.Flags().StringArrayVar(&cps, "checkpoint", nil, "also check this checkpoint file kept outside the database (repeatable)")
	cmd.Flags().StringVar(&pub, "key", "", "signing key checkpoints must carry (default: the keyring's)")
	return cmd
}

func (m *Main) auditExport() *cobra.Command {
	var format, output string
	cmd := &cobra.Command{
		Use:   "export",
		Short: "Write the audit log as NDJSON",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if format != "ndjson" {
				return rollcall.Errorf(rollcall.EINVALID, "unknown format %q (ndjson)", format)
			}
			return m.withStore(cmd, openOpts{plain: true}, func(ctx context.Context, st *store.Store) error {
				return m.writeOutput(output, func(w io.Writer) error {
					_, err := audit.Export(ctx, st, w)
					return err
				})
			})
		},
	}
	cmd.Flags().StringVar(&format, "format", "ndjson", "output format")
	cmd.Flags().StringVar(&output, "output", "", "file to write (default standard output)")
	return cmd
}

func (m *Main) auditCheckpoint() *cobra.Command {
	var output string
	cmd := &cobra.Command{
		Use:   "checkpoint",
		Short: "Sign a checkpoint of the log (store it, and keep the printed copy somewhere else)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			priv, err := m.signer(cmd)
			if err != nil {
				return err
			}
			return m.withStore(cmd, openOpts{plain: true}, func(ctx context.Context, st *store.Store) error {
				c, err := audit.Checkpoint(ctx, st, priv, time.Now())
				if err != nil {
					return err
				}
				return m.writeOutput(output, func(w io.Writer) error {
					_, err := io.WriteString(w, c.Text())
					return err
				})
			})
		},
	}
	cmd.Flags().StringVar(&output, "output", "", "write the checkpoint to this file instead of standard output")
	return cmd
}

// reportRows prints the row check and fails when rows were written behind
// the program's back.
func (m *Main) reportRows(skipped bool, rows *store.RowReport) error {
	switch {
	case skipped:
		return nil
	case rows == nil:
		fmt.Fprintln(m.Stdout, "rows not checked: no key is configured for this database (rollcall key init), so no row hashes were written")
		return nil
	}
	for _, f := range rows.Findings {
		fmt.Fprintf(m.Stdout, "%s %d: %s behind the program's back\n", f.Table, f.ID, f.Problem)
	}
	var unkeyed int64
	for _, n := range rows.Unkeyed {
		unkeyed += n
	}
	if unkeyed > 0 {
		fmt.Fprintf(m.Stdout, "%d rows are unkeyed (written before row hashes:", unkeyed)
		for _, t := range slices.Sorted(maps.Keys(rows.Unkeyed)) {
			fmt.Fprintf(m.Stdout, " %s %d", t, rows.Unkeyed[t])
		}
		fmt.Fprintln(m.Stdout, "); check them, then run `rollcall audit seal-rows` once so that later edits show")
	}
	if len(rows.Findings) > 0 {
		return rollcall.Errorf(rollcall.ECONFLICT, "%d rows were edited, deleted or inserted behind the program's back (listed above; %d current rows checked)", len(rows.Findings), rows.Rows)
	}
	fmt.Fprintf(m.Stdout, "rows OK: %d rows match the log\n", rows.Rows-unkeyed)
	return nil
}

func (m *Main) auditSealRows() *cobra.Command {
	return &cobra.Command{
		Use:   "seal-rows",
		Short: "Log the keyed hash of every current data row, taking the rows as they are (once, after upgrading)",
		Long: `Record in the audit log the keyed MAC of every current row of the
covered tables, so that ` + "`audit verify`" + ` can check them. A database from
before row hashes needs this once; check the data first, since rows are taken
as they are. Afterwards a row the log never saw counts as inserted behind the
program's back. ` + "`key init`" + ` seals a new database. The run is audited.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			return m.withStore(cmd, openOpts{}, func(ctx context.Context, st *store.Store) error {
				n, err := st.SealRows(ctx)
				if err != nil {
					return err
				}
				fmt.Fprintf(m.Stdout, "%d rows sealed\n", n)
				return nil
			})
		},
	}
}
