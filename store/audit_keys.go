package store

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"sync/atomic"
)

// AuditKeys are the secrets audit rows and checkpoints are MACed under:
// the first writes, every one verifies (rows name the key they used, so a
// key can be rotated without losing the older rows' proof). Someone who
// can write the database but lacks the key cannot forge a row or re-chain
// a partition after editing one.
type AuditKeys struct {
	keys  map[string][]byte
	order []string
}

// BuiltinAuditKeyID names the key a process uses when it was given none
// (tests, tools that open the store directly). The key is public, so its
// rows prove only what the old unkeyed chain did; `carepath audit verify`
// refuses them when it is given real keys.
const BuiltinAuditKeyID = "builtin"

var builtinAuditKey = sha256.Sum256([]byte("carepath built-in audit key: public, no protection against a database writer"))

var auditKeyID = regexp.MustCompile(`^[A-Za-z0-9_.-]{1,64}$`)

// ParseAuditKeys reads "id:base64[,id:base64...]" (or one a line; # starts
// a comment), each key 32 random bytes, the first the one that writes.
// The ids "builtin" and "enc.*" are reserved.
func ParseAuditKeys(spec string) (*AuditKeys, error) {
	k, err := parseKeyLines(spec)
	if err != nil {
		return nil, fmt.Errorf("audit keys: %w", err)
	}
	for _, id := range k.order {
		if id == BuiltinAuditKeyID || strings.HasPrefix(id, derivedPrefix) {
			return nil, fmt.Errorf("audit keys: the id %s is reserved", id)
		}
	}
	return k, nil
}

// derivedPrefix starts the id of a key derived from an encryption key.
const derivedPrefix = "enc."

// DeriveAuditKeys derives one audit key from each payload-encryption key
// of an "id:base64" key line (codec.ParseKeys' format), named
// "enc.<id>": a deployment that sets no audit key of its own still has a
// secret one. The derivation is one-way: the audit key does not reveal
// the encryption key.
func DeriveAuditKeys(encryptionSpec string) (*AuditKeys, error) {
	enc, err := parseKeyLines(encryptionSpec)
	if err != nil {
		return nil, fmt.Errorf("derive audit keys from the encryption keys: %w", err)
	}
	k := &AuditKeys{keys: map[string][]byte{}}
	for _, id := range enc.order {
		m := hmac.New(sha256.New, enc.keys[id])
		m.Write([]byte("carepath audit key v1"))
		if err := k.add(derivedPrefix+id, m.Sum(nil)); err != nil {
			return nil, err
		}
	}
	return k, nil
}

// parseKeyLines reads the shared "id:base64" key-line format.
func parseKeyLines(spec string) (*AuditKeys, error) {
	k := &AuditKeys{keys: map[string][]byte{}}
	for _, f := range strings.FieldsFunc(spec, func(r rune) bool { return r == ',' || r == '\n' || r == '\r' }) {
		f = strings.TrimSpace(f)
		if f == "" || strings.HasPrefix(f, "#") {
			continue
		}
		id, b64, ok := strings.Cut(f, ":")
		if !ok || !auditKeyID.MatchString(id) {
			return nil, errors.New("each key must be written id:base64 with a short id of letters, digits, _ . -")
		}
		raw, err := base64.StdEncoding.DecodeString(b64)
		if err != nil || len(raw) != 32 {
			return nil, fmt.Errorf("key %s must be 32 bytes, base64-encoded", id)
		}
		if err := k.add(id, raw); err != nil {
			return nil, err
		}
	}
	if len(k.order) == 0 {
		return nil, errors.New("no key given")
	}
	return k, nil
}

// With returns k's keys followed by other's (k's first key still writes):
// an explicit audit key writes, keys derived earlier still verify.
func (k *AuditKeys) With(other *AuditKeys) (*AuditKeys, error) {
	out := &AuditKeys{keys: map[string][]byte{}}
	for _, src := range []*AuditKeys{k, other} {
		if src == nil {
			continue
		}
		for _, id := range src.order {
			if err := out.add(id, src.keys[id]); err != nil {
				return nil, err
			}
		}
	}
	return out, nil
}

func (k *AuditKeys) add(id string, key []byte) error {
	if _, dup := k.keys[id]; dup {
		return fmt.Errorf("key %s listed twice", id)
	}
	k.keys[id] = key
	k.order = append(k.order, id)
	return nil
}

// Active names the key new rows are MACed under.
func (k *AuditKeys) Active() string {
	if k == nil || len(k.order) == 0 {
		return BuiltinAuditKeyID
	}
	return k.order[0]
}

// IDs lists the keys, the writing one first.
func (k *AuditKeys) IDs() []string {
	if k == nil {
		return nil
	}
	return append([]string(nil), k.order...)
}

// key returns the secret named id; the built-in key is always known.
func (k *AuditKeys) key(id string) ([]byte, bool) {
	if id == BuiltinAuditKeyID {
		return builtinAuditKey[:], true
	}
	if k == nil {
		return nil, false
	}
	b, ok := k.keys[id]
	return b, ok
}

// processAuditKeys are the keys AuditAppend writes with: one set per
// process, like the payload codec's, set at start by the command that
// opens the store (nil: the built-in key).
var processAuditKeys atomic.Pointer[AuditKeys]

// UseAuditKeys makes k the keys this process's audit appends, checkpoints
// and verifications use, returning the ones it replaces.
func UseAuditKeys(k *AuditKeys) *AuditKeys { return processAuditKeys.Swap(k) }

// mac is HMAC-SHA256 under key over a domain tag and fields, each
// length-prefixed so no two sequences of fields encode alike.
func mac(key []byte, tag string, fields ...[]byte) []byte {
	h := hmac.New(sha256.New, key)
	write := func(b []byte) {
		var n [8]byte
		binary.BigEndian.PutUint64(n[:], uint64(len(b)))
		h.Write(n[:])
		h.Write(b)
	}
	write([]byte(tag))
	for _, f := range fields {
		write(f)
	}
	return h.Sum(nil)
}

func i64(v int64) []byte { return binary.BigEndian.AppendUint64(nil, uint64(v)) }
