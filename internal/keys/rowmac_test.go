package keys

import (
	"bytes"
	"crypto/rand"
	"testing"
	"time"
)

// TestRowMAC: equal rows give equal MACs whatever driver type carries a
// value (SQLite integer or PostgreSQL boolean, integral REAL or BIGINT); any
// change of table, id, column name or value, or a NULL becoming a value,
// changes the MAC; another index key gives another MAC; the data key does
// not matter (rotation keeps MACs).
func TestRowMAC(t *testing.T) {
	ix, k1, k2 := make([]byte, KeySize), make([]byte, KeySize), make([]byte, KeySize)
	rand.Read(ix)
	rand.Read(k1)
	rand.Read(k2)
	c, err := NewCipher(1, map[byte][]byte{1: k1}, ix)
	if err != nil {
		t.Fatal(err)
	}
	rotated, err := NewCipher(2, map[byte][]byte{1: k1, 2: k2}, ix)
	if err != nil {
		t.Fatal(err)
	}
	otherIx := bytes.Clone(ix)
	otherIx[0] ^= 1
	other, err := NewCipher(1, map[byte][]byte{1: k1}, otherIx)
	if err != nil {
		t.Fatal(err)
	}
	names := []string{"name", "fictional", "sentence_years", "testimony", "birth_date", "at"}
	at := time.Date(2026, 1, 2, 3, 4, 5, 6, time.UTC)
	base := []any{"Kim", int64(1), 2.5, []byte{1, 2}, nil, at}
	mac := func(c *Cipher, table string, id int64, names []string, vals []any) string {
		t.Helper()
		m, err := c.RowMAC(table, id, names, vals)
		if err != nil {
			t.Fatal(err)
		}
		if len(m) != 2*RowMACSize {
			t.Fatalf("MAC %q has %d hex digits", m, len(m))
		}
		return m
	}
	want := mac(c, "records", 7, names, base)
	same := []struct {
		name string
		c    *Cipher
		vals []any
	}{
		{"boolean for integer", c, []any{"Kim", true, 2.5, []byte{1, 2}, nil, at}},
		{"int32", c, []any{"Kim", int32(1), 2.5, []byte{1, 2}, nil, at}},
		{"time in another zone", c, []any{"Kim", int64(1), 2.5, []byte{1, 2}, nil, at.In(time.FixedZone("KST", 9*3600))}},
		{"time as its text", c, []any{"Kim", int64(1), 2.5, []byte{1, 2}, nil, "2026-01-02T03:04:05.000000006Z"}},
		{"rotated data key", rotated, base},
	}
	for _, s := range same {
		if got := mac(s.c, "records", 7, names, s.vals); got != want {
			t.Errorf("%s: MAC %s, want %s", s.name, got, want)
		}
	}
	if a, b := mac(c, "records", 1, []string{"y"}, []any{float64(3)}), mac(c, "records", 1, []string{"y"}, []any{int64(3)}); a != b {
		t.Error("an integral REAL and an integer differ")
	}
	differ := []struct {
		name  string
		c     *Cipher
		table string
		id    int64
		names []string
		vals  []any
	}{
		{"table", c, "persons", 7, names, base},
		{"id", c, "records", 8, names, base},
		{"text", c, "records", 7, names, []any{"Kim ", int64(1), 2.5, []byte{1, 2}, nil, at}},
		{"boolean", c, "records", 7, names, []any{"Kim", false, 2.5, []byte{1, 2}, nil, at}},
		{"number", c, "records", 7, names, []any{"Kim", int64(1), 2.50001, []byte{1, 2}, nil, at}},
		{"blob", c, "records", 7, names, []any{"Kim", int64(1), 2.5, []byte{1, 3}, nil, at}},
		{"blob as text", c, "records", 7, names, []any{"Kim", int64(1), 2.5, "\x01\x02", nil, at}},
		{"NULL set", c, "records", 7, names, []any{"Kim", int64(1), 2.5, []byte{1, 2}, "", at}},
		{"value NULLed", c, "records", 7, names, []any{"Kim", int64(1), 2.5, nil, nil, at}},
		{"column renamed", c, "records", 7, []string{"name_alt", "fictional", "sentence_years", "testimony", "birth_date", "at"}, base},
		{"value moved to the next column", c, "records", 7, names, []any{"", "Kim1", 2.5, []byte{1, 2}, nil, at}},
		{"index key", other, "records", 7, names, base},
	}
	for _, d := range differ {
		if got := mac(d.c, d.table, d.id, d.names, d.vals); got == want {
			t.Errorf("%s: MAC unchanged", d.name)
		}
	}
	if _, err := c.RowMAC("records", 1, []string{"a"}, []any{struct{}{}}); err == nil {
		t.Error("an unsupported type was MACed")
	}
	if _, err := c.RowMAC("records", 1, []string{"a", "b"}, []any{"x"}); err == nil {
		t.Error("names and values of different lengths were MACed")
	}
}
