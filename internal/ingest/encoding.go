package ingest

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"

	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/korean"
	"golang.org/x/text/encoding/unicode"
	"golang.org/x/text/transform"
)

// Text encodings of CSV files. Korean Excel saves "CSV" in CP949 (a
// superset of EUC-KR) and "Unicode text" in UTF-16; both are read.
const (
	EncodingAuto    = "auto"
	EncodingUTF8    = "utf-8"
	EncodingUTF16   = "utf-16" // byte order from the BOM, else little-endian
	EncodingUTF16LE = "utf-16le"
	EncodingUTF16BE = "utf-16be"
	EncodingCP949   = "cp949"
)

// Encodings lists the names ParseEncoding accepts.
var Encodings = []string{EncodingAuto, EncodingUTF8, EncodingUTF16, EncodingUTF16LE, EncodingUTF16BE, EncodingCP949}

// ParseEncoding reads an encoding name as a user writes it ("UTF8",
// "euc-kr", "ms949" ...); "" is auto.
func ParseEncoding(s string) (string, error) {
	n := strings.NewReplacer("_", "-", " ", "").Replace(strings.ToLower(strings.TrimSpace(s)))
	switch n {
	case "", EncodingAuto:
		return EncodingAuto, nil
	case EncodingUTF8, "utf8":
		return EncodingUTF8, nil
	case EncodingUTF16, "utf16", "unicode":
		return EncodingUTF16, nil
	case EncodingUTF16LE, "utf16le":
		return EncodingUTF16LE, nil
	case EncodingUTF16BE, "utf16be":
		return EncodingUTF16BE, nil
	case EncodingCP949, "cp-949", "ms949", "uhc", "euc-kr", "euckr", "windows-949", "ks-c-5601-1987":
		return EncodingCP949, nil
	}
	return "", fmt.Errorf("unknown encoding %q (one of: %s)", s, strings.Join(Encodings, ", "))
}

// errRefused is a file refused as a whole (its encoding cannot be told,
// it is over a limit); the text is for the user.
type errRefused string

func (e errRefused) Error() string { return string(e) }

// decode returns br's text as UTF-8, without a byte order mark. With
// EncodingAuto it detects the encoding from the first bytes: a BOM, the
// zero bytes of UTF-16, valid UTF-8, or text that can only be CP949; a
// file that may be CP949 but also something else is refused with a message
// saying how to read it. decoded reports whether bytes were converted (and
// so whether U+FFFD in the result marks bytes the encoding could not read).
func decode(br *bufio.Reader, enc string) (r io.Reader, decoded bool, err error) {
	head, _ := br.Peek(br.Size())
	full := len(head) < br.Size() // the whole file is in head
	if enc == EncodingAuto {
		if enc, err = detect(head, full); err != nil {
			return nil, false, err
		}
	}
	var e encoding.Encoding
	switch enc {
	case EncodingUTF8:
		if bytes.HasPrefix(head, []byte{0xEF, 0xBB, 0xBF}) {
			br.Discard(3)
		}
		return br, false, nil
	case EncodingUTF16:
		e = unicode.UTF16(unicode.LittleEndian, unicode.UseBOM)
	case EncodingUTF16LE:
		e = unicode.UTF16(unicode.LittleEndian, unicode.UseBOM)
		if bytes.HasPrefix(head, []byte{0xFE, 0xFF}) {
			return nil, false, errRefused("the file starts with a big-endian byte order mark, not UTF-16LE; pass --encoding utf-16")
		}
	case EncodingUTF16BE:
		e = unicode.UTF16(unicode.BigEndian, unicode.UseBOM)
		if bytes.HasPrefix(head, []byte{0xFF, 0xFE}) {
			return nil, false, errRefused("the file starts with a little-endian byte order mark, not UTF-16BE; pass --encoding utf-16")
		}
	case EncodingCP949:
		e = korean.EUCKR // x/text's EUC-KR is CP949 (Unified Hangul Code)
	default:
		return nil, false, fmt.Errorf("unknown encoding %q", enc)
	}
	return transform.NewReader(br, e.NewDecoder()), true, nil
}

// detect tells the encoding of a file from its first bytes (all of it
// when full).
func detect(head []byte, full bool) (string, error) {
	switch {
	case bytes.HasPrefix(head, []byte{0xEF, 0xBB, 0xBF}):
		return EncodingUTF8, nil
	case bytes.HasPrefix(head, []byte{0xFF, 0xFE}), bytes.HasPrefix(head, []byte{0xFE, 0xFF}):
		return EncodingUTF16, nil
	}
	// Text has no NUL bytes, but UTF-16 has one in every ASCII character
	// (the commas and line ends of a CSV file at least): the high byte,
	// second in little-endian, first in big-endian.
	if zeros := bytes.Count(head, []byte{0}); zeros > 0 {
		even, odd := 0, 0
		for i := 0; i+1 < len(head); i += 2 {
			if head[i] == 0 {
				even++
			}
			if head[i+1] == 0 {
				odd++
			}
		}
		switch {
		case odd > 0 && even*20 <= odd:
			return EncodingUTF16LE, nil
		case even > 0 && odd*20 <= even:
			return EncodingUTF16BE, nil
		}
		return "", errRefused("the file has NUL bytes but is not UTF-16 text: save it as CSV (UTF-8)")
	}
	if validUTF8(head, full) {
		return EncodingUTF8, nil
	}
	switch cp949Likelihood(head, full) {
	case cp949Sure:
		return EncodingCP949, nil
	case cp949Maybe:
		return "", errRefused("the file is not UTF-8; it looks like CP949 (EUC-KR), but could be another encoding: save it as UTF-8 or pass --encoding cp949")
	}
	return "", errRefused("the file is not UTF-8 text, nor UTF-16 or CP949: save it as UTF-8 (CSV UTF-8 in Excel) or pass --encoding")
}

// validUTF8 reports whether head is UTF-8, allowing a character cut off at
// the end of a partial head.
func validUTF8(head []byte, full bool) bool {
	if utf8.Valid(head) {
		return true
	}
	if full {
		return false
	}
	for cut := 1; cut <= 3 && cut < len(head); cut++ {
		if utf8.Valid(head[:len(head)-cut]) {
			return true
		}
	}
	return false
}

type likelihood int

const (
	cp949No likelihood = iota
	cp949Maybe
	cp949Sure
)

// cp949Likelihood reads head as CP949: every byte above 0x7F must start a
// valid two-byte character. It is sure when most characters are in the
// KS X 1001 range (both bytes 0xA1–0xFE, where all common hangul lie)
// and most of those are hangul syllables (lead bytes 0xB0–0xC8): Korean
// text. Latin-1 or Windows-1252 text rarely has two accented letters in a
// row, which is what a valid pair needs, let alone mostly in those ranges.
func cp949Likelihood(head []byte, full bool) likelihood {
	ks, hangul, ext := 0, 0, 0
	for i := 0; i < len(head); i++ {
		b := head[i]
		if b < 0x80 {
			continue
		}
		if i+1 == len(head) {
			if full {
				return cp949No
			}
			break // cut off mid-character
		}
		t := head[i+1]
		switch {
		case b >= 0xA1 && b <= 0xFE && t >= 0xA1 && t <= 0xFE:
			ks++
			if b >= 0xB0 && b <= 0xC8 {
				hangul++
			}
		case b >= 0x81 && b <= 0xC6 && (t >= 0x41 && t <= 0x5A || t >= 0x61 && t <= 0x7A || t >= 0x81 && t <= 0xFE):
			ext++ // hangul added by Microsoft's Unified Hangul Code
		default:
			return cp949No
		}
		i++
	}
	if ks+ext == 0 {
		return cp949No
	}
	if ext*10 <= ks && hangul*2 >= ks {
		return cp949Sure
	}
	return cp949Maybe
}
