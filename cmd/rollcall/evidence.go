package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/rollcall-project/rollcall"
	"github.com/rollcall-project/rollcall/internal/evidence"
	"github.com/rollcall-project/rollcall/internal/store"
)

// evidenceCommand is `rollcall evidence`: files kept by hash, encrypted,
// with a chain of custody.
func (m *Main) evidenceCommand() *cobra.Command {
	cmd := &cobra.Command{Use: "evidence", Short: "Keep files as evidence, by SHA-256, encrypted, with a chain of custody"}
	cmd.AddCommand(m.evidenceAdd(), m.evidenceGet(), m.evidenceVerify(), m.evidenceShow(), m.evidenceList())
	return cmd
}

// vault opens the evidence directory; unlock loads the keyring's evidence
// key (needed to add or read files, not to check their hashes).
func (m *Main) vault(ctx context.Context, cmd *cobra.Command, st *store.Store, unlock bool) (*evidence.Vault, error) {
	dir, err := m.evidenceDir(m.dbFlag(cmd))
	if err != nil {
		return nil, err
	}
	v := &evidence.Vault{DB: st, Dir: dir}
	if !unlock {
		return v, nil
	}
	// The recipient comes from the unlocked identity, not from the keyring
	// file's public field, so new evidence always goes to our own key.
	ring, err := m.keyring(ctx, cmd)
	if err != nil {
		return nil, err
	}
	id, err := ring.EvidenceIdentity()
	if err != nil {
		return nil, err
	}
	v.Identity, v.Recipient = id, id.Recipient()
	return v, nil
}

func (m *Main) evidenceAdd() *cobra.Command {
	var rc evidence.Receipt
	var sourceKey, sens string
	cmd := &cobra.Command{
		Use:   "add FILE",
		Short: "Store a file and record who received it, from whom and how",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return m.withStore(cmd, openOpts{}, func(ctx context.Context, st *store.Store) error {
				if sourceKey != "" {
					src, err := st.SourceByKey(ctx, sourceKey)
					if err != nil {
						return err
					}
					rc.SourceID = &src.ID
				}
				rc.Sensitivity = rollcall.Sensitivity(sens)
				if rc.ReceivedBy == "" {
					rc.ReceivedBy = m.Getenv("USER")
				}
				v, err := m.vault(ctx, cmd, st, true)
				if err != nil {
					return err
				}
				in, err := os.Open(args[0])
				if err != nil {
					return rollcall.WrapError(rollcall.EINVALID, err, "cannot read %s", args[0])
				}
				defer in.Close()
				rc.Name = filepath.Base(args[0])
				f, created, err := v.Add(ctx, in, rc)
				if err != nil {
					return err
				}
				state := "stored"
				if !created {
					state = "already stored; receipt added to its chain of custody"
				}
				fmt.Fprintf(m.Stdout, "%s %s (%d bytes)\n", f.SHA256, state, f.Size)
				return nil
			})
		},
	}
	f := cmd.Flags()
	f.StringVar(&sourceKey, "source", "", "key of the source the file belongs to")
	f.StringVar(&rc.ReceivedFrom, "received-from", "", "who handed the file over (confidential)")
	f.StringVar(&rc.Method, "method", "", "how it was received (in person, messenger, USB, ...)")
	f.StringVar(&rc.ReceivedBy, "received-by", "", "who received it (default $USER)")
	f.StringVar(&rc.Note, "note", "", "note for the chain of custody")
	f.StringVar(&rc.MediaType, "media-type", "", "media type, e.g. image/jpeg")
	f.StringVar(&sens, "sensitivity", "confidential", "public, internal or confidential")
	return cmd
}

func (m *Main) evidenceGet() *cobra.Command {
	var out, purpose string
	cmd := &cobra.Command{
		Use:   "get HASH",
		Short: "Decrypt a file to --out (the access is recorded)",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if out == "" {
				return rollcall.Errorf(rollcall.EINVALID, "--out is required")
			}
			return m.withStore(cmd, openOpts{}, func(ctx context.Context, st *store.Store) error {
				v, err := m.vault(ctx, cmd, st, true)
				if err != nil {
					return err
				}
				return m.writeOutput(out, func(w io.Writer) error { return v.Get(ctx, strings.ToLower(args[0]), w, purpose) })
			})
		},
	}
	cmd.Flags().StringVar(&out, "out", "", "file to write")
	cmd.Flags().StringVar(&purpose, "purpose", "", "why the file is accessed (kept in the chain of custody)")
	return cmd
}

func (m *Main) evidenceVerify() *cobra.Command {
	var deep bool
	cmd := &cobra.Command{
		Use:   "verify",
		Short: "Re-hash every evidence file; report missing, altered or unrecorded files (exit 1 if any)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			return m.withStore(cmd, openOpts{plain: true}, func(ctx context.Context, st *store.Store) error {
				v, err := m.vault(ctx, cmd, st, deep)
				if err != nil {
					return err
				}
				probs, n, err := v.Verify(ctx)
				if err != nil {
					return err
				}
				for _, p := range probs {
					fmt.Fprintln(m.Stdout, p)
				}
				if len(probs) > 0 {
					return rollcall.Errorf(rollcall.EINVALID, "%d problems among %d evidence files", len(probs), n)
				}
				fmt.Fprintf(m.Stdout, "%d evidence files OK\n", n)
				return nil
			})
		},
	}
	cmd.Flags().BoolVar(&deep, "deep", false, "also decrypt each file and check its content hash (needs the passphrase)")
	return cmd
}

func (m *Main) evidenceShow() *cobra.Command {
	return &cobra.Command{
		Use:   "show HASH",
		Short: "Show a file's record and chain of custody",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return m.withStore(cmd, openOpts{}, func(ctx context.Context, st *store.Store) error {
				f, err := st.GetEvidence(ctx, strings.ToLower(args[0]))
				if err != nil {
					return err
				}
				cs, err := st.Custody(ctx, f.SHA256)
				if err != nil {
					return err
				}
				fmt.Fprintf(m.Stdout, "sha256 %s\nsize %d\nname %s\nsensitivity %s\nreceived %s by %s\n", f.SHA256, f.Size, f.Name, f.Sensitivity, f.CreatedAt.Format(time.RFC3339), f.CreatedBy)
				for _, c := range cs {
					fmt.Fprintf(m.Stdout, "  %s %s %s from=%q method=%q note=%q\n", c.At.Format(time.RFC3339), c.Actor, c.Action, c.Party, c.Method, c.Note)
				}
				return nil
			})
		},
	}
}

func (m *Main) evidenceList() *cobra.Command {
	return &cobra.Command{
		Use:   "list",
		Short: "List evidence files (hash, size, source, when received)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			return m.withStore(cmd, openOpts{plain: true}, func(ctx context.Context, st *store.Store) error {
				fs, err := st.ListEvidence(ctx)
				if err != nil {
					return err
				}
				for _, f := range fs {
					src := "-"
					if f.SourceID != nil {
						src = fmt.Sprint(*f.SourceID)
					}
					fmt.Fprintf(m.Stdout, "%s %10d source=%s %s %s\n", f.SHA256, f.Size, src, f.Sensitivity, f.CreatedAt.Format(time.RFC3339))
				}
				return nil
			})
		},
	}
}
