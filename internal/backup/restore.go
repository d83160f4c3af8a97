package backup

import (
	"bufio"
	"bytes"
	"context"
	"database/sql"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"

	"filippo.io/age"

	"github.com/rollcall-project/rollcall"
	"github.com/rollcall-project/rollcall/internal/audit"
	"github.com/rollcall-project/rollcall/internal/keys"
	"github.com/rollcall-project/rollcall/internal/store"
)

// Target is where to restore.
type Target struct {
	DSN         string // SQLite path or postgres:// URL
	KeyringPath string // optional
	EvidenceDir string // optional
	// Force allows replacing a non-empty PostgreSQL database (a SQLite file
	// is never destroyed: it is moved aside).
	Force bool
}

// Result says what Restore did.
type Result struct {
	Manifest *Manifest
	// MovedAside is where the previous SQLite file went.
	MovedAside string
	// KeyringNote says what happened to the keyring.
	KeyringNote string
	Evidence    int
}

// Restore checks an archive completely (decryption, every member's hash,
// the audit chain and checkpoints of the snapshot) before it replaces
// anything, then installs it at t.
//
// It holds the database's server lock exclusively throughout, so it refuses
// at once, before reading the archive, while a server runs on t.DSN.
func Restore(ctx context.Context, r io.Reader, t Target, ids ...age.Identity) (res *Result, err error) {
	lk, err := store.LockForRestore(ctx, t.DSN)
	if err != nil {
		return nil, err
	}
	defer func() {
		if rerr := lk.Release(); err == nil && rerr != nil {
			err = fmt.Errorf("release the server lock: %w", rerr)
		}
	}()
	tmp, err := os.MkdirTemp(tmpDirFor(t.DSN), ".rollcall-restore-*")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(tmp)
	m, err := Open(r, tmp, ids...)
	if err != nil {
		return nil, err
	}
	if m.Audit.Error != "" {
		return nil, rollcall.Errorf(rollcall.EINVALID, "the backup's audit log did not verify when it was made: %s", m.Audit.Error)
	}
	// The signing key in the backup's keyring is what its checkpoints must
	// be signed with.
	var opts audit.Options
	if has(m, keyringName) {
		f, err := keys.Load(filepath.Join(tmp, keyringName))
		if err != nil {
			return nil, fmt.Errorf("backup keyring: %w", err)
		}
		opts.Trusted = f.SigningPublic
	}
	res = &Result{Manifest: m}
	wantPG := store.IsPostgresDSN(t.DSN)
	switch {
	case m.Dialect == store.SQLite && !wantPG:
		if err := restoreSQLite(ctx, tmp, m, t, opts, res); err != nil {
			return nil, err
		}
	case m.Dialect == store.Postgres && wantPG:
		if err := restorePostgres(ctx, tmp, m, t, opts); err != nil {
			return nil, err
		}
	default:
		return nil, rollcall.Errorf(rollcall.EINVALID, "this is a %s backup; restore it into a %s database", m.Dialect, m.Dialect)
	}
	if has(m, keyringName) && t.KeyringPath != "" {
		note, err := installKeyring(filepath.Join(tmp, keyringName), t.KeyringPath)
		if err != nil {
			return res, err
		}
		res.KeyringNote = note
	}
	if t.EvidenceDir != "" {
		n, err := installEvidence(filepath.Join(tmp, "evidence"), t.EvidenceDir)
		if err != nil {
			return res, err
		}
		res.Evidence = n
	}
	return res, nil
}

// tmpDirFor unpacks next to a SQLite target, so the final rename stays on
// one file system.
func tmpDirFor(dsn string) string {
	if store.IsPostgresDSN(dsn) {
		return ""
	}
	d := filepath.Dir(dsn)
	if err := os.MkdirAll(d, 0o700); err != nil {
		return ""
	}
	return d
}

func checkAudit(ctx context.Context, db *store.Store, m *Manifest, opts audit.Options) error {
	_, rep, err := audit.Verify(ctx, db, opts)
	if err != nil {
		return rollcall.WrapError(rollcall.EINVALID, err, "the backup's audit log does not verify: %v", err)
	}
	if rep.Entries != m.Audit.Entries || rep.Head != m.Audit.Head || rep.Root != m.Audit.Root {
		return rollcall.Errorf(rollcall.EINVALID, "the backup's audit log (%d entries) is not the one its manifest describes (%d entries)", rep.Entries, m.Audit.Entries)
	}
	return nil
}

func restoreSQLite(ctx context.Context, tmp string, m *Manifest, t Target, opts audit.Options, res *Result) error {
	snap := filepath.Join(tmp, sqliteName)
	db, err := store.Open(ctx, snap, store.Options{})
	if err != nil {
		return fmt.Errorf("open the backup's database: %w", err)
	}
	err = checkAudit(ctx, db, m, opts)
	if err == nil {
		var ok string
		if err = db.DB().QueryRowContext(ctx, `PRAGMA integrity_check`).Scan(&ok); err == nil && ok != "ok" {
			err = rollcall.Errorf(rollcall.EINVALID, "the backup's database fails its integrity check: %s", ok)
		}
	}
	if cerr := db.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return err
	}
	// Fold the WAL the migration check may have left back into the file.
	os.Remove(snap + "-wal")
	os.Remove(snap + "-shm")
	if _, err := os.Stat(t.DSN); err == nil {
		aside := fmt.Sprintf("%s.before-restore-%s", t.DSN, time.Now().UTC().Format("20060102T150405Z"))
		if err := os.Rename(t.DSN, aside); err != nil {
			return fmt.Errorf("move the current database aside: %w", err)
		}
		for _, sfx := range []string{"-wal", "-shm"} {
			if _, err := os.Stat(t.DSN + sfx); err == nil {
				os.Rename(t.DSN+sfx, aside+sfx)
			}
		}
		res.MovedAside = aside
	}
	if err := os.Rename(snap, t.DSN); err != nil {
		return fmt.Errorf("install the restored database: %w", err)
	}
	return nil
}

// restorePostgres loads every table in one transaction and verifies the
// audit log inside it before committing.
func restorePostgres(ctx context.Context, tmp string, m *Manifest, t Target, opts audit.Options) error {
	db, err := store.Open(ctx, t.DSN, store.Options{})
	if err != nil {
		return err
	}
	defer db.Close()
	return db.InTx(ctx, func(tx *store.Store) error {
		q := tx.Tx()
		tables, err := pgTables(ctx, q)
		if err != nil {
			return err
		}
		order, err := pgLoadOrder(ctx, q, tables)
		if err != nil {
			return err
		}
		empty := true
		for _, tb := range order {
			if tb == "goose_db_version" {
				continue
			}
			var n int
			if err := q.QueryRowContext(ctx, `SELECT count(*) FROM "`+tb+`"`).Scan(&n); err != nil {
				return err
			}
			empty = empty && n == 0
		}
		if !empty && !t.Force {
			return rollcall.Errorf(rollcall.ECONFLICT, "the target database is not empty; restore into an empty one, or use --force to replace its content")
		}
		// Delete children before parents.
		for i := len(order) - 1; i >= 0; i-- {
			if order[i] == "goose_db_version" {
				continue
			}
			if _, err := q.ExecContext(ctx, `DELETE FROM "`+order[i]+`"`); err != nil {
				return fmt.Errorf("clear %s: %w", order[i], err)
			}
		}
		for _, tb := range order {
			if tb == "goose_db_version" || !has(m, tablesDir+tb+".ndjson") {
				continue
			}
			if err := loadTable(ctx, q, tb, filepath.Join(tmp, "tables", tb+".ndjson")); err != nil {
				return err
			}
		}
		return checkAudit(ctx, tx, m, opts)
	})
}

// pgLoadOrder sorts tables so that every table comes after those its
// foreign keys reference.
func pgLoadOrder(ctx context.Context, q *sql.Tx, tables []string) ([]string, error) {
	rows, err := q.QueryContext(ctx, `SELECT c.relname, p.relname FROM pg_constraint k
		JOIN pg_class c ON c.oid = k.conrelid JOIN pg_class p ON p.oid = k.confrelid
		JOIN pg_namespace n ON n.oid = c.relnamespace
		WHERE k.contype = 'f' AND n.nspname = current_schema()`)
	if err != nil {
		return nil, fmt.Errorf("foreign keys: %w", err)
	}
	defer rows.Close()
	deps := map[string][]string{}
	for rows.Next() {
		var child, parent string
		if err := rows.Scan(&child, &parent); err != nil {
			return nil, err
		}
		if child != parent {
			deps[child] = append(deps[child], parent)
		}
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	var out []string
	state := map[string]int{}
	var visit func(string) error
	visit = func(tb string) error {
		switch state[tb] {
		case 1:
			return fmt.Errorf("foreign key cycle through %s", tb)
		case 2:
			return nil
		}
		state[tb] = 1
		for _, p := range deps[tb] {
			if err := visit(p); err != nil {
				return err
			}
		}
		state[tb] = 2
		out = append(out, tb)
		return nil
	}
	for _, tb := range tables {
		if err := visit(tb); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// loadTable inserts the rows of one NDJSON dump, converting JSON values to
// the target column types, then moves identity sequences past the ids.
func loadTable(ctx context.Context, q *sql.Tx, table, p string) error {
	types := map[string]string{}
	rows, err := q.QueryContext(ctx, `SELECT column_name, data_type FROM information_schema.columns
		WHERE table_schema = current_schema() AND table_name = $1`, table)
	if err != nil {
		return err
	}
	for rows.Next() {
		var c, ty string
		if err := rows.Scan(&c, &ty); err != nil {
			rows.Close()
			return err
		}
		types[c] = ty
	}
	rows.Close()
	f, err := os.Open(p)
	if err != nil {
		return err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 256<<20)
	line := 0
	for sc.Scan() {
		line++
		dec := json.NewDecoder(bytes.NewReader(sc.Bytes()))
		dec.UseNumber()
		var obj map[string]any
		if err := dec.Decode(&obj); err != nil {
			return rollcall.WrapError(rollcall.EINVALID, err, "backup table %s line %d is not JSON", table, line)
		}
		var cols, ph []string
		var args []any
		for c, v := range obj {
			ty, ok := types[c]
			if !ok {
				return rollcall.Errorf(rollcall.EINVALID, "backup table %s has a column %q the database does not", table, c)
			}
			val, err := convert(v, ty)
			if err != nil {
				return rollcall.WrapError(rollcall.EINVALID, err, "backup table %s line %d column %s", table, line, c)
			}
			cols = append(cols, `"`+c+`"`)
			args = append(args, val)
			ph = append(ph, fmt.Sprintf("$%d", len(args)))
		}
		if _, err := q.ExecContext(ctx, `INSERT INTO "`+table+`" (`+strings.Join(cols, ", ")+`) VALUES (`+strings.Join(ph, ", ")+`)`, args...); err != nil {
			return fmt.Errorf("restore %s line %d: %w", table, line, err)
		}
	}
	if err := sc.Err(); err != nil {
		return err
	}
	if types["id"] != "" {
		var seq sql.NullString
		if err := q.QueryRowContext(ctx, `SELECT pg_get_serial_sequence($1, 'id')`, table).Scan(&seq); err != nil {
			return err
		}
		if seq.Valid {
			if _, err := q.ExecContext(ctx, `SELECT setval($1, COALESCE((SELECT max(id) FROM "`+table+`"), 0) + 1, false)`, seq.String); err != nil {
				return fmt.Errorf("restore %s: sequence: %w", table, err)
			}
		}
	}
	return nil
}

func convert(v any, ty string) (any, error) {
	if v == nil {
		return nil, nil
	}
	switch x := v.(type) {
	case map[string]any:
		s, ok := x["$b64"].(string)
		if !ok || len(x) != 1 {
			return nil, errors.New("unexpected object")
		}
		return base64.StdEncoding.DecodeString(s)
	case json.Number:
		switch ty {
		case "bigint", "integer", "smallint":
			return x.Int64()
		default:
			return x.Float64()
		}
	case string, bool:
		return x, nil
	}
	return nil, fmt.Errorf("unexpected value %T", v)
}

// installKeyring puts the backup's keyring in place when there is none; an
// existing different keyring is kept and the backup's is written beside it.
func installKeyring(src, dst string) (string, error) {
	b, err := os.ReadFile(src)
	if err != nil {
		return "", err
	}
	cur, err := os.ReadFile(dst)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		if err := os.WriteFile(dst, b, 0o600); err != nil {
			return "", err
		}
		return "keyring restored to " + dst, nil
	case err != nil:
		return "", err
	case bytes.Equal(cur, b):
		return "keyring unchanged", nil
	}
	alt := dst + ".from-backup"
	if err := os.WriteFile(alt, b, 0o600); err != nil {
		return "", err
	}
	return "the current keyring differs from the backup's; kept it and wrote the backup's to " + alt, nil
}

// installEvidence copies evidence files that are not already present.
func installEvidence(src, dst string) (int, error) {
	n := 0
	err := filepath.WalkDir(src, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			if errors.Is(err, fs.ErrNotExist) && p == src {
				return filepath.SkipDir
			}
			return err
		}
		if d.IsDir() {
			return nil
		}
		rel, _ := filepath.Rel(src, p)
		to := filepath.Join(dst, rel)
		if _, err := os.Stat(to); err == nil {
			return nil
		}
		if err := os.MkdirAll(filepath.Dir(to), 0o700); err != nil {
			return err
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		n++
		return os.WriteFile(to, b, 0o600)
	})
	return n, err
}
