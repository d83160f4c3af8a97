// Package backup makes encrypted, consistent backups of a rollcall database
// while it is in use, and restores them only after checking them.
//
// An archive is a tar stream encrypted with age (to a recipient's public key
// or a passphrase). It holds a snapshot of the database (SQLite: VACUUM INTO;
// PostgreSQL: every table dumped as NDJSON inside one REPEATABLE READ,
// read-only transaction), the keyring file (its keys are wrapped, and
// without it the confidential fields of the snapshot cannot be read), the
// evidence files (already encrypted), and last a manifest with the SHA-256 of
// every member and the state of the audit log at the time of the snapshot.
package backup

import (
	"archive/tar"
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"filippo.io/age"

	"github.com/rollcall-project/rollcall"
	"github.com/rollcall-project/rollcall/internal/audit"
	"github.com/rollcall-project/rollcall/internal/audit/chain"
	"github.com/rollcall-project/rollcall/internal/backup/archive"
	"github.com/rollcall-project/rollcall/internal/store"
)

// Format names the archive format.
const Format = archive.Format

// Member names inside the archive.
const (
	manifestName = archive.ManifestName
	sqliteName   = archive.SQLiteName
	keyringName  = archive.KeyringName
	tablesDir    = archive.TablesDir
	evidenceDir  = archive.EvidenceDir
)

// Manifest, AuditState and FileEntry are defined in package archive, which
// has no database dependencies so that its parser can be fuzzed quickly.
type (
	Manifest   = archive.Manifest
	AuditState = archive.AuditState
	FileEntry  = archive.FileEntry
)

// Source is what to back up.
type Source struct {
	DB          *store.Store
	SQLitePath  string // the database file, for SQLite
	KeyringPath string // optional
	EvidenceDir string // optional
}

// Create writes an encrypted archive of src to w.
func Create(ctx context.Context, src Source, w io.Writer, recipients ...age.Recipient) (*Manifest, error) {
	if len(recipients) == 0 {
		return nil, rollcall.Errorf(rollcall.EINVALID, "a backup needs a recipient or a passphrase")
	}
	tmp, err := os.MkdirTemp("", "rollcall-backup-*")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(tmp)
	m := &Manifest{Format: Format, Created: time.Now().UTC().Truncate(time.Second), Dialect: src.DB.Dialect()}
	if m.SchemaVersion, err = src.DB.SchemaVersion(ctx); err != nil {
		return nil, err
	}
	var members []string // relative to tmp
	switch m.Dialect {
	case store.SQLite:
		snap := filepath.Join(tmp, sqliteName)
		// VACUUM INTO reads one consistent snapshot while writers go on.
		if _, err := src.DB.DB().ExecContext(ctx, `VACUUM INTO '`+strings.ReplaceAll(snap, "'", "''")+`'`); err != nil {
			return nil, fmt.Errorf("snapshot: %w", err)
		}
		members = append(members, sqliteName)
		m.Audit = auditOfSQLite(ctx, snap)
	case store.Postgres:
		names, state, err := dumpPostgres(ctx, src.DB.DB(), tmp)
		if err != nil {
			return nil, err
		}
		members = append(members, names...)
		m.Audit = state
	}
	ew, err := age.Encrypt(w, recipients...)
	if err != nil {
		return nil, fmt.Errorf("encrypt backup: %w", err)
	}
	tw := tar.NewWriter(ew)
	for _, name := range members {
		fe, err := addFile(tw, name, filepath.Join(tmp, filepath.FromSlash(name)))
		if err != nil {
			return nil, err
		}
		m.Files = append(m.Files, fe)
	}
	if src.KeyringPath != "" {
		fe, err := addFile(tw, keyringName, src.KeyringPath)
		switch {
		case errors.Is(err, fs.ErrNotExist):
		case err != nil:
			return nil, err
		default:
			m.Files = append(m.Files, fe)
		}
	}
	if src.EvidenceDir != "" {
		err := filepath.WalkDir(src.EvidenceDir, func(p string, d fs.DirEntry, err error) error {
			if err != nil {
				if errors.Is(err, fs.ErrNotExist) && p == src.EvidenceDir {
					return filepath.SkipDir
				}
				return err
			}
			if d.IsDir() || strings.HasPrefix(d.Name(), ".") {
				return nil
			}
			rel, err := filepath.Rel(src.EvidenceDir, p)
			if err != nil {
				return err
			}
			fe, err := addFile(tw, evidenceDir+filepath.ToSlash(rel), p)
			if err != nil {
				return err
			}
			m.Files = append(m.Files, fe)
			return ctx.Err()
		})
		if err != nil {
			return nil, fmt.Errorf("back up evidence: %w", err)
		}
	}
	mb, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return nil, err
	}
	if err := tw.WriteHeader(&tar.Header{Name: manifestName, Mode: 0o600, Size: int64(len(mb)), ModTime: m.Created, Typeflag: tar.TypeReg}); err != nil {
		return nil, err
	}
	if _, err := tw.Write(mb); err != nil {
		return nil, err
	}
	if err := tw.Close(); err != nil {
		return nil, err
	}
	if err := ew.Close(); err != nil {
		return nil, fmt.Errorf("encrypt backup: %w", err)
	}
	return m, nil
}

func addFile(tw *tar.Writer, name, p string) (FileEntry, error) {
	f, err := os.Open(p)
	if err != nil {
		return FileEntry{}, err
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return FileEntry{}, err
	}
	if err := tw.WriteHeader(&tar.Header{Name: name, Mode: 0o600, Size: fi.Size(), ModTime: fi.ModTime(), Typeflag: tar.TypeReg}); err != nil {
		return FileEntry{}, err
	}
	h := sha256.New()
	n, err := io.Copy(io.MultiWriter(tw, h), f)
	if err != nil {
		return FileEntry{}, fmt.Errorf("back up %s: %w", name, err)
	}
	if n != fi.Size() {
		return FileEntry{}, fmt.Errorf("back up %s: file changed size while read", name)
	}
	return FileEntry{Name: name, SHA256: hex.EncodeToString(h.Sum(nil)), Size: n}, nil
}

// auditOfSQLite verifies the snapshot's audit log (hash chain and stored
// checkpoints).
func auditOfSQLite(ctx context.Context, snap string) AuditState {
	db, err := store.Open(ctx, snap, store.Options{})
	if err != nil {
		return AuditState{Error: err.Error()}
	}
	defer db.Close()
	_, r, err := audit.Verify(ctx, db, audit.Options{})
	if err != nil {
		return AuditState{Error: err.Error()}
	}
	return AuditState{Entries: r.Entries, Head: r.Head, Root: r.Root}
}

// dumpPostgres writes every table of the current schema as NDJSON, all read
// in one REPEATABLE READ transaction so they form one consistent state.
func dumpPostgres(ctx context.Context, db *sql.DB, dir string) ([]string, AuditState, error) {
	tx, err := db.BeginTx(ctx, &sql.TxOptions{Isolation: sql.LevelRepeatableRead, ReadOnly: true})
	if err != nil {
		return nil, AuditState{}, fmt.Errorf("snapshot: %w", err)
	}
	defer tx.Rollback()
	tables, err := pgTables(ctx, tx)
	if err != nil {
		return nil, AuditState{}, err
	}
	if err := os.MkdirAll(filepath.Join(dir, "tables"), 0o700); err != nil {
		return nil, AuditState{}, err
	}
	var names []string
	var state AuditState
	for _, t := range tables {
		name := tablesDir + t + ".ndjson"
		v, err := dumpTable(ctx, tx, t, filepath.Join(dir, filepath.FromSlash(name)))
		if err != nil {
			return nil, AuditState{}, err
		}
		if t == "audit_log" {
			state = v
		}
		names = append(names, name)
	}
	return names, state, nil
}

// pgTables lists the base tables of the current schema.
func pgTables(ctx context.Context, q interface {
	QueryContext(context.Context, string, ...any) (*sql.Rows, error)
}) ([]string, error) {
	rows, err := q.QueryContext(ctx, `SELECT table_name FROM information_schema.tables
		WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' ORDER BY table_name`)
	if err != nil {
		return nil, fmt.Errorf("list tables: %w", err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var t string
		if err := rows.Scan(&t); err != nil {
			return nil, err
		}
		out = append(out, t)
	}
	return out, rows.Err()
}

// dumpTable writes one JSON object per row. Byte values become
// {"$b64": "..."} so they survive JSON. For audit_log it also verifies the
// chain as it goes (rows are read in seq order).
func dumpTable(ctx context.Context, tx *sql.Tx, table, p string) (AuditState, error) {
	order := ""
	if table == "audit_log" {
		order = " ORDER BY seq"
	}
	rows, err := tx.QueryContext(ctx, `SELECT * FROM "`+table+`"`+order)
	if err != nil {
		return AuditState{}, fmt.Errorf("dump %s: %w", table, err)
	}
	defer rows.Close()
	cols, err := rows.Columns()
	if err != nil {
		return AuditState{}, err
	}
	f, err := os.OpenFile(p, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return AuditState{}, err
	}
	defer f.Close()
	enc := json.NewEncoder(f)
	var v *chain.Verifier
	var verr error
	if table == "audit_log" {
		v = chain.NewVerifier()
	}
	vals := make([]any, len(cols))
	ptrs := make([]any, len(cols))
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	for rows.Next() {
		if err := rows.Scan(ptrs...); err != nil {
			return AuditState{}, fmt.Errorf("dump %s: %w", table, err)
		}
		obj := make(map[string]any, len(cols))
		for i, c := range cols {
			switch x := vals[i].(type) {
			case []byte:
				obj[c] = map[string]string{"$b64": base64.StdEncoding.EncodeToString(x)}
			case time.Time:
				obj[c] = x.UTC().Format(time.RFC3339Nano)
			default:
				obj[c] = x
			}
		}
		if v != nil && verr == nil {
			e, err := entryFromRow(obj)
			if err != nil {
				verr = err
			} else {
				verr = v.Add(e)
			}
		}
		if err := enc.Encode(obj); err != nil {
			return AuditState{}, err
		}
	}
	if err := rows.Err(); err != nil {
		return AuditState{}, fmt.Errorf("dump %s: %w", table, err)
	}
	if err := f.Close(); err != nil {
		return AuditState{}, err
	}
	if v == nil {
		return AuditState{}, nil
	}
	if verr != nil {
		return AuditState{Error: verr.Error()}, nil
	}
	root, err := v.Tree().Root()
	if err != nil {
		return AuditState{}, err
	}
	return AuditState{Entries: v.Size(), Head: v.Head(), Root: root.String()}, nil
}

// entryFromRow reads an audit entry from a dumped row.
func entryFromRow(o map[string]any) (chain.Entry, error) {
	str := func(k string) string { s, _ := o[k].(string); return s }
	num := func(k string) int64 {
		switch x := o[k].(type) {
		case int64:
			return x
		case int32:
			return int64(x)
		case float64:
			return int64(x)
		case json.Number:
			n, _ := x.Int64()
			return n
		}
		return 0
	}
	at, err := time.Parse(chain.TimeFormat, str("at"))
	if err != nil {
		return chain.Entry{}, fmt.Errorf("audit entry %d: bad time %q", num("seq"), str("at"))
	}
	return chain.Entry{Seq: num("seq"), At: at.UTC(), Actor: str("actor"), Action: str("action"), Entity: str("entity"),
		EntityID: num("entity_id"), BeforeHash: str("before_hash"), AfterHash: str("after_hash"), Detail: str("detail"),
		RowHashes: str("row_hashes"), PrevHash: str("prev_hash"), Hash: str("hash")}, nil
}

// Open decrypts and unpacks an archive into dir and checks every member
// against the manifest. Nothing outside dir is touched.
func Open(r io.Reader, dir string, ids ...age.Identity) (*Manifest, error) {
	dr, err := age.Decrypt(r, ids...)
	if err != nil {
		return nil, rollcall.WrapError(rollcall.EINVALID, err, "cannot decrypt the backup (wrong passphrase or identity, or not a rollcall backup)")
	}
	return archive.Unpack(dr, dir)
}

// has reports whether the manifest lists name.
func has(m *Manifest, name string) bool {
	return slices.ContainsFunc(m.Files, func(f FileEntry) bool { return f.Name == name })
}
