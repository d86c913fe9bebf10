package importer

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Stack Exchange dumps put one <row .../> per line. Reading them line by line
// is several times faster than encoding/xml's general decoder; anything that
// is not in that shape is read by the general decoder instead (readRows), and
// a fuzz test holds the two to the same rows.

// errNotLineShaped says a file is not one row per line.
var errNotLineShaped = errors.New("not one row per line")

// readLines reads rows from a line-shaped dump. It returns errNotLineShaped,
// having called fn for no row, when the file does not start in that shape.
func readLines(r io.Reader, fn func(Row) error, name string) error {
	lim := &rowLimit{r: r}
	br := bufio.NewReaderSize(lim, 64<<10)
	rows, lineNo := 0, 0
	inRoot := false // rows live inside the one root element
	var line []byte
	for {
		lineNo++
		part, err := br.ReadSlice('\n')
		line = append(line[:0], part...)
		for errors.Is(err, bufio.ErrBufferFull) {
			if len(line) > maxRowBytes {
				return fmt.Errorf("%s: line %d: %w", name, lineNo, errRowTooLarge)
			}
			part, err = br.ReadSlice('\n')
			line = append(line, part...)
		}
		if err != nil && !errors.Is(err, io.EOF) {
			return fmt.Errorf("%s: line %d: %w", name, lineNo, err)
		}
		t := bytes.TrimSpace(line)
		if lineNo == 1 {
			t = bytes.TrimPrefix(t, []byte("\xef\xbb\xbf"))
		}
		switch {
		case len(t) == 0, bytes.HasPrefix(t, []byte("<?xml")) && bytes.HasSuffix(t, []byte("?>")):
		case inRoot && bytes.HasPrefix(t, []byte("<row ")) && bytes.HasSuffix(t, []byte("/>")):
			row, perr := parseRow(t[len("<row") : len(t)-2])
			if perr != nil {
				if rows == 0 {
					return errNotLineShaped
				}
				return fmt.Errorf("%s: line %d: %w", name, lineNo, perr)
			}
			rows++
			if err := fn(row); err != nil {
				return err
			}
		case isRootTag(t) && (t[1] == '/') == inRoot:
			inRoot = !inRoot
		default:
			if rows == 0 {
				return errNotLineShaped
			}
			return fmt.Errorf("%s: line %d: not a row", name, lineNo)
		}
		if errors.Is(err, io.EOF) {
			return nil
		}
		lim.since = 0 // the row limit counts per line
	}
}

// isRootTag matches <name> and </name>, the dump's enclosing element.
func isRootTag(t []byte) bool {
	if len(t) < 3 || t[0] != '<' || t[len(t)-1] != '>' {
		return false
	}
	name := bytes.TrimPrefix(t[1:len(t)-1], []byte("/"))
	for _, c := range name {
		if c < 'a' || c > 'z' {
			return false
		}
	}
	return len(name) > 0
}

// parseRow reads ` Name="value" ...` attributes.
func parseRow(b []byte) (Row, error) {
	row := make(Row, 16)
	for {
		b = bytes.TrimLeft(b, " \t")
		if len(b) == 0 {
			return row, nil
		}
		eq := bytes.IndexByte(b, '=')
		if eq <= 0 || eq+1 >= len(b) {
			return nil, errors.New("malformed attribute")
		}
		name := string(b[:eq])
		if !isName(name) {
			return nil, fmt.Errorf("bad attribute name %q", truncateBytes(name))
		}
		quote := b[eq+1]
		if quote != '"' && quote != '\'' {
			return nil, errors.New("unquoted attribute value")
		}
		rest := b[eq+2:]
		end := bytes.IndexByte(rest, quote)
		if end < 0 {
			return nil, errors.New("unterminated attribute value")
		}
		val, err := unescape(rest[:end])
		if err != nil {
			return nil, err
		}
		if _, dup := row[name]; dup {
			return nil, fmt.Errorf("attribute %s twice", name)
		}
		row[name] = val
		b = rest[end+1:]
		if len(b) > 0 && b[0] != ' ' && b[0] != '\t' {
			return nil, errors.New("attributes must be separated by spaces")
		}
	}
}

func isName(s string) bool {
	for i, c := range s {
		switch {
		case c >= 'A' && c <= 'Z', c >= 'a' && c <= 'z', c == '_':
		case i > 0 && (c >= '0' && c <= '9' || c == '-' || c == '.'):
		default:
			return false
		}
	}
	return s != ""
}

func truncateBytes(s string) string {
	if len(s) > 20 {
		return s[:20]
	}
	return s
}

// unescape resolves the five named entities and numeric character
// references, as an XML attribute value needs; a raw < or & is an error, as
// in XML.
func unescape(v []byte) (string, error) {
	if bytes.IndexByte(v, '<') >= 0 {
		return "", errors.New("< in an attribute value")
	}
	if !utf8.Valid(v) {
		return "", errors.New("invalid UTF-8")
	}
	if bytes.IndexByte(v, '\r') >= 0 { // XML reads a literal CR or CRLF as LF
		v = bytes.ReplaceAll(bytes.ReplaceAll(v, []byte("\r\n"), []byte("\n")), []byte("\r"), []byte("\n"))
	}
	amp := bytes.IndexByte(v, '&')
	if amp < 0 {
		return string(v), nil
	}
	var out strings.Builder
	out.Grow(len(v))
	for amp >= 0 {
		out.Write(v[:amp])
		v = v[amp:]
		semi := bytes.IndexByte(v, ';')
		if semi < 0 || semi > 12 {
			return "", errors.New("unterminated entity")
		}
		ent := string(v[1:semi])
		switch ent {
		case "lt":
			out.WriteByte('<')
		case "gt":
			out.WriteByte('>')
		case "amp":
			out.WriteByte('&')
		case "quot":
			out.WriteByte('"')
		case "apos":
			out.WriteByte('\'')
		default:
			r, ok := charRef(ent)
			if !ok {
				return "", fmt.Errorf("unknown entity &%s;", ent)
			}
			out.WriteRune(r)
		}
		v = v[semi+1:]
		amp = bytes.IndexByte(v, '&')
	}
	out.Write(v)
	return out.String(), nil
}

// charRef reads #NNN or #xHHH, accepting only characters XML allows.
func charRef(ent string) (rune, bool) {
	var n uint64
	var err error
	switch {
	case strings.HasPrefix(ent, "#x"):
		n, err = strconv.ParseUint(ent[2:], 16, 32)
	case strings.HasPrefix(ent, "#"):
		n, err = strconv.ParseUint(ent[1:], 10, 32)
	default:
		return 0, false
	}
	r := rune(n)
	ok := err == nil && (r == 0x9 || r == 0xA || r == 0xD || r >= 0x20 && r <= 0xD7FF || r >= 0xE000 && r <= 0xFFFD || r >= 0x10000 && r <= 0x10FFFF)
	return r, ok
}
