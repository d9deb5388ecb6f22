package safety

import (
	"bufio"
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/carepath/carepath/internal/testenv"
)

// labelled is one message of testdata/redflags_labelled.tsv.
type labelled struct {
	line  int
	label string // crisis, flag or ok
	text  string
}

// readLabelled reads the labelled set: label<TAB>text, # comments.
func readLabelled(t *testing.T) []labelled {
	t.Helper()
	f, err := os.Open("testdata/redflags_labelled.tsv")
	if err != nil {
		t.Fatalf("open labelled set: %v", err)
	}
	defer func() {
		if err := f.Close(); err != nil {
			t.Errorf("close labelled set: %v", err)
		}
	}()
	var out []labelled
	sc := bufio.NewScanner(f)
	for n := 1; sc.Scan(); n++ {
		l := sc.Text()
		if strings.TrimSpace(l) == "" || strings.HasPrefix(l, "#") {
			continue
		}
		label, text, ok := strings.Cut(l, "\t")
		if !ok || (label != "crisis" && label != "flag" && label != "ok") || strings.TrimSpace(text) == "" {
			t.Fatalf("labelled set line %d: want crisis|flag|ok<TAB>text, got %q", n, l)
		}
		out = append(out, labelled{line: n, label: label, text: text})
	}
	if err := sc.Err(); err != nil {
		t.Fatalf("read labelled set: %v", err)
	}
	return out
}

// precisionFloor is the lowest precision the labelled set may show. The
// measured figure is in docs/red-flags.md; the floor sits a little below it
// so a change that trades precision for recall is seen and argued, not
// slipped in. Recall has no floor: it must be 1.
const precisionFloor = 0.95

// TestLabelledSet classifies every labelled message and prints precision
// and recall. Every true red flag must be found, and every crisis message
// must be flagged as crisis (its reply adds 988).
func TestLabelledSet(t *testing.T) {
	set := readLabelled(t)
	if len(set) < 150 {
		t.Fatalf("labelled set has %d messages, want at least 150", len(set))
	}
	var tp, fp, fn, crisisN, crisisMissed, crisisExtra int
	var missed, falseAlarms []string
	for _, m := range set {
		f, got := Screen(m.text)
		want := m.label != "ok"
		switch {
		case want && got:
			tp++
		case want && !got:
			fn++
			missed = append(missed, fmt.Sprintf("line %d: %q", m.line, m.text))
		case !want && got:
			fp++
			falseAlarms = append(falseAlarms, fmt.Sprintf("line %d: %q (%s: %q)", m.line, m.text, f.Category, f.Phrase))
		}
		if m.label == "crisis" {
			crisisN++
			if !f.Crisis {
				crisisMissed++
				t.Errorf("labelled set line %d: %q is crisis language, screen gave %+v", m.line, m.text, f)
			}
		} else if m.label == "flag" && f.Crisis {
			crisisExtra++
		}
	}
	precision := float64(tp) / float64(tp+fp)
	recall := float64(tp) / float64(tp+fn)
	testenv.Figure("red flags: n=%d tp=%d fp=%d fn=%d precision=%.3f recall=%.3f; crisis: n=%d missed=%d extra=%d",
		len(set), tp, fp, fn, precision, recall, crisisN, crisisMissed, crisisExtra)
	for _, s := range falseAlarms {
		t.Logf("false alarm: %s", s)
	}
	if fn > 0 {
		t.Errorf("%d true red flags missed (recall must be 1):\n%s", fn, strings.Join(missed, "\n"))
	}
	if precision < precisionFloor {
		t.Errorf("precision %.3f below the floor %.2f; false alarms:\n%s", precision, precisionFloor, strings.Join(falseAlarms, "\n"))
	}
}
