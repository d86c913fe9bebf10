package importer

import (
	"bufio"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"os"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// Row is one <row .../> of a dump file: its attributes by name.
type Row map[string]string

// Int returns an integer attribute, or 0 when it is absent or malformed.
func (r Row) Int(name string) int64 {
	n, _ := strconv.ParseInt(r[name], 10, 64)
	return n
}

// Has reports whether an attribute is present and not empty.
func (r Row) Has(name string) bool { return r[name] != "" }

// Time returns a timestamp attribute (the dumps write UTC without a zone),
// or the zero time.
func (r Row) Time(name string) time.Time {
	v := r[name]
	for _, layout := range []string{"2006-01-02T15:04:05.999", "2006-01-02T15:04:05", "2006-01-02"} {
		if t, err := time.Parse(layout, v); err == nil {
			return t.UTC()
		}
	}
	return time.Time{}
}

// TimePtr is Time as a pointer, nil when the attribute is absent.
func (r Row) TimePtr(name string) *time.Time {
	if t := r.Time(name); !t.IsZero() {
		return &t
	}
	return nil
}

// maxRowBytes bounds one row, so a corrupt or hostile file cannot make the
// reader hold unbounded text in memory.
const maxRowBytes = 4 << 20

// ReadRows calls fn for each <row> of a dump file, in order, streaming. A
// missing file is os.ErrNotExist; a malformed one is an error naming the file
// and the byte offset. progress, if set, is told how far into the file the
// reader is.
func ReadRows(path string, progress func(done, total int64), fn func(Row) error) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	var total int64
	if st, err := f.Stat(); err == nil {
		total = st.Size()
	}
	cr := &countingReader{r: f}
	each := func(r Row) error {
		if progress != nil {
			progress(cr.n, total)
		}
		return fn(r)
	}
	err = readLines(cr, each, path)
	if !errors.Is(err, errNotLineShaped) {
		return err
	}
	// Not one row per line: read it again with the general XML decoder.
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		return err
	}
	cr.n = 0
	return readRows(cr, each, path)
}

// errRowTooLarge stops the reader when one element grows past maxRowBytes.
var errRowTooLarge = fmt.Errorf("a row is over the %d-byte limit", maxRowBytes)

// rowLimit fails a read once more than maxRowBytes (plus read-ahead) came in
// since the last mark: the decoder holds a whole element in memory before
// returning it, so a limit checked afterwards would come too late.
type rowLimit struct {
	r     io.Reader
	since int
}

func (l *rowLimit) Read(p []byte) (int, error) {
	if l.since > maxRowBytes+64<<10 {
		return 0, errRowTooLarge
	}
	n, err := l.r.Read(p)
	l.since += n
	return n, err
}

// readRows decodes rows from r; name appears in errors.
func readRows(r io.Reader, fn func(Row) error, name string) error {
	lim := &rowLimit{r: r}
	br := bufio.NewReader(lim)
	if bom, err := br.Peek(3); err == nil && string(bom) == "\xef\xbb\xbf" {
		br.Discard(3)
	}
	dec := xml.NewDecoder(br)
	depth := 0
	for {
		tok, err := dec.Token()
		lim.since = 0
		if errors.Is(err, io.EOF) {
			if depth != 0 {
				return fmt.Errorf("%s: unexpected end of file", name)
			}
			return nil
		}
		if err != nil {
			return fmt.Errorf("%s: at byte %d: %w", name, dec.InputOffset(), err)
		}
		switch t := tok.(type) {
		case xml.StartElement:
			depth++
			if t.Name.Local != "row" || depth != 2 {
				continue
			}
			row := make(Row, len(t.Attr))
			size := 0
			for _, a := range t.Attr {
				size += len(a.Value)
				row[a.Name.Local] = a.Value
			}
			if size > maxRowBytes {
				return fmt.Errorf("%s: at byte %d: a row of %d bytes is over the %d limit", name, dec.InputOffset(), size, maxRowBytes)
			}
			if err := fn(row); err != nil {
				return err
			}
		case xml.EndElement:
			depth--
		}
	}
}

type countingReader struct {
	r io.Reader
	n int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}

// tagRE is what a tag may look like (as content.ParseTags, with Stack
// Exchange's longer limit of 35 characters).
var tagRE = regexp.MustCompile(`^[a-z0-9][a-z0-9+#.-]{0,34}$`)

// ParseTags reads the "<a><b>" form of a question's tags (newer dumps write
// "|a|b|"), keeping only names that are valid tags.
func ParseTags(s string) []string {
	s = strings.NewReplacer("><", " ", "<", "", ">", "", "|", " ").Replace(s)
	var out []string
	for _, t := range strings.Fields(strings.ToLower(s)) {
		if tagRE.MatchString(t) {
			out = append(out, t)
		}
	}
	return out
}
