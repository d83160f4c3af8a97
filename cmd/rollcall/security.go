package main

import (
	"bufio"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"filippo.io/age"
	"github.com/spf13/cobra"
	"golang.org/x/term"

	"github.com/rollcall-project/rollcall"
	"github.com/rollcall-project/rollcall/internal/audit"
	"github.com/rollcall-project/rollcall/internal/audit/chain"
	"github.com/rollcall-project/rollcall/internal/backup"
	"github.com/rollcall-project/rollcall/internal/evidence"
	"github.com/rollcall-project/rollcall/internal/keys"
	"github.com/rollcall-project/rollcall/internal/publish"
	"github.com/rollcall-project/rollcall/internal/store"
)

// ringCipher is the FieldCipher m.cipher hands out: the unlocked keyring's
// cipher, keeping the keyring for the commands that sign or decrypt files.
type ringCipher struct {
	*keys.Cipher
	ring *keys.Keyring
}

// securityCommands wires keys, audit, evidence, publication and backups,
// and installs the cipher loader the store commands use.
func (m *Main) securityCommands() []*cobra.Command {
	if m.cipher == nil {
		m.cipher = m.newCipherLoader()
	}
	return []*cobra.Command{m.keyCommand(), m.auditCommand(), m.evidenceCommand(), m.publishCommand(),
		m.verifyExportCommand(), m.backupCommand(), m.restoreCommand()}
}

// keyringPath is $ROLLCALL_KEYRING, else <db>.keyring beside a SQLite file.
func (m *Main) keyringPath(dsn string) (string, error) {
	if v := m.Getenv("ROLLCALL_KEYRING"); v != "" {
		return v, nil
	}
	if store.IsPostgresDSN(dsn) {
		return "", rollcall.Errorf(rollcall.EINVALID, "set ROLLCALL_KEYRING to the keyring file of this PostgreSQL database")
	}
	return dsn + ".keyring", nil
}

// cipherConfigured reports whether the database at dsn has a key to load.
func (m *Main) cipherConfigured(dsn string) bool {
	if m.keyFileFor(dsn) != "" {
		return true
	}
	p, err := m.keyringPath(dsn)
	return err == nil && keys.Exists(p)
}

// newCipherLoader returns the function stored in m.cipher: it unlocks the
// keyring of a database once per Main and returns nil when there is none.
func (m *Main) newCipherLoader() func(context.Context, string) (rollcall.FieldCipher, error) {
	var mu sync.Mutex
	cache := map[string]*ringCipher{}
	return func(ctx context.Context, dsn string) (rollcall.FieldCipher, error) {
		mu.Lock()
		defer mu.Unlock()
		if rc, ok := cache[dsn]; ok {
			return rc, nil
		}
		path, err := m.keyringPath(dsn)
		if err != nil {
			return nil, err
		}
		if !keys.Exists(path) {
			return nil, nil
		}
		ring, err := m.unlock(path)
		if err != nil {
			return nil, err
		}
		c, err := ring.Cipher()
		if err != nil {
			return nil, err
		}
		rc := &ringCipher{Cipher: c, ring: ring}
		cache[dsn] = rc
		return rc, nil
	}
}

// keyring unlocks the keyring of the --db database.
func (m *Main) keyring(ctx context.Context, cmd *cobra.Command) (*keys.Keyring, error) {
	dsn := m.dbFlag(cmd)
	c, err := m.cipher(ctx, dsn)
	if err != nil {
		return nil, err
	}
	rc, ok := c.(*ringCipher)
	if !ok || rc == nil {
		p, _ := m.keyringPath(dsn)
		return nil, rollcall.Errorf(rollcall.ENOTFOUND, "no keyring at %s: run `rollcall key init` first", p)
	}
	return rc.ring, nil
}

// unlock reads the keyring at path and unlocks it with the key file
// ($ROLLCALL_KEY_FILE or the path recorded at init) or the passphrase
// ($ROLLCALL_PASSPHRASE or a terminal prompt).
func (m *Main) unlock(path string) (*keys.Keyring, error) {
	f, err := keys.Load(path)
	if err != nil {
		return nil, err
	}
	var s keys.Secret
	if f.KEK.Kind == keys.KindKeyFile {
		s.KeyFile = m.Getenv("ROLLCALL_KEY_FILE")
	} else {
		if s.Passphrase, err = m.secret("ROLLCALL_PASSPHRASE", "Passphrase for "+path+": ", false); err != nil {
			return nil, err
		}
	}
	return f.Unlock(path, s)
}

// secret reads a passphrase from the environment variable env, else from
// the terminal. Passphrases are never taken as arguments (they would show in
// the process list and shell history).
func (m *Main) secret(env, prompt string, confirm bool) ([]byte, error) {
	if v := m.Getenv(env); v != "" {
		return []byte(v), nil
	}
	f, ok := m.Stdin.(*os.File)
	if !ok || !term.IsTerminal(int(f.Fd())) {
		return nil, rollcall.Errorf(rollcall.EUNAUTHORIZED, "no passphrase: set %s or run on a terminal", env)
	}
	fmt.Fprint(m.Stderr, prompt)
	p, err := term.ReadPassword(int(f.Fd()))
	fmt.Fprintln(m.Stderr)
	if err != nil {
		return nil, fmt.Errorf("read passphrase: %w", err)
	}
	if confirm {
		fmt.Fprint(m.Stderr, "Again: ")
		q, err := term.ReadPassword(int(f.Fd()))
		fmt.Fprintln(m.Stderr)
		if err != nil {
			return nil, fmt.Errorf("read passphrase: %w", err)
		}
		if string(p) != string(q) {
			return nil, rollcall.Errorf(rollcall.EINVALID, "the passphrases differ")
		}
	}
	return p, nil
}

// readLine reads one line from m.Stdin (for --passphrase-stdin).
func (m *Main) readLine() ([]byte, error) {
	l, err := bufio.NewReader(m.Stdin).ReadString('\n')
	if err != nil && (err != io.EOF || l == "") {
		return nil, rollcall.Errorf(rollcall.EINVALID, "no passphrase on standard input")
	}
	return []byte(strings.TrimRight(l, "\r\n")), nil
}

// openPlain opens the database without loading any key: for commands that
// must not, or need not, decrypt anything.
func (m *Main) openPlain(ctx context.Context, cmd *cobra.Command) (*store.Store, error) {
	st, err := store.Open(ctx, m.dbFlag(cmd), store.Options{Logger: m.Logger, NameKeys: m.nameKeys})
	if err != nil {
		return nil, err
	}
	m.onClose(st.Close)
	return st, nil
}

func (m *Main) evidenceDir(dsn string) (string, error) {
	if v := m.Getenv("ROLLCALL_EVIDENCE_DIR"); v != "" {
		return v, nil
	}
	if store.IsPostgresDSN(dsn) {
		return "", rollcall.Errorf(rollcall.EINVALID, "set ROLLCALL_EVIDENCE_DIR for the evidence files of a PostgreSQL database")
	}
	return evidence.DirFor(dsn), nil
}

// ---- key ----

func (m *Main) keyCommand() *cobra.Command {
	key := &cobra.Command{Use: "key", Short: "Manage the keys that encrypt confidential fields and sign the record"}
	var fromStdin bool
	var keyFile string
	initCmd := &cobra.Command{
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
				if _, err := os.Stat(keyFile); os.IsNotExist(err) {
					if err := keys.GenerateKeyFile(keyFile); err != nil {
						return err
					}
					fmt.Fprintf(m.Stderr, "created key file %s: keep it away from the database\n", keyFile)
				}
				s.KeyFile = keyFile
			case fromStdin:
				if s.Passphrase, err = m.readLine(); err != nil {
					return err
				}
			default:
				if s.Passphrase, err = m.secret("ROLLCALL_PASSPHRASE", "New passphrase: ", true); err != nil {
					return err
				}
			}
			ring, err := keys.Create(path, s, keys.Options{})
			if err != nil {
				return err
			}
			fmt.Fprintf(m.Stdout, "keyring %s created\nsigning key: %s\n", path, keys.EncodePublicKey(ring.PublicKey()))
			fmt.Fprintln(m.Stdout, "Publish the signing key so that others can verify exports. Consider `rollcall key recovery split`: without the passphrase (or key file) or enough shares, confidential data cannot be recovered.")
			return nil
		},
	}
	initCmd.Flags().BoolVar(&fromStdin, "passphrase-stdin", false, "read the passphrase from the first line of standard input")
	initCmd.Flags().StringVar(&keyFile, "key-file", "", "protect the keyring with this key file (created if missing) instead of a passphrase")
	initCmd.MarkFlagsMutuallyExclusive("passphrase-stdin", "key-file")

	show := &cobra.Command{
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

	rotate := &cobra.Command{
		Use:   "rotate",
		Short: "Make a new data key and re-encrypt every confidential field with it, in one transaction",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := m.cliContext(cmd.Context())
			ring, err := m.keyring(ctx, cmd)
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
			st, err := store.Open(ctx, m.dbFlag(cmd), store.Options{Cipher: c, Logger: m.Logger})
			if err != nil {
				return err
			}
			defer st.Close()
			var n int
			err = st.InTx(ctx, func(tx *store.Store) error {
				var err error
				if n, err = tx.Reseal(ctx); err != nil {
					return err
				}
				return tx.AppendAudit(ctx, chain.Entry{Action: "key.rotate", Entity: "keyring", Detail: fmt.Sprintf("data key version %d; %d values re-encrypted", v, n)})
			})
			if err != nil {
				return fmt.Errorf("re-encrypt (the keyring already holds key %d; run rotate again): %w", v, err)
			}
			fmt.Fprintf(m.Stdout, "data key version %d active; %d confidential values re-encrypted\n", v, n)
			return nil
		},
	}

	var newKeyFile string
	newSecret := func() (keys.Secret, error) {
		if newKeyFile != "" {
			if _, err := os.Stat(newKeyFile); os.IsNotExist(err) {
				if err := keys.GenerateKeyFile(newKeyFile); err != nil {
					return keys.Secret{}, err
				}
			}
			return keys.Secret{KeyFile: newKeyFile}, nil
		}
		p, err := m.secret("ROLLCALL_NEW_PASSPHRASE", "New passphrase: ", true)
		return keys.Secret{Passphrase: p}, err
	}
	passwd := &cobra.Command{
		Use:   "passphrase",
		Short: "Change the passphrase or key file protecting the keyring (new one from $ROLLCALL_NEW_PASSPHRASE or a prompt)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			ring, err := m.keyring(cmd.Context(), cmd)
			if err != nil {
				return err
			}
			s, err := newSecret()
			if err != nil {
				return err
			}
			if err := ring.ChangeSecret(s, keys.Options{}); err != nil {
				return err
			}
			fmt.Fprintln(m.Stdout, "keyring protection changed")
			return nil
		},
	}
	passwd.Flags().StringVar(&newKeyFile, "new-key-file", "", "protect the keyring with this key file (created if missing)")

	recovery := &cobra.Command{Use: "recovery", Short: "Split the keyring's master key into shares, or recover it from them"}
	var shares, threshold int
	split := &cobra.Command{
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
	split.Flags().IntVar(&shares, "shares", 3, "number of shares")
	split.Flags().IntVar(&threshold, "threshold", 2, "shares needed to recover")
	combine := &cobra.Command{
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
			s, err := newSecret()
			if err != nil {
				return err
			}
			if err := ring.ChangeSecret(s, keys.Options{}); err != nil {
				return err
			}
			fmt.Fprintln(m.Stdout, "keyring recovered; it is now protected by the new passphrase or key file")
			return nil
		},
	}
	combine.Flags().StringVar(&newKeyFile, "new-key-file", "", "protect the recovered keyring with this key file (created if missing)")
	recovery.AddCommand(split, combine)
	key.AddCommand(initCmd, show, rotate, passwd, recovery)
	return key
}

// ---- audit ----

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

func (m *Main) auditCommand() *cobra.Command {
	cmd := &cobra.Command{Use: "audit", Short: "Verify, export and checkpoint the hash-chained audit log"}
	var cps []string
	var pub string
	verify := &cobra.Command{
		Use:   "verify",
		Short: "Check every entry and checkpoint; exit 1 naming the first bad entry",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := m.cliContext(cmd.Context())
			st, err := m.openPlain(ctx, cmd)
			if err != nil {
				return err
			}
			o := audit.Options{Trusted: m.trustedKey(m.dbFlag(cmd))}
			if pub != "" {
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
			_, rep, err := audit.Verify(ctx, st, o)
			if err != nil {
				return err
			}
			fmt.Fprintf(m.Stdout, "audit log OK: %d entries, head %s, tree root %s, %d checkpoints consistent\n", rep.Entries, rep.Head, rep.Root, rep.Checkpoints)
			if o.Trusted == nil && rep.Checkpoints > 0 {
				fmt.Fprintln(m.Stdout, "note: no keyring or --key: checkpoint signatures were checked against the key each names, not one you trust")
			}
			return nil
		},
	}
	verify.Flags().StringArrayVar(&cps, "checkpoint", nil, "also check this checkpoint file kept outside the database (repeatable)")
	verify.Flags().StringVar(&pub, "key", "", "signing key checkpoints must carry (default: the keyring's)")

	var format, output string
	export := &cobra.Command{
		Use:   "export",
		Short: "Write the audit log as NDJSON",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if format != "ndjson" {
				return rollcall.Errorf(rollcall.EINVALID, "unknown format %q (ndjson)", format)
			}
			ctx := m.cliContext(cmd.Context())
			st, err := m.openPlain(ctx, cmd)
			if err != nil {
				return err
			}
			return m.writeOutput(output, func(w io.Writer) error {
				_, err := audit.Export(ctx, st, w)
				return err
			})
		},
	}
	export.Flags().StringVar(&format, "format", "ndjson", "output format")
	export.Flags().StringVar(&output, "output", "", "file to write (default standard output)")

	var cpOut string
	checkpoint := &cobra.Command{
		Use:   "checkpoint",
		Short: "Sign a checkpoint of the log (store it, and keep the printed copy somewhere else)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := m.cliContext(cmd.Context())
			ring, err := m.keyring(ctx, cmd)
			if err != nil {
				return err
			}
			priv, err := ring.Signer()
			if err != nil {
				return err
			}
			st, err := m.openPlain(ctx, cmd)
			if err != nil {
				return err
			}
			c, err := audit.Checkpoint(ctx, st, priv, time.Now())
			if err != nil {
				return err
			}
			return m.writeOutput(cpOut, func(w io.Writer) error {
				_, err := io.WriteString(w, c.Text())
				return err
			})
		},
	}
	checkpoint.Flags().StringVar(&cpOut, "output", "", "write the checkpoint to this file instead of standard output")
	cmd.AddCommand(verify, export, checkpoint)
	return cmd
}

// writeOutput writes to path atomically, or to m.Stdout when path is "".
func (m *Main) writeOutput(path string, f func(io.Writer) error) error {
	if path == "" || path == "-" {
		return f(m.Stdout)
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	bw := bufio.NewWriter(tmp)
	if err := f(bw); err != nil {
		tmp.Close()
		return err
	}
	if err := bw.Flush(); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}

// ---- evidence ----

// vault opens the evidence directory; unlock loads the keyring's evidence
// key (needed to add or read files, not to check their hashes).
func (m *Main) vault(ctx context.Context, cmd *cobra.Command, st *store.Store, unlock bool) (*evidence.Vault, error) {
	dsn := m.dbFlag(cmd)
	dir, err := m.evidenceDir(dsn)
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

func (m *Main) evidenceCommand() *cobra.Command {
	cmd := &cobra.Command{Use: "evidence", Short: "Keep files as evidence, by SHA-256, encrypted, with a chain of custody"}
	var rc evidence.Receipt
	var sourceKey, sens string
	add := &cobra.Command{
		Use:   "add FILE",
		Short: "Store a file and record who received it, from whom and how",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := m.cliContext(cmd.Context())
			st, err := m.openStore(ctx, cmd)
			if err != nil {
				return err
			}
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
		},
	}
	add.Flags().StringVar(&sourceKey, "source", "", "key of the source the file belongs to")
	add.Flags().StringVar(&rc.ReceivedFrom, "received-from", "", "who handed the file over (confidential)")
	add.Flags().StringVar(&rc.Method, "method", "", "how it was received (in person, messenger, USB, ...)")
	add.Flags().StringVar(&rc.ReceivedBy, "received-by", "", "who received it (default $USER)")
	add.Flags().StringVar(&rc.Note, "note", "", "note for the chain of custody")
	add.Flags().StringVar(&rc.MediaType, "media-type", "", "media type, e.g. image/jpeg")
	add.Flags().StringVar(&sens, "sensitivity", "confidential", "public, internal or confidential")

	var out, purpose string
	get := &cobra.Command{
		Use:   "get HASH",
		Short: "Decrypt a file to --out (the access is recorded)",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if out == "" {
				return rollcall.Errorf(rollcall.EINVALID, "--out is required")
			}
			ctx := m.cliContext(cmd.Context())
			st, err := m.openStore(ctx, cmd)
			if err != nil {
				return err
			}
			v, err := m.vault(ctx, cmd, st, true)
			if err != nil {
				return err
			}
			return m.writeOutput(out, func(w io.Writer) error { return v.Get(ctx, strings.ToLower(args[0]), w, purpose) })
		},
	}
	get.Flags().StringVar(&out, "out", "", "file to write")
	get.Flags().StringVar(&purpose, "purpose", "", "why the file is accessed (kept in the chain of custody)")

	var deep bool
	verify := &cobra.Command{
		Use:   "verify",
		Short: "Re-hash every evidence file; report missing, altered or unrecorded files (exit 1 if any)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := m.cliContext(cmd.Context())
			st, err := m.openPlain(ctx, cmd)
			if err != nil {
				return err
			}
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
		},
	}
	verify.Flags().BoolVar(&deep, "deep", false, "also decrypt each file and check its content hash (needs the passphrase)")

	show := &cobra.Command{
		Use:   "show HASH",
		Short: "Show a file's record and chain of custody",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := m.cliContext(cmd.Context())
			st, err := m.openStore(ctx, cmd)
			if err != nil {
				return err
			}
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
		},
	}
	list := &cobra.Command{
		Use:   "list",
		Short: "List evidence files (hash, size, source, when received)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := m.cliContext(cmd.Context())
			st, err := m.openPlain(ctx, cmd)
			if err != nil {
				return err
			}
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
		},
	}
	cmd.AddCommand(add, get, verify, show, list)
	return cmd
}

// ---- publication ----

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
			ctx := m.cliContext(cmd.Context())
			ring, err := m.keyring(ctx, cmd)
			if err != nil {
				return err
			}
			priv, err := ring.Signer()
			if err != nil {
				return err
			}
			// No cipher: the export is built from a store that cannot
			// decrypt anything, so no confidential value can reach it.
			st, err := m.openPlain(ctx, cmd)
			if err != nil {
				return err
			}
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
			detail := fmt.Sprintf("sha256=%s persons=%d k=%d", sig.SHA256, len(e.Persons), e.K)
			if err := st.AppendAudit(ctx, chain.Entry{Action: "publish", Entity: "export", Detail: detail}); err != nil {
				return err
			}
			// FILE.proof lets anyone check, without the database, that this
			// hash is in the audit log under a signed checkpoint.
			proof, err := audit.ProveNewest(ctx, st, priv, func(en chain.Entry) bool { return en.Action == "publish" && en.Detail == detail })
			if err != nil {
				return fmt.Errorf("prove the export's audit entry: %w", err)
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
			fmt.Fprintf(m.Stdout, "%s: %d persons, sha256 %s\nverify with: rollcall verify-export %s --key %s\n", output, len(e.Persons), sig.SHA256, output, keys.EncodePublicKey(ring.PublicKey()))
			return nil
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
			var proof chain.Proof
			if err := json.Unmarshal(pb, &proof); err != nil {
				return rollcall.WrapError(rollcall.EINVALID, err, "%s.proof is not a proof", args[0])
			}
			c, err := proof.Check(pub)
			if err != nil {
				return rollcall.WrapError(rollcall.EINVALID, err, "the audit log proof does not verify: %v", err)
			}
			if proof.Entry.Action != "publish" || !strings.Contains(proof.Entry.Detail, "sha256="+s.SHA256+" ") {
				return rollcall.Errorf(rollcall.EINVALID, "the audit log proof is for another file")
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

// ---- backup ----

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
			ctx := m.cliContext(cmd.Context())
			var rs []age.Recipient
			for _, r := range recipients {
				x, err := age.ParseX25519Recipient(r)
				if err != nil {
					return rollcall.WrapError(rollcall.EINVALID, err, "bad --recipient %q", r)
				}
				rs = append(rs, x)
			}
			if len(rs) == 0 {
				p, err := m.secret("ROLLCALL_BACKUP_PASSPHRASE", "Backup passphrase: ", true)
				if err != nil {
					return err
				}
				r, err := age.NewScryptRecipient(string(p))
				if err != nil {
					return err
				}
				rs = append(rs, r)
			}
			st, err := m.openPlain(ctx, cmd)
			if err != nil {
				return err
			}
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
			err = m.writeOutput(output, func(w io.Writer) error {
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
			fmt.Fprintf(m.Stdout, "backup %s: %d files, audit log %d entries, sha256 %s\n", output, len(man.Files), man.Audit.Entries, hex.EncodeToString(h.Sum(nil)))
			return st.AppendAudit(ctx, chain.Entry{Action: "backup", Entity: "database", Detail: "sha256=" + hex.EncodeToString(h.Sum(nil))})
		},
	}
	cmd.Flags().StringVar(&output, "output", "", "archive to write")
	cmd.Flags().StringArrayVar(&recipients, "recipient", nil, "age public key to encrypt to (repeatable)")
	return cmd
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
			ctx := m.cliContext(cmd.Context())
			var ids []age.Identity
			if identity != "" {
				f, err := os.Open(identity)
				if err != nil {
					return err
				}
				ids, err = age.ParseIdentities(f)
				f.Close()
				if err != nil {
					return rollcall.WrapError(rollcall.EINVALID, err, "bad identity file %s", identity)
				}
			} else {
				p, err := m.secret("ROLLCALL_BACKUP_PASSPHRASE", "Backup passphrase: ", false)
				if err != nil {
					return err
				}
				id, err := age.NewScryptIdentity(string(p))
				if err != nil {
					return err
				}
				ids = append(ids, id)
			}
			in, err := os.Open(args[0])
			if err != nil {
				return rollcall.WrapError(rollcall.EINVALID, err, "cannot read %s", args[0])
			}
			defer in.Close()
			dsn := m.dbFlag(cmd)
			t := backup.Target{DSN: dsn, Force: force}
			if p, err := m.keyringPath(dsn); err == nil {
				t.KeyringPath = p
			}
			if d, err := m.evidenceDir(dsn); err == nil {
				t.EvidenceDir = d
			}
			res, err := backup.Restore(ctx, in, t, ids...)
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

// startCheckpoints signs an audit checkpoint every interval while ctx lives,
// when the database has an unlocked keyring; serve calls it after opening
// the store. It reports whether checkpoints were started.
func (m *Main) startCheckpoints(ctx context.Context, dsn string, st *store.Store, every time.Duration) bool {
	c, err := m.cipher(ctx, dsn)
	rc, ok := c.(*ringCipher)
	if err != nil || !ok || rc == nil {
		return false
	}
	priv, err := rc.ring.Signer()
	if err != nil {
		m.Logger.Error("audit checkpoints disabled", "err", err)
		return false
	}
	go audit.RunPeriodic(ctx, st, priv, every, m.Logger)
	return true
}
