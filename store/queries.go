package store

import (
	"bufio"
	"embed"
	"fmt"
	"io/fs"
	"strings"
)

// SQL lives in queries/*.sql, one statement per "-- name: EntityVerb" block,
// so it reads and diffs as SQL. Each query is bound to a package variable at
// start-up; a missing name panics at init, which every test catches.
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
		f, err := queryFiles.Open(path)
		if err != nil {
			return err
		}
		defer f.Close()
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
		sc := bufio.NewScanner(f)
		for sc.Scan() {
			line := sc.Text()
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
		if err := sc.Err(); err != nil {
			return err
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
