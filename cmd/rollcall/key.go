package main

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/rollcall-project/rollcall/internal/keys"
	"github.com/rollcall-project/rollcall/internal/store"
)

// keyCommand is `rollcall key`: the keyring that encrypts confidential
// fields and signs the record.
func (m *Main) keyCommand() *cobra.Command {
	key := &cobra.Command{Use: "key", Short: "Manage the keys that encrypt confidential fields and sign the record"}
	recovery := &cobra.Command{Use: "recovery", Short: "Split the keyring's master key into shares, or recover it from them"}
	recovery.AddCommand(m.keyRecoverySplit(), m.keyRecoveryCombine())
	key.AddCommand(m.keyInit(), m.keyShow(), m.keyRotate(), m.keyPassphrase(), recovery)
	return key
}

func (m *Main) keyInit() *cobra.Command {
	var fromStdin bool
	var keyFile string
	cmd := &cobra.Command{
		Use:   "init",
		Short: "Create the keyring for the database, protected by a passphrase or a key file",
		Long: `Create <db>.keyring (or $ROLLCALL_KEYRING). The passphrase comes from
$ROLLCALL_PASSPHRASE, standard input (--passphrase-stdin) or a prompt; it is
never an argument. With --key-file, the file is created if missing: keep it
away from the database (e.g. on a removable drive).

A lost passphrase or key file cannot be recovered without recovery shares
(rollcall key recovery split): the confidential fields are then lost.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			path, err := m.keyringPath(m.dbFlag(cmd))
			if err != nil {
				return err
			}
			var s keys.Secret
			switch {
			case keyFile != "":
				var created bool
				if s, created, err = keyFileSecret(keyFile); created {
					fmt.Fprintf(m.Stderr, "created key file %s: keep it away from the database\n", keyFile)
				}
			case fromStdin:
				s.Passphrase, err = m.readLine()
			default:
				s.Passphrase, err = m.secret("ROLLCALL_PASSPHRASE", "New passphrase: ", true)
			}
			if err != nil {
				return err
			}
			ring, err := keys.Create(path, s, keys.Options{})
			if err != nil {
				return err
			}
			fmt.Fprintf(m.Stdout, "keyring %s created\nsigning key: %s\n", path, keys.EncodePublicKey(ring.PublicKey()))
			// Seal the rows present now, so that from here on a row the
			// log never saw counts as inserted behind the program's back.
			c, err := ring.Cipher()
			if err != nil {
				return err
			}
			err = m.withStore(cmd, openOpts{cipher: c}, func(ctx context.Context, st *store.Store) error {
				n, err := st.SealRows(ctx)
				if err == nil {
					fmt.Fprintf(m.Stdout, "%d rows sealed (audit verify now checks them)\n", n)
				}
				return err
			})
			if err != nil {
				return fmt.Errorf("keyring created, but sealing the rows failed (run rollcall audit seal-rows): %w", err)
			}
			fmt.Fprintln(m.Stdout, "Publish the signing key so that others can verify exports. Consider `rollcall key recovery split`: without the passphrase (or key file) or enough shares, confidential data cannot be recovered.")
			return nil
		},
	}
	cmd.Flags().BoolVar(&fromStdin, "passphrase-stdin", false, "read the passphrase from the first line of standard input")
	cmd.Flags().StringVar(&keyFile, "key-file", "", "protect the keyring with this key file (created if missing) instead of a passphrase")
	cmd.MarkFlagsMutuallyExclusive("passphrase-stdin", "key-file")
	return cmd
}

// keyFileSecret is the secret of a key file, created when missing (it then
// reports created).
func keyFileSecret(path string) (s keys.Secret, created bool, err error) {
	if _, err := os.Stat(path); os.IsNotExist(err) {
		if err := keys.GenerateKeyFile(path); err != nil {
			return keys.Secret{}, false, err
		}
		created = true
	}
	return keys.Secret{KeyFile: path}, created, nil
}

// reprotect protects ring anew: with --new-key-file when given (created if
// missing), else with a new passphrase.
func (m *Main) reprotect(ring *keys.Keyring, keyFile string) error {
	var s keys.Secret
	var err error
	if keyFile != "" {
		s, _, err = keyFileSecret(keyFile)
	} else {
		s.Passphrase, err = m.secret("ROLLCALL_NEW_PASSPHRASE", "New passphrase: ", true)
	}
	if err != nil {
		return err
	}
	return ring.ChangeSecret(s, keys.Options{})
}

func (m *Main) keyShow() *cobra.Command {
	return &cobra.Command{
		Use:   "show",
		Short: "Show the public parts of the keyring (no passphrase needed)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			path, err := m.keyringPath(m.dbFlag(cmd))
			if err != nil {
				return err
			}
			f, err := keys.Load(path)
			if err != nil {
				return err
			}
			fmt.Fprintf(m.Stdout, "keyring:            %s (id %s, %s)\nsigning key:        %s\nevidence recipient: %s\nactive data key:    version %d\n",
				path, f.ID, f.KEK.Kind, keys.EncodePublicKey(f.SigningPublic), f.EvidenceRecipient, f.Active)
			for _, d := range f.DataKeys {
				state := "active"
				if d.Retired != nil {
					state = "retired " + d.Retired.Format(time.RFC3339)
				}
				fmt.Fprintf(m.Stdout, "  data key %d: created %s, %s\n", d.Version, d.Created.Format(time.RFC3339), state)
			}
			return nil
		},
	}
}

func (m *Main) keyRotate() *cobra.Command {
	return &cobra.Command{
		Use:   "rotate",
		Short: "Make a new data key and re-encrypt every confidential field with it, in one transaction",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			ring, err := m.keyring(cmd.Context(), cmd)
			if err != nil {
				return err
			}
			// The keyring is saved first with the new key active and the old
			// ones kept, so a crash part-way leaves every field readable;
			// running rotate again finishes the job.
			v, err := ring.Rotate()
			if err != nil {
				return err
			}
			c, err := ring.Cipher()
			if err != nil {
				return err
			}
			return m.withStore(cmd, openOpts{cipher: c}, func(ctx context.Context, st *store.Store) error {
				n, err := st.Rekey(ctx, int(v))
				if err != nil {
					return fmt.Errorf("re-encrypt (the keyring already holds key %d; run rotate again): %w", v, err)
				}
				fmt.Fprintf(m.Stdout, "data key version %d active; %d confidential values re-encrypted\n", v, n)
				return nil
			})
		},
	}
}

func (m *Main) keyPassphrase() *cobra.Command {
	var newKeyFile string
	cmd := &cobra.Command{
		Use:   "passphrase",
		Short: "Change the passphrase or key file protecting the keyring (new one from $ROLLCALL_NEW_PASSPHRASE or a prompt)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			ring, err := m.keyring(cmd.Context(), cmd)
			if err != nil {
				return err
			}
			if err := m.reprotect(ring, newKeyFile); err != nil {
				return err
			}
			fmt.Fprintln(m.Stdout, "keyring protection changed")
			return nil
		},
	}
	cmd.Flags().StringVar(&newKeyFile, "new-key-file", "", "protect the keyring with this key file (created if missing)")
	return cmd
}

func (m *Main) keyRecoverySplit() *cobra.Command {
	var shares, threshold int
	cmd := &cobra.Command{
		Use:   "split",
		Short: "Print recovery shares (give each to a different trusted person)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			ring, err := m.keyring(cmd.Context(), cmd)
			if err != nil {
				return err
			}
			out, err := ring.SplitRecovery(shares, threshold)
			if err != nil {
				return err
			}
			fmt.Fprintf(m.Stderr, "%d shares; any %d of them (with the keyring file) recover the data if the passphrase is lost. Fewer reveal nothing.\n", shares, threshold)
			for _, s := range out {
				fmt.Fprintln(m.Stdout, s)
			}
			return nil
		},
	}
	cmd.Flags().IntVar(&shares, "shares", 3, "number of shares")
	cmd.Flags().IntVar(&threshold, "threshold", 2, "shares needed to recover")
	return cmd
}

func (m *Main) keyRecoveryCombine() *cobra.Command {
	var newKeyFile string
	cmd := &cobra.Command{
		Use:   "combine",
		Short: "Recover the keyring from shares (one per line on standard input) and set a new passphrase or key file",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			path, err := m.keyringPath(m.dbFlag(cmd))
			if err != nil {
				return err
			}
			f, err := keys.Load(path)
			if err != nil {
				return err
			}
			var lines []string
			sc := bufio.NewScanner(m.Stdin)
			for sc.Scan() {
				if l := strings.TrimSpace(sc.Text()); l != "" && !strings.HasPrefix(l, "#") {
					lines = append(lines, l)
				}
			}
			ring, err := f.CombineRecovery(path, lines)
			if err != nil {
				return err
			}
			if err := m.reprotect(ring, newKeyFile); err != nil {
				return err
			}
			fmt.Fprintln(m.Stdout, "keyring recovered; it is now protected by the new passphrase or key file")
			return nil
		},
	}
	cmd.Flags().StringVar(&newKeyFile, "new-key-file", "", "protect the recovered keyring with this key file (created if missing)")
	return cmd
}
