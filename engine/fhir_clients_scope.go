package engine

import (
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/carepath/carepath"
)

// SMART scopes (App Launch 1 and 2): system/<Type|*>.<perm>, where perm is
// v1's read, write or *, or v2's letters from "cruds" in that order
// (system/*.rs, system/Patient.cud). v1 read is r+s, write c+u+d, * all.

// Perm is a set of SMART v2 permissions.
type Perm uint8

// Permissions.
const (
	PermCreate Perm = 1 << iota
	PermRead
	PermUpdate
	PermDelete
	PermSearch

	permRead  = PermRead | PermSearch
	permWrite = PermCreate | PermUpdate | PermDelete
	permAll   = permRead | permWrite
)

const permLetters = "cruds"

// Scope is one parsed system scope.
type Scope struct {
	Type  string // a resource type or "*"
	Perms Perm
	v2    bool // written with v2 letters: rendered back that way
}

var scopePattern = regexp.MustCompile(`^system/(\*|[A-Z][A-Za-z]{1,63})\.(read|write|\*|c?r?u?d?s?)$`)

// ParseScope reads one system scope; anything else (patient/, user/,
// launch, v2 query parameters) is not carepath's to grant.
func ParseScope(s string) (Scope, bool) {
	m := scopePattern.FindStringSubmatch(s)
	if m == nil || m[2] == "" {
		return Scope{}, false
	}
	sc := Scope{Type: m[1]}
	switch m[2] {
	case "read":
		sc.Perms = permRead
	case "write":
		sc.Perms = permWrite
	case "*":
		sc.Perms = permAll
	default:
		sc.v2 = true
		for i, l := range permLetters {
			if strings.ContainsRune(m[2], l) {
				sc.Perms |= 1 << i
			}
		}
	}
	return sc, true
}

// String writes the scope in the syntax it came in (v1 when its
// permissions are exactly read, write or all; else v2 letters).
func (s Scope) String() string {
	if !s.v2 {
		switch s.Perms {
		case permRead:
			return "system/" + s.Type + ".read"
		case permWrite:
			return "system/" + s.Type + ".write"
		case permAll:
			return "system/" + s.Type + ".*"
		}
	}
	var b strings.Builder
	for i, l := range permLetters {
		if s.Perms&(1<<i) != 0 {
			b.WriteRune(l)
		}
	}
	return "system/" + s.Type + "." + b.String()
}

// intersect is what both scopes allow, if anything.
func (s Scope) intersect(o Scope) (Scope, bool) {
	out := Scope{Perms: s.Perms & o.Perms, v2: s.v2}
	switch {
	case s.Type == o.Type || o.Type == "*":
		out.Type = s.Type
	case s.Type == "*":
		out.Type = o.Type
	default:
		return Scope{}, false
	}
	return out, out.Perms != 0
}

// ParseScopes reads a list of scopes, refusing any that is not a system
// scope (naming field, e.g. "scopes[2]").
func ParseScopes(field string, list []string) ([]Scope, error) {
	out := make([]Scope, 0, len(list))
	for i, s := range list {
		sc, ok := ParseScope(s)
		if !ok {
			return nil, carepath.Invalid(field+"["+strconv.Itoa(i)+"]", "must be a SMART system scope like system/Patient.read, system/*.write or system/*.rs")
		}
		out = append(out, sc)
	}
	return out, nil
}

// GrantScopes is what of the requested scopes the allowed ones cover, each
// narrowed to what is allowed (asking system/*.* with system/*.read
// allowed grants system/*.read), without repeats.
func GrantScopes(requested, allowed []Scope) []string {
	var out []string
	for _, r := range requested {
		for _, a := range allowed {
			if g, ok := r.intersect(a); ok && !slices.Contains(out, g.String()) {
				out = append(out, g.String())
			}
		}
	}
	return out
}

// ScopesPermit reports whether the scopes allow every permission in need
// on a resource type ("" for a system-level interaction such as a Bundle:
// any type will do, the entries are checked one by one).
func ScopesPermit(scopes []string, typ string, need Perm) bool {
	for _, s := range scopes {
		sc, ok := ParseScope(s)
		if !ok || sc.Perms&need != need {
			continue
		}
		if typ == "" || sc.Type == "*" || sc.Type == typ {
			return true
		}
	}
	return false
}
