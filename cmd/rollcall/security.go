package main

import (
	"bufio"
	"context"
	"crypto/ed25519"
	"fmt"
	"io"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/spf13/cobra"
	"golang.org/x/term"

	"github.com/rollcall-project/rollcall"
	"github.com/rollcall-project/rollcall/internal/audit"
	"github.com/rollcall-project/rollcall/internal/evidence"
	"github.com/rollcall-project/rollcall/internal/keys"
	"github.com/rollcall-project/rollcall/internal/store"
)

// ringCipher is the FieldCipher m.cipher hands out: the unlocked keyring's
// cipher, keeping the keyring for the commands that sign or decrypt files.
type ringCipher struct {
	*keys.Cipher
	ring *keys.Keyring
}

// securityCommands wires keys (key.go), the audit log (audit.go), evidence
// (evidence.go), publication (publish.go) and backups (backup.go), and
// installs the cipher loader every store-opening command uses.
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

// keyFileFor returns the key file to use for the database at dsn:
// $ROLLCALL_KEY_FILE, else <db>.key beside a SQLite file, else "".
func (m *Main) keyFileFor(dsn string) string {
	if v := m.Getenv("ROLLCALL_KEY_FILE"); v != "" {
		return v
	}
	if store.IsPostgresDSN(dsn) {
		return ""
	}
	if _, err := os.Stat(dsn + ".key"); err == nil {
		return dsn + ".key"
	}
	return ""
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

// signer unlocks the keyring of the --db database and returns its signing
// key.
func (m *Main) signer(cmd *cobra.Command) (ed25519.PrivateKey, error) {
	ring, err := m.keyring(cmd.Context(), cmd)
	if err != nil {
		return nil, err
	}
	return ring.Signer()
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

// evidenceDir is $ROLLCALL_EVIDENCE_DIR, else the directory beside a SQLite
// file.
func (m *Main) evidenceDir(dsn string) (string, error) {
	if v := m.Getenv("ROLLCALL_EVIDENCE_DIR"); v != "" {
		return v, nil
	}
	if store.IsPostgresDSN(dsn) {
		return "", rollcall.Errorf(rollcall.EINVALID, "set ROLLCALL_EVIDENCE_DIR for the evidence files of a PostgreSQL database")
	}
	return evidence.DirFor(dsn), nil
}

// startCheckpoints signs an audit checkpoint of st's log now and then
// every interval of m.Now (audit.Periodic) when st holds an unlocked keyring
// to sign with; stop ends the rounds and waits for them. Without a keyring,
// or with every 0, it says that checkpoints are off.
func (m *Main) startCheckpoints(ctx context.Context, st *store.Store, every time.Duration) (stop func()) {
	off := func() {}
	if every == 0 {
		m.Logger.Info("audit checkpoints off (--checkpoint-every 0)")
		return off
	}
	rc, ok := st.Cipher().(*ringCipher)
	if !ok || rc == nil {
		m.Logger.Warn("audit checkpoints off: no keyring to sign them with (rollcall key init)")
		return off
	}
	priv, err := rc.ring.Signer()
	if err != nil {
		m.Logger.Error("audit checkpoints off", "err", err)
		return off
	}
	p := audit.Periodic{Store: st, Signer: priv, Every: every, Now: m.Now, Log: m.Logger}
	return p.Start(ctx)
}
