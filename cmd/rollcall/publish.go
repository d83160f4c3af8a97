package main

import (
	"context"
	"crypto/ed25519"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/spf13/cobra"

	"github.com/rollcall-project/rollcall"
	"github.com/rollcall-project/rollcall/internal/keys"
	"github.com/rollcall-project/rollcall/internal/publish"
	"github.com/rollcall-project/rollcall/internal/store"
)

func (m *Main) publishCommand() *cobra.Command {
	var output string
	var k int
	cmd := &cobra.Command{
		Use:   "publish --output FILE",
		Short: "Write the signed, redacted public export (FILE, FILE.sig, FILE.proof) and record what it reveals",
		Long: `Write the next public export. Its statistics count only the persons the list does not name;
a count below --k, or one that differs by 1..k-1 from the same count in an earlier publication of this
database, is left out (the cells left out for an earlier publication are listed here, never in the file).
The publication, what it revealed and its audit entry are recorded together; "publish list" lists them.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if output == "" {
				return rollcall.Errorf(rollcall.EINVALID, "--output is required")
			}
			if err := publish.CheckK(k); err != nil {
				return err
			}
			priv, err := m.signer(cmd)
			if err != nil {
				return err
			}
			// No cipher: the export is built from a store that cannot
			// decrypt anything, so no confidential value can reach it.
			return m.withStore(cmd, openOpts{plain: true}, func(ctx context.Context, st *store.Store) error {
				// Recorded before the files are written: a publication
				// recorded but never released only makes later ones more
				// cautious, while one released unrecorded would escape the
				// differencing check.
				r, err := publish.Publish(ctx, st, priv, k, m.Now())
				if err != nil {
					return err
				}
				if err := m.writeOutput(output, func(w io.Writer) error { _, err := w.Write(r.Bytes); return err }); err != nil {
					return err
				}
				if err := m.writeOutput(output+".sig", func(w io.Writer) error { _, err := io.WriteString(w, r.Sig.Text()); return err }); err != nil {
					return err
				}
				proof, err := publish.Prove(ctx, st, priv, r)
				if err != nil {
					return err
				}
				pb, err := json.MarshalIndent(proof, "", "  ")
				if err != nil {
					return fmt.Errorf("encode proof: %w", err)
				}
				if err := m.writeOutput(output+".proof", func(w io.Writer) error { _, err := w.Write(append(pb, '\n')); return err }); err != nil {
					return err
				}
				// The export is meant for the public: readable by all.
				for _, p := range []string{output, output + ".sig", output + ".proof"} {
					if err := os.Chmod(p, 0o644); err != nil {
						return fmt.Errorf("make %s readable: %w", p, err)
					}
				}
				fmt.Fprintf(m.Stdout, "%s: publication %d, %d persons named, sha256 %s\n", output, r.Export.Publication, len(r.Export.Persons), r.Sig.SHA256)
				for _, d := range r.Withheld {
					cell := d.Table + "=" + d.Value
					if d.Value == "" {
						cell = "the total"
					}
					fmt.Fprintf(m.Stdout, "withheld %s: it differs by fewer than %d from publication %d\n", cell, k, d.Publication)
				}
				fmt.Fprintf(m.Stdout, "verify with: rollcall verify-export %s --key %s\n", output, keys.EncodePublicKey(priv.Public().(ed25519.PublicKey)))
				return nil
			})
		},
	}
	cmd.Flags().StringVar(&output, "output", "", "file to write (its signature goes to FILE.sig, the audit proof to FILE.proof)")
	cmd.Flags().IntVar(&k, "k", publish.DefaultK, "smallest count a statistics cell may show (1 or more)")
	cmd.AddCommand(m.publishListCommand())
	return cmd
}

func (m *Main) publishListCommand() *cobra.Command {
	var format string
	cmd := &cobra.Command{
		Use:   "list",
		Short: "List the publications recorded in the database (withheld: cells held back because of earlier ones)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			return m.withStore(cmd, openOpts{plain: true}, func(ctx context.Context, st *store.Store) error {
				ps, err := st.Publications(ctx)
				if err != nil {
					return err
				}
				t := table{header: []string{"number", "at", "actor", "format", "k", "persons", "withheld", "sha256"}}
				for _, p := range ps {
					t.rows = append(t.rows, []string{fmt.Sprint(p.Number), p.At.Format(time.RFC3339), p.Actor, p.Format,
						fmt.Sprint(p.K), fmt.Sprint(p.Persons), fmt.Sprint(len(p.Withheld)), p.SHA256})
				}
				if ps == nil {
					ps = []store.Publication{}
				}
				return m.render(format, ps, t)
			})
		},
	}
	cmd.Flags().StringVar(&format, "format", "table", "output format: table, csv or json")
	return cmd
}

func (m *Main) verifyExportCommand() *cobra.Command {
	var key, sigPath string
	var noProof bool
	cmd := &cobra.Command{
		Use:   "verify-export FILE --key PUBKEY",
		Short: "Check that a published export is unaltered and signed by the given key (no database needed)",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			pub, err := keys.ParsePublicKey(key)
			if err != nil {
				return err
			}
			b, err := os.ReadFile(args[0])
			if err != nil {
				return rollcall.WrapError(rollcall.EINVALID, err, "cannot read %s", args[0])
			}
			if sigPath == "" {
				sigPath = args[0] + ".sig"
			}
			sb, err := os.ReadFile(sigPath)
			if err != nil {
				return rollcall.WrapError(rollcall.EINVALID, err, "cannot read the signature %s", sigPath)
			}
			s, err := publish.Verify(b, string(sb), pub)
			if err != nil {
				return err
			}
			fmt.Fprintf(m.Stdout, "OK: %s is signed by %s (sha256 %s)\n", args[0], keys.EncodePublicKey(pub), s.SHA256)
			if f := publish.FormatOf(b); f == publish.FormatV1 {
				fmt.Fprintf(m.Stdout, "warning: %s is in format %s, whose statistics let the persons it does not name be recovered by subtracting the named list; publish again with this version\n", args[0], f)
			}
			if noProof {
				fmt.Fprintln(m.Stdout, "--no-proof: the audit log record was not checked")
				return nil
			}
			pb, err := os.ReadFile(args[0] + ".proof")
			if os.IsNotExist(err) {
				return rollcall.Errorf(rollcall.EINVALID, "%s.proof is missing: without it the export cannot be checked against the publisher's audit log (pass --no-proof to check the signature only)", args[0])
			}
			if err != nil {
				return rollcall.WrapError(rollcall.EINVALID, err, "cannot read %s.proof", args[0])
			}
			proof, c, err := publish.CheckProof(args[0]+".proof", pb, pub, s)
			if err != nil {
				return err
			}
			fmt.Fprintf(m.Stdout, "OK: recorded as audit entry %d at %s, in the log signed at %s with %d entries\n",
				proof.Entry.Seq, proof.Entry.At.Format(time.RFC3339), c.At.Format(time.RFC3339), c.Size)
			return nil
		},
	}
	cmd.Flags().StringVar(&key, "key", "", "the publisher's signing key (ed25519:...)")
	cmd.Flags().StringVar(&sigPath, "sig", "", "signature file (default FILE.sig)")
	cmd.Flags().BoolVar(&noProof, "no-proof", false, "check the signature only, without FILE.proof (the audit log record)")
	return cmd
}
