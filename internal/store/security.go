package store

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"fmt"
	"time"

	"github.com/rollcall-project/rollcall"
	"github.com/rollcall-project/rollcall/internal/audit/chain"
)

// This file holds the tables of internal/evidence and the audit checkpoints
// (migration 00004_security), and the re-encryption that key rotation needs.

// Checkpoint is a stored signed audit checkpoint (audit.Checkpoint.Text).
type Checkpoint struct {
	ID   int64     `json:"id"`
	Size int64     `json:"size"`
	Root string    `json:"root"`
	At   time.Time `json:"at"`
	Text string    `json:"text"`
}

// SaveCheckpoint stores a signed checkpoint.
func (s *Store) SaveCheckpoint(ctx context.Context, c *Checkpoint) error {
	err := s.q.QueryRowContext(ctx, `INSERT INTO audit_checkpoints (size, root, at, text) VALUES ($1, $2, $3, $4) RETURNING id`,
		c.Size, c.Root, fmtTime(c.At), c.Text).Scan(&c.ID)
	if err != nil {
		return mapErr(fmt.Errorf("save checkpoint: %w", err), "checkpoint", 0)
	}
	return nil
}

// Checkpoints returns every stored checkpoint, oldest first.
func (s *Store) Checkpoints(ctx context.Context) ([]Checkpoint, error) {
	rows, err := s.q.QueryContext(ctx, `SELECT id, size, root, at, text FROM audit_checkpoints ORDER BY id`)
	if err != nil {
		return nil, fmt.Errorf("checkpoints: %w", err)
	}
	defer rows.Close()
	var out []Checkpoint
	for rows.Next() {
		var c Checkpoint
		var at string
		if err := rows.Scan(&c.ID, &c.Size, &c.Root, &at, &c.Text); err != nil {
			return nil, fmt.Errorf("checkpoints: %w", err)
		}
		c.At = parseTime(at)
		out = append(out, c)
	}
	return out, rows.Err()
}

// EvidenceFile is a file kept as evidence, named by the SHA-256 of its
// content. Name (the original file name) is confidential.
type EvidenceFile struct {
	SHA256       string               `json:"sha256"`
	UID          string               `json:"-"`
	Size         int64                `json:"size"`
	CipherSHA256 string               `json:"cipher_sha256"`
	Name         string               `json:"name,omitempty"`
	MediaType    string               `json:"media_type,omitempty"`
	SourceID     *int64               `json:"source_id,omitempty"`
	Sensitivity  rollcall.Sensitivity `json:"sensitivity"`
	CreatedAt    time.Time            `json:"created_at"`
	CreatedBy    string               `json:"created_by,omitempty"`
}

// Custody is one step in an evidence file's chain of custody: received,
// accessed, exported, verified. Party (who it came from or went to) is
// confidential.
type Custody struct {
	ID     int64     `json:"id"`
	SHA256 string    `json:"sha256"`
	At     time.Time `json:"at"`
	Actor  string    `json:"actor"`
	Action string    `json:"action"`
	Party  string    `json:"party,omitempty"`
	Method string    `json:"method,omitempty"`
	Note   string    `json:"note,omitempty"`
}

func securityUID() (string, error) {
	b := make([]byte, 16)
	if _, err := rand.Read(b); err != nil {
		return "", err
	}
	return hex.EncodeToString(b), nil
}

// securitySeal seals a confidential value for (table, column, uid); an empty
// value is stored as NULL, a non-empty one needs a cipher.
func (s *Store) securitySeal(table, column, uid, v string) ([]byte, error) {
	if v == "" {
		return nil, nil
	}
	if s.cipher == nil {
		return nil, rollcall.Errorf(rollcall.EINVALID, "%s.%s is confidential and no encryption key is loaded (run `rollcall key init`)", table, column)
	}
	return s.cipher.Seal(table, column, uid, []byte(v))
}

// securityOpen opens a sealed value; without a cipher it reads back redacted.
func (s *Store) securityOpen(table, column, uid string, b []byte) (string, error) {
	if len(b) == 0 {
		return "", nil
	}
	if s.cipher == nil {
		return "[encrypted]", nil
	}
	pt, err := s.cipher.Open(table, column, uid, b)
	if err != nil {
		return "", err
	}
	return string(pt), nil
}

// PutEvidence records a file; it returns false (and changes nothing) when a
// file with that hash is already recorded.
func (s *Store) PutEvidence(ctx context.Context, f *EvidenceFile) (bool, error) {
	if f.Sensitivity == "" {
		f.Sensitivity = rollcall.Confidential
	}
	if !f.Sensitivity.Valid() {
		return false, rollcall.Errorf(rollcall.EINVALID, "sensitivity %q is not public, internal or confidential", f.Sensitivity)
	}
	var exists int
	err := s.q.QueryRowContext(ctx, `SELECT 1 FROM evidence_files WHERE sha256 = $1`, f.SHA256).Scan(&exists)
	if err == nil {
		return false, nil
	}
	if err != sql.ErrNoRows {
		return false, fmt.Errorf("evidence %s: %w", f.SHA256, err)
	}
	if f.UID, err = securityUID(); err != nil {
		return false, err
	}
	name, err := s.securitySeal("evidence_files", "name", f.UID, f.Name)
	if err != nil {
		return false, err
	}
	f.CreatedAt = s.nowUTC()
	_, err = s.q.ExecContext(ctx, `INSERT INTO evidence_files (sha256, uid, size, cipher_sha256, name, media_type, source_id, sensitivity, created_at, created_by)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
		f.SHA256, f.UID, f.Size, f.CipherSHA256, name, f.MediaType, f.SourceID, string(f.Sensitivity), fmtTime(f.CreatedAt), f.CreatedBy)
	if err != nil {
		return false, mapErr(fmt.Errorf("add evidence: %w", err), "evidence file", 0)
	}
	return true, nil
}

const evidenceCols = `sha256, uid, size, cipher_sha256, name, media_type, source_id, sensitivity, created_at, created_by`

func (s *Store) scanEvidenceFile(row interface{ Scan(...any) error }) (*EvidenceFile, error) {
	var f EvidenceFile
	var name []byte
	var src sql.NullInt64
	var sens, at string
	if err := row.Scan(&f.SHA256, &f.UID, &f.Size, &f.CipherSHA256, &name, &f.MediaType, &src, &sens, &at, &f.CreatedBy); err != nil {
		return nil, err
	}
	if src.Valid {
		f.SourceID = &src.Int64
	}
	f.Sensitivity, f.CreatedAt = rollcall.Sensitivity(sens), parseTime(at)
	var err error
	if f.Name, err = s.securityOpen("evidence_files", "name", f.UID, name); err != nil {
		return nil, err
	}
	return &f, nil
}

// GetEvidence returns the file with the given hash.
func (s *Store) GetEvidence(ctx context.Context, sha string) (*EvidenceFile, error) {
	f, err := s.scanEvidenceFile(s.q.QueryRowContext(ctx, `SELECT `+evidenceCols+` FROM evidence_files WHERE sha256 = $1`, sha))
	if err == sql.ErrNoRows {
		return nil, rollcall.Errorf(rollcall.ENOTFOUND, "no evidence file with hash %s", sha)
	}
	if err != nil {
		return nil, fmt.Errorf("evidence %s: %w", sha, err)
	}
	return f, nil
}

// ListEvidence returns every evidence file, oldest first.
func (s *Store) ListEvidence(ctx context.Context) ([]EvidenceFile, error) {
	rows, err := s.q.QueryContext(ctx, `SELECT `+evidenceCols+` FROM evidence_files ORDER BY created_at, sha256`)
	if err != nil {
		return nil, fmt.Errorf("list evidence: %w", err)
	}
	defer rows.Close()
	var out []EvidenceFile
	for rows.Next() {
		f, err := s.scanEvidenceFile(rows)
		if err != nil {
			return nil, fmt.Errorf("list evidence: %w", err)
		}
		out = append(out, *f)
	}
	return out, rows.Err()
}

// AddCustody appends a step to a file's chain of custody.
func (s *Store) AddCustody(ctx context.Context, c *Custody) error {
	uid, err := securityUID()
	if err != nil {
		return err
	}
	party, err := s.securitySeal("evidence_custody", "party", uid, c.Party)
	if err != nil {
		return err
	}
	if c.At.IsZero() {
		c.At = s.nowUTC()
	}
	err = s.q.QueryRowContext(ctx, `INSERT INTO evidence_custody (uid, sha256, at, actor, action, party, method, note)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id`,
		uid, c.SHA256, fmtTime(c.At), c.Actor, c.Action, party, c.Method, c.Note).Scan(&c.ID)
	if err != nil {
		return mapErr(fmt.Errorf("add custody: %w", err), "evidence file", 0)
	}
	return nil
}

// Custody returns a file's chain of custody, in order.
func (s *Store) Custody(ctx context.Context, sha string) ([]Custody, error) {
	rows, err := s.q.QueryContext(ctx, `SELECT id, uid, sha256, at, actor, action, party, method, note FROM evidence_custody WHERE sha256 = $1 ORDER BY id`, sha)
	if err != nil {
		return nil, fmt.Errorf("custody: %w", err)
	}
	defer rows.Close()
	var out []Custody
	for rows.Next() {
		var c Custody
		var uid, at string
		var party []byte
		if err := rows.Scan(&c.ID, &uid, &c.SHA256, &at, &c.Actor, &c.Action, &party, &c.Method, &c.Note); err != nil {
			return nil, fmt.Errorf("custody: %w", err)
		}
		c.At = parseTime(at)
		if c.Party, err = s.securityOpen("evidence_custody", "party", uid, party); err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

// SealedColumn names a column that holds sealed values and the column that
// gives each row's key (bound into the ciphertext).
type SealedColumn struct {
	Table, Column, RowKey string
}

// SealedColumns lists every column whose values pass through the cipher.
func SealedColumns() []SealedColumn {
	return []SealedColumn{
		{"sources", "informant", "uid"},
		{"records", "testimony", "uid"},
		{"evidence_files", "name", "uid"},
		{"evidence_custody", "party", "uid"},
	}
}

// Reseal opens every sealed value and seals it again with the cipher's
// active key, all in one transaction (call it inside InTx, or it makes its
// own). It returns how many values it rewrote.
func (s *Store) Reseal(ctx context.Context) (int, error) {
	if s.cipher == nil {
		return 0, rollcall.Errorf(rollcall.EINVALID, "no encryption key is loaded")
	}
	total := 0
	err := s.InTx(ctx, func(tx *Store) error {
		for _, c := range SealedColumns() {
			n, err := tx.resealColumn(ctx, c)
			if err != nil {
				return err
			}
			total += n
			// New ciphertexts change the rows: log their MACs.
			if t := rowTableByName(c.Table); t != nil && n > 0 {
				if _, err := tx.logTableRows(ctx, ActionRows, t, c.Column, "reseal "+c.Column); err != nil {
					return err
				}
			}
		}
		return nil
	})
	return total, err
}

// Rekey finishes a key rotation: the keyring has made data key version the
// active one (keeping the old keys, so a crash before Rekey leaves every
// value readable), and s holds its new cipher. Rekey reseals every value
// with that key and records the rotation in the audit log, in one
// transaction, and returns how many values it rewrote.
func (s *Store) Rekey(ctx context.Context, version int) (int, error) {
	var n int
	err := s.InTx(ctx, func(tx *Store) error {
		var err error
		if n, err = tx.Reseal(ctx); err != nil {
			return err
		}
		return tx.AppendAudit(ctx, chain.Entry{Action: "key.rotate", Entity: "keyring",
			Detail: fmt.Sprintf("data key version %d; %d values re-encrypted", version, n)})
	})
	return n, err
}

func (s *Store) resealColumn(ctx context.Context, c SealedColumn) (int, error) {
	rows, err := s.q.QueryContext(ctx, fmt.Sprintf(`SELECT %s, %s FROM %s WHERE %s IS NOT NULL`, c.RowKey, c.Column, c.Table, c.Column))
	if err != nil {
		return 0, fmt.Errorf("reseal %s.%s: %w", c.Table, c.Column, err)
	}
	type row struct {
		key string
		ct  []byte
	}
	var all []row
	for rows.Next() {
		var r row
		if err := rows.Scan(&r.key, &r.ct); err != nil {
			rows.Close()
			return 0, fmt.Errorf("reseal %s.%s: %w", c.Table, c.Column, err)
		}
		if len(r.ct) > 0 {
			all = append(all, r)
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return 0, err
	}
	for _, r := range all {
		pt, err := s.cipher.Open(c.Table, c.Column, r.key, r.ct)
		if err != nil {
			return 0, fmt.Errorf("reseal %s.%s row %s: %w", c.Table, c.Column, r.key, err)
		}
		ct, err := s.cipher.Seal(c.Table, c.Column, r.key, pt)
		clear(pt)
		if err != nil {
			return 0, err
		}
		if _, err := s.q.ExecContext(ctx, fmt.Sprintf(`UPDATE %s SET %s = $1 WHERE %s = $2`, c.Table, c.Column, c.RowKey), ct, r.key); err != nil {
			return 0, fmt.Errorf("reseal %s.%s row %s: %w", c.Table, c.Column, r.key, err)
		}
	}
	return len(all), nil
}
