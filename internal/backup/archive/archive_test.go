package archive

import (
	"archive/tar"
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func tarOf(members map[string]string) []byte {
	var b bytes.Buffer
	tw := tar.NewWriter(&b)
	for name, body := range members {
		tw.WriteHeader(&tar.Header{Name: name, Mode: 0o600, Size: int64(len(body)), Typeflag: tar.TypeReg})
		tw.Write([]byte(body))
	}
	tw.Close()
	return b.Bytes()
}

// FuzzUnpack feeds arbitrary decrypted archives to restore's unpacker: it
// must never write outside its directory and never accept an archive whose
// members disagree with the manifest.
func FuzzUnpack(f *testing.F) {
	f.Add(tarOf(map[string]string{"manifest.json": `{"format":"rollcall-backup/1","files":[]}`}))
	f.Add(tarOf(map[string]string{"../x": "a"}))
	f.Add(tarOf(map[string]string{"rollcall.db": "x", "manifest.json": `{"format":"rollcall-backup/1","files":[{"name":"rollcall.db","sha256":"2d711642b726b04401627ca9fbac32f5c8530fb1903cc4db02258717921a4881","size":1}]}`}))
	f.Fuzz(func(t *testing.T, data []byte) {
		root, err := os.MkdirTemp("", "fuzz-unpack-*")
		if err != nil {
			t.Fatal(err)
		}
		defer os.RemoveAll(root)
		dir := filepath.Join(root, "in")
		os.Mkdir(dir, 0o700)
		m, err := Unpack(bytes.NewReader(data), dir)
		walkErr := err
		filepath.WalkDir(root, func(p string, d os.DirEntry, err error) error {
			if err == nil && !strings.HasPrefix(p, dir) && p != root {
				t.Fatalf("unpack wrote outside its directory: %s", p)
			}
			return nil
		})
		if walkErr == nil {
			for _, fe := range m.Files {
				if !SafeMember(fe.Name) {
					t.Fatalf("accepted unsafe member %q", fe.Name)
				}
			}
		}
	})
}

func TestSafeMember(t *testing.T) {
	for name, want := range map[string]bool{
		"manifest.json": true, "rollcall.db": true, "keyring.json": true, "tables/sources.ndjson": true,
		"evidence/ab/" + strings.Repeat("c", 62): true,
		"../rollcall.db":                         false, "/etc/passwd": false, "tables/../../x.ndjson": false, "evidence/ab/../../x": false,
		"tables/a/b.ndjson": false, "evidence/ab/short": false, "other.txt": false, "tables/.ndjson": false,
		`tables/a"b.ndjson`: false, "evidence/AB/" + strings.Repeat("c", 62): false,
	} {
		if got := SafeMember(name); got != want {
			t.Errorf("SafeMember(%q) = %v, want %v", name, got, want)
		}
	}
}
