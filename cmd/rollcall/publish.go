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
		Short: "Write the signed, redacted public export (FILE and FILE.sig) and record its hash in the audit log",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if output == "" {
				return rollcall.Errorf(rollcall.EINVALID, "--output is required")
			}
			priv, err := m.signer(cmd)
			if err != nil {
				return err
			}
			// No cipher: the export is built from a store that cannot
			// decrypt anything, so no confidential value can reach it.
			return m.withStore(cmd, openOpts{plain: true}, func(ctx context.Context, st *store.Store) error {
				d, err := publish.Collect(ctx, st)
				if err != nil {
					return err
				}
				e := publish.Build(d, k, time.Now())
				b, err := e.Marshal()
				if err != nil {
					return err
				}
				sig := publish.Sign(priv, b)
				if err := m.writeOutput(output, func(w io.Writer) error { _, err := w.Write(b); return err }); err != nil {
					return err
				}
				if err := m.writeOutput(output+".sig", func(w io.Writer) error { _, err := io.WriteString(w, sig.Text()); return err }); err != nil {
					return err
				}
				proof, err := publish.Record(ctx, st, priv, e, sig)
				if err != nil {
					return err
				}
				pb, err := json.MarshalIndent(proof, "", "  ")
				if err != nil {
					return err
				}
				if err := m.writeOutput(output+".proof", func(w io.Writer) error { _, err := w.Write(append(pb, '\n')); return err }); err != nil {
					return err
				}
				// The export is meant for the public: readable by all.
				for _, p := range []string{output, output + ".sig", output + ".proof"} {
					if err := os.Chmod(p, 0o644); err != nil {
						return err
					}
				}
				fmt.Fprintf(m.Stdout, "%s: %d persons, sha256 %s\nverify with: rollcall verify-export %s --key %s\n", output, len(e.Persons), sig.SHA256, output, keys.EncodePublicKey(priv.Public().(ed25519.PublicKey)))
				return nil
			})
		},
	}
	cmd.Flags().StringVar(&output, "output", "", "file to write (its signature goes to FILE.sig)")
	cmd.Flags().IntVar(&k, "k", publish.DefaultK, "smallest count a statistics cell may show")
	return cmd
}

func (m *Main) verifyExportCommand() *cobra.Command {
	var key, sigPath string
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
			pb, err := os.ReadFile(args[0] + ".proof")
			if os.IsNotExist(err) {
				fmt.Fprintln(m.Stdout, "no .proof file: the audit log record was not checked")
				return nil
			}
			if err != nil {
				return err
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
	return cmd
}
