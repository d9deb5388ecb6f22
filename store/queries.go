package store

import (
	"embed"
	"fmt"
	"io/fs"
	"strings"
)

// SQL lives in queries/*.sql, one statement per "-- name: EntityVerb" block,
// so it reads and diffs as SQL. The files are parsed at init (a duplicate
// name panics there); stmt looks a query up by name when it is used, so a
// misspelled name panics at its first use, in whichever test reaches it.
//
//go:embed queries/*.sql
var queryFiles embed.FS

var queries = loadQueries()

func loadQueries() map[string]string {
	out := map[string]string{}
	err := fs.WalkDir(queryFiles, "queries", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		src, err := fs.ReadFile(queryFiles, path)
		if err != nil {
			return err
		}
		var name string
		var body strings.Builder
		flush := func() error {
			if name == "" {
				return nil
			}
			if _, dup := out[name]; dup {
				return fmt.Errorf("query %s defined twice", name)
			}
			out[name] = strings.TrimSpace(body.String())
			body.Reset()
			return nil
		}
		for line := range strings.Lines(string(src)) {
			line = strings.TrimSuffix(line, "\n")
			if n, ok := strings.CutPrefix(strings.TrimSpace(line), "-- name:"); ok {
				if err := flush(); err != nil {
					return err
				}
				name = strings.TrimSpace(n)
				continue
			}
			body.WriteString(line)
			body.WriteByte('\n')
		}
		return flush()
	})
	if err != nil {
		panic(fmt.Sprintf("store: load queries: %v", err))
	}
	return out
}

func stmt(name string) string {
	s, ok := queries[name]
	if !ok {
		panic("store: no query named " + name)
	}
	return s
}
