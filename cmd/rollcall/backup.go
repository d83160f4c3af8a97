package main

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"time"

	"filippo.io/age"
	"github.com/spf13/cobra"

	"github.com/rollcall-project/rollcall"
	"github.com/rollcall-project/rollcall/internal/audit/chain"
	"github.com/rollcall-project/rollcall/internal/backup"
	"github.com/rollcall-project/rollcall/internal/keys"
	"github.com/rollcall-project/rollcall/internal/store"
)

func (m *Main) backupCommand() *cobra.Command {
	var output string
	var recipients []string
	cmd := &cobra.Command{
		Use:   "backup --output FILE.age",
		Short: "Write an encrypted, consistent snapshot (safe while the server runs)",
		Long: `Encrypts to each --recipient (age public keys), or else to a passphrase from
$ROLLCALL_BACKUP_PASSPHRASE or a prompt. The archive holds the database, the
keyring (its keys stay wrapped) and the evidence files.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if output == "" {
				return rollcall.Errorf(rollcall.EINVALID, "--output is required")
			}
			rs, err := m.backupRecipients(recipients)
			if err != nil {
				return err
			}
			return m.withStore(cmd, openOpts{plain: true}, func(ctx context.Context, st *store.Store) error {
				dsn := m.dbFlag(cmd)
				src := backup.Source{DB: st}
				if p, err := m.keyringPath(dsn); err == nil && keys.Exists(p) {
					src.KeyringPath = p
				} else {
					fmt.Fprintln(m.Stderr, "warning: no keyring found; the backup holds none, and its confidential fields can only be read with the keyring you keep elsewhere")
				}
				if d, err := m.evidenceDir(dsn); err == nil {
					src.EvidenceDir = d
				}
				var man *backup.Manifest
				h := sha256.New()
				err := m.writeOutput(output, func(w io.Writer) error {
					var err error
					man, err = backup.Create(ctx, src, io.MultiWriter(w, h), rs...)
					return err
				})
				if err != nil {
					return err
				}
				if man.Audit.Error != "" {
					fmt.Fprintf(m.Stderr, "warning: the audit log does not verify: %s\n", man.Audit.Error)
				}
				sum := hex.EncodeToString(h.Sum(nil))
				fmt.Fprintf(m.Stdout, "backup %s: %d files, audit log %d entries, sha256 %s\n", output, len(man.Files), man.Audit.Entries, sum)
				return st.AppendAudit(ctx, chain.Entry{Action: "backup", Entity: "database", Detail: "sha256=" + sum})
			})
		},
	}
	cmd.Flags().StringVar(&output, "output", "", "archive to write")
	cmd.Flags().StringArrayVar(&recipients, "recipient", nil, "age public key to encrypt to (repeatable)")
	return cmd
}

// backupRecipients are the --recipient keys, or else a passphrase.
func (m *Main) backupRecipients(keys []string) ([]age.Recipient, error) {
	var rs []age.Recipient
	for _, r := range keys {
		x, err := age.ParseX25519Recipient(r)
		if err != nil {
			return nil, rollcall.WrapError(rollcall.EINVALID, err, "bad --recipient %q", r)
		}
		rs = append(rs, x)
	}
	if len(rs) > 0 {
		return rs, nil
	}
	p, err := m.secret("ROLLCALL_BACKUP_PASSPHRASE", "Backup passphrase: ", true)
	if err != nil {
		return nil, err
	}
	r, err := age.NewScryptRecipient(string(p))
	if err != nil {
		return nil, err
	}
	return []age.Recipient{r}, nil
}

// backupIdentities are the identities of --identity, or else a passphrase.
func (m *Main) backupIdentities(file string) ([]age.Identity, error) {
	if file != "" {
		f, err := os.Open(file)
		if err != nil {
			return nil, err
		}
		defer f.Close()
		ids, err := age.ParseIdentities(f)
		if err != nil {
			return nil, rollcall.WrapError(rollcall.EINVALID, err, "bad identity file %s", file)
		}
		return ids, nil
	}
	p, err := m.secret("ROLLCALL_BACKUP_PASSPHRASE", "Backup passphrase: ", false)
	if err != nil {
		return nil, err
	}
	id, err := age.NewScryptIdentity(string(p))
	if err != nil {
		return nil, err
	}
	return []age.Identity{id}, nil
}

func (m *Main) restoreCommand() *cobra.Command {
	var identity string
	var force bool
	cmd := &cobra.Command{
		Use:   "restore FILE.age",
		Short: "Check a backup completely, then install it as --db (stop the server first)",
		Long: `Decrypts with --identity (an age identity file) or a passphrase from
$ROLLCALL_BACKUP_PASSPHRASE or a prompt; checks every member's hash, the
audit chain and its signed checkpoints; only then replaces the database. A
SQLite file is moved aside, never deleted. A PostgreSQL database must be
empty unless --force.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			ids, err := m.backupIdentities(identity)
			if err != nil {
				return err
			}
			in, err := os.Open(args[0])
			if err != nil {
				return rollcall.WrapError(rollcall.EINVALID, err, "cannot read %s", args[0])
			}
			defer in.Close()
			// Restore replaces the database: it opens no store here.
			dsn := m.dbFlag(cmd)
			t := backup.Target{DSN: dsn, Force: force}
			if p, err := m.keyringPath(dsn); err == nil {
				t.KeyringPath = p
			}
			if d, err := m.evidenceDir(dsn); err == nil {
				t.EvidenceDir = d
			}
			res, err := backup.Restore(m.cliContext(cmd.Context()), in, t, ids...)
			if err != nil {
				return err
			}
			fmt.Fprintf(m.Stdout, "restored %s backup of %s into %s: audit log %d entries verified\n", res.Manifest.Dialect, res.Manifest.Created.Format(time.RFC3339), dsn, res.Manifest.Audit.Entries)
			if res.MovedAside != "" {
				fmt.Fprintf(m.Stdout, "the previous database was moved to %s\n", res.MovedAside)
			}
			if res.KeyringNote != "" {
				fmt.Fprintln(m.Stdout, res.KeyringNote)
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&identity, "identity", "", "age identity file to decrypt with")
	cmd.Flags().BoolVar(&force, "force", false, "replace the content of a non-empty PostgreSQL database")
	return cmd
}
