package safety

import (
	"fmt"
	"strings"
)

// The embedded data files share one format: one entry a line, fields
// separated by "|", spaces around fields ignored, "#" starting a comment,
// blank lines skipped. A malformed line is an error naming the file and
// line, so a reviewer's typo stops the program at start instead of
// silently weakening the screen.

// dataLine is one entry of a data file.
type dataLine struct {
	file   string
	num    int
	fields []string
}

// dataLines splits a data file into its entries.
func dataLines(file, data string) []dataLine {
	var out []dataLine
	for i, raw := range strings.Split(data, "\n") {
		if c := strings.IndexByte(raw, '#'); c >= 0 {
			raw = raw[:c]
		}
		if strings.TrimSpace(raw) == "" {
			continue
		}
		fields := strings.Split(raw, "|")
		for j := range fields {
			fields[j] = strings.Join(strings.Fields(fields[j]), " ")
		}
		out = append(out, dataLine{file: file, num: i + 1, fields: fields})
	}
	return out
}

// errorf is an error about the line, named "file:line" (just "file" for
// the file as a whole).
func (l dataLine) errorf(format string, args ...any) error {
	if l.num == 0 {
		return fmt.Errorf("safety: %s: %s", l.file, fmt.Sprintf(format, args...))
	}
	return fmt.Errorf("safety: %s:%d: %s", l.file, l.num, fmt.Sprintf(format, args...))
}

// languages a data line may be written for. Every entry applies to every
// message whatever its language (patients mix them); the column says what
// a reviewer is reading and lets the tests count per language.
var languages = []string{"en", "es", "any"}

// language checks the line's language field.
func (l dataLine) language(i int) (string, error) {
	v := l.fields[i]
	for _, k := range languages {
		if v == k {
			return v, nil
		}
	}
	return "", l.errorf("unknown language %q (want one of %s)", v, strings.Join(languages, ", "))
}

// words normalises a field of plain words the way a message is read
// (lower case, no accents) and checks each is letters and digits only.
func (l dataLine) words(i int) ([]string, error) {
	v := l.fields[i]
	if v == "" {
		return nil, l.errorf("field %d is empty", i+1)
	}
	ws := strings.Fields(foldString(v))
	for _, w := range ws {
		if !plainWord(w) {
			return nil, l.errorf("%q: a word may hold only letters and digits (punctuation would be read as a break)", w)
		}
	}
	return ws, nil
}

// plainWord reports whether w is a non-empty run of a-z and 0-9.
func plainWord(w string) bool {
	if w == "" {
		return false
	}
	for _, r := range w {
		if (r < 'a' || r > 'z') && (r < '0' || r > '9') {
			return false
		}
	}
	return true
}
