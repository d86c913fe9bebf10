package markup

import "strings"

// maxQuoteDepth bounds how deep block quotes nest. A 50 KB line of '>'
// opened 50,000 quotes, 1.35 MB of HTML, and 0.8 s of CPU to render and
// sanitize (parsing HTML checks the open elements on every tag, so deep
// nesting costs the square of its depth). markdown-it, which Discourse
// uses, bounds nesting the same way. 32 is far past any quote a person
// writes.
const maxQuoteDepth = 32

// capQuoteDepth drops the quote markers of a line past maxQuoteDepth, the
// text after them kept; lines in fenced code are left as they are.
func capQuoteDepth(src string) string {
	if strings.Count(src, ">") <= maxQuoteDepth {
		return src // no line can nest deeper
	}
	var b strings.Builder
	b.Grow(len(src))
	fence := "" // the open fence's marker, "" outside fenced code
	for rest := src; rest != ""; {
		line, tail, found := strings.Cut(rest, "\n")
		rest = tail
		switch {
		case fence != "":
			if f := fenceMarker(line); f != "" && f[0] == fence[0] && len(f) >= len(fence) {
				fence = ""
			}
		case fenceMarker(line) != "":
			fence = fenceMarker(line)
		default:
			line = capLine(line)
		}
		b.WriteString(line)
		if found {
			b.WriteByte('\n')
		}
	}
	return b.String()
}

// capLine removes the quote markers of one line past maxQuoteDepth.
func capLine(line string) string {
	i, depth, cut := 0, 0, 0
	for {
		j := i
		for j < len(line) && j-i < 3 && line[j] == ' ' {
			j++
		}
		if j >= len(line) || line[j] != '>' {
			break
		}
		i, depth = j+1, depth+1
		if i < len(line) && line[i] == ' ' {
			i++
		}
		if depth == maxQuoteDepth {
			cut = i
		}
	}
	if depth <= maxQuoteDepth {
		return line
	}
	return line[:cut] + line[i:]
}

// fenceMarker returns the run of ``` or ~~~ (three or more) that opens or
// closes fenced code on line, indented at most three spaces; "" if none.
func fenceMarker(line string) string {
	s := strings.TrimLeft(line, " ")
	if len(line)-len(s) > 3 || len(s) < 3 || (s[0] != '`' && s[0] != '~') {
		return ""
	}
	n := 0
	for n < len(s) && s[n] == s[0] {
		n++
	}
	if n < 3 {
		return ""
	}
	return s[:n]
}
