// Package archive reads and checks the content of a decrypted rollcall
// backup: a tar stream whose last member is a manifest with the SHA-256 of
// every other member. It has no database dependencies, so that the parser
// restore relies on can be fuzzed on its own.
package archive

import (
	"archive/tar"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"os"
	"path"
	"path/filepath"
	"strings"
	"time"

	"github.com/rollcall-project/rollcall"
)

// Format names the archive format.
const Format = "rollcall-backup/1"

// Member names inside the archive.
const (
	ManifestName = "manifest.json"
	SQLiteName   = "rollcall.db"
	KeyringName  = "keyring.json"
	TablesDir    = "tables/"
	EvidenceDir  = "evidence/"
)

// Manifest describes an archive; it is its last member.
type Manifest struct {
	Format        string      `json:"format"`
	Created       time.Time   `json:"created"`
	Dialect       string      `json:"dialect"`
	SchemaVersion int64       `json:"schema_version"`
	Audit         AuditState  `json:"audit"`
	Files         []FileEntry `json:"files"`
}

// AuditState is the audit log as found in the snapshot.
type AuditState struct {
	Entries int64  `json:"entries"`
	Head    string `json:"head"`
	Root    string `json:"root"`
	// Error is set when the snapshot's log did not verify; the backup is
	// still made (it is evidence), but restore refuses it.
	Error string `json:"error,omitempty"`
}

// FileEntry is one archive member.
type FileEntry struct {
	Name   string `json:"name"`
	SHA256 string `json:"sha256"`
	Size   int64  `json:"size"`
}

// SafeMember reports whether an archive member name is one restore accepts:
// relative, clean, and in a known place.
func SafeMember(name string) bool {
	if name == "" || strings.HasPrefix(name, "/") || strings.Contains(name, "\\") || path.Clean(name) != name || strings.HasPrefix(name, "..") || strings.Contains(name, "/../") {
		return false
	}
	switch {
	case name == ManifestName, name == SQLiteName, name == KeyringName:
		return true
	case strings.HasPrefix(name, TablesDir):
		t := strings.TrimSuffix(strings.TrimPrefix(name, TablesDir), ".ndjson")
		return t != "" && !strings.ContainsAny(t, "/\"") && strings.HasSuffix(name, ".ndjson")
	case strings.HasPrefix(name, EvidenceDir):
		parts := strings.Split(strings.TrimPrefix(name, EvidenceDir), "/")
		return len(parts) == 2 && len(parts[0]) == 2 && len(parts[1]) == 62 && isHex(parts[0]+parts[1])
	}
	return false
}

func isHex(s string) bool {
	for _, c := range s {
		if !strings.ContainsRune("0123456789abcdef", c) {
			return false
		}
	}
	return true
}

// Unpack reads the decrypted tar stream into dir and checks it against its
// manifest. Only regular files with expected names are accepted.
func Unpack(r io.Reader, dir string) (*Manifest, error) {
	tr := tar.NewReader(r)
	got := map[string]FileEntry{}
	var m *Manifest
	for {
		h, err := tr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, rollcall.WrapError(rollcall.EINVALID, err, "backup archive is damaged")
		}
		if h.Typeflag != tar.TypeReg || !SafeMember(h.Name) {
			return nil, rollcall.Errorf(rollcall.EINVALID, "backup archive has an unexpected member %q", h.Name)
		}
		if _, dup := got[h.Name]; dup || m != nil {
			return nil, rollcall.Errorf(rollcall.EINVALID, "backup archive member %q is duplicated or after the manifest", h.Name)
		}
		if h.Name == ManifestName {
			b, err := io.ReadAll(io.LimitReader(tr, 64<<20))
			if err != nil {
				return nil, err
			}
			m = &Manifest{}
			if err := json.Unmarshal(b, m); err != nil || m.Format != Format {
				return nil, rollcall.Errorf(rollcall.EINVALID, "backup manifest is not %s", Format)
			}
			continue
		}
		p := filepath.Join(dir, filepath.FromSlash(h.Name))
		if err := os.MkdirAll(filepath.Dir(p), 0o700); err != nil {
			return nil, err
		}
		f, err := os.OpenFile(p, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
		if err != nil {
			return nil, err
		}
		hs := sha256.New()
		n, err := io.Copy(io.MultiWriter(f, hs), tr)
		if cerr := f.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			return nil, rollcall.WrapError(rollcall.EINVALID, err, "backup archive is damaged at %s", h.Name)
		}
		got[h.Name] = FileEntry{Name: h.Name, SHA256: hex.EncodeToString(hs.Sum(nil)), Size: n}
	}
	if m == nil {
		return nil, rollcall.Errorf(rollcall.EINVALID, "backup archive has no manifest (truncated?)")
	}
	if len(got) != len(m.Files) {
		return nil, rollcall.Errorf(rollcall.EINVALID, "backup archive holds %d files, its manifest lists %d", len(got), len(m.Files))
	}
	for _, fe := range m.Files {
		if got[fe.Name] != fe {
			return nil, rollcall.Errorf(rollcall.EINVALID, "backup member %s does not match the manifest", fe.Name)
		}
	}
	return m, nil
}
