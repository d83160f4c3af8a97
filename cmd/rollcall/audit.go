package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/spf13/cobra"

	"github.com/rollcall-project/rollcall"
	"github.com/rollcall-project/rollcall/internal/audit"
	"github.com/rollcall-project/rollcall/internal/keys"
	"github.com/rollcall-project/rollcall/internal/store"
)

// auditCommand is `rollcall audit`: the hash-chained audit log. None of its
// commands loads the field cipher: the log holds no confidential value.
func (m *Main) auditCommand() *cobra.Command {
	cmd := &cobra.Command{Use: "audit", Short: "Verify, export and checkpoint the hash-chained audit log"}
	cmd.AddCommand(m.auditVerify(), m.auditExport(), m.auditCheckpoint())
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
	cmd := &cobra.Command{
		Use:   "verify",
		Short: "Check every entry and checkpoint; exit 1 naming the first bad entry",
		Args:  cobra.NoArgs,
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
			return m.withStore(cmd, openOpts{plain: true}, func(ctx context.Context, st *store.Store) error {
				_, rep, err := audit.Verify(ctx, st, o)
				if err != nil {
					return err
				}
				fmt.Fprintf(m.Stdout, "audit log OK: %d entries, head %s, tree root %s, %d checkpoints consistent\n", rep.Entries, rep.Head, rep.Root, rep.Checkpoints)
				if o.Trusted == nil && rep.Checkpoints > 0 {
					fmt.Fprintln(m.Stdout, "note: no keyring or --key: checkpoint signatures were checked against the key each names, not one you trust")
				}
				return nil
			})
		},
	}
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
