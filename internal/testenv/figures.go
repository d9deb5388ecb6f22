package testenv

import (
	"fmt"
	"os"
	"sync"
)

var figuresMu sync.Mutex

// Figure prints a measured figure: a labelled set's precision and recall, a
// delay's p50 and p99. `go test` hides a passing package's output, so the
// line is also appended to the file CAREPATH_FIGURES names, which
// `make test` prints when the run ends.
func Figure(format string, args ...any) {
	line := fmt.Sprintf(format, args...)
	fmt.Println(line)
	path := os.Getenv("CAREPATH_FIGURES")
	if path == "" {
		return
	}
	figuresMu.Lock()
	defer figuresMu.Unlock()
	f, err := os.OpenFile(path, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644)
	if err != nil {
		fmt.Fprintf(os.Stderr, "figures: %v\n", err)
		return
	}
	if _, err := fmt.Fprintln(f, line); err != nil {
		fmt.Fprintf(os.Stderr, "figures: %v\n", err)
	}
	if err := f.Close(); err != nil {
		fmt.Fprintf(os.Stderr, "figures: %v\n", err)
	}
}
