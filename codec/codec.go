// Package codec encrypts every payload carepath hands to Temporal (workflow
// inputs, activity arguments and results, signals, queries, and failure
// messages) with AES-256-GCM, so PHI never sits in Temporal's database or
// UI in plain text. The key ID travels in each payload's metadata, so keys
// can rotate: the first key encrypts, every listed key decrypts.
package codec

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"os"
	"regexp"
	"strings"

	commonpb "go.temporal.io/api/common/v1"
	"go.temporal.io/sdk/converter"
	"go.temporal.io/sdk/temporal"
)

// Metadata keys and values of an encrypted payload.
const (
	MetadataEncoding      = converter.MetadataEncoding
	EncodingEncrypted     = "binary/encrypted"
	MetadataEncryptionKey = "encryption-key-id"
)

var keyIDPattern = regexp.MustCompile(`^[A-Za-z0-9_.-]{1,64}$`)

// Keyring holds the encryption keys: Active encrypts, all decrypt.
type Keyring struct {
	active string
	aeads  map[string]cipher.AEAD
	order  []string
}

// ParseKeys reads "id:base64key[,id:base64key...]" (or one per line); the
// first key is the active one. Each key is 32 bytes (AES-256).
func ParseKeys(spec string) (*Keyring, error) {
	k := &Keyring{aeads: map[string]cipher.AEAD{}}
	fields := strings.FieldsFunc(spec, func(r rune) bool { return r == ',' || r == '\n' || r == '\r' })
	for _, f := range fields {
		f = strings.TrimSpace(f)
		if f == "" || strings.HasPrefix(f, "#") {
			continue
		}
		id, b64, ok := strings.Cut(f, ":")
		if !ok || !keyIDPattern.MatchString(id) {
			return nil, errors.New("codec: each key must be written id:base64 with a short id of letters, digits, _ . -")
		}
		raw, err := base64.StdEncoding.DecodeString(b64)
		if err != nil || len(raw) != 32 {
			return nil, fmt.Errorf("codec: key %s must be 32 bytes, base64-encoded", id)
		}
		if _, dup := k.aeads[id]; dup {
			return nil, fmt.Errorf("codec: key %s listed twice", id)
		}
		block, err := aes.NewCipher(raw)
		if err != nil {
			return nil, fmt.Errorf("codec: key %s: %w", id, err)
		}
		aead, err := cipher.NewGCM(block)
		if err != nil {
			return nil, fmt.Errorf("codec: key %s: %w", id, err)
		}
		k.aeads[id] = aead
		k.order = append(k.order, id)
		if k.active == "" {
			k.active = id
		}
	}
	if k.active == "" {
		return nil, errors.New("codec: no encryption key given")
	}
	return k, nil
}

// LoadKeyFile reads a key file in ParseKeys' format.
func LoadKeyFile(path string) (*Keyring, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("codec: read key file: %w", err)
	}
	return ParseKeys(string(b))
}

// NewKeyLine returns a fresh "id:base64key" line.
func NewKeyLine(id string) (string, error) {
	raw := make([]byte, 32)
	if _, err := rand.Read(raw); err != nil {
		return "", fmt.Errorf("codec: generate key: %w", err)
	}
	return id + ":" + base64.StdEncoding.EncodeToString(raw), nil
}

// ActiveKeyID names the key new payloads are encrypted with.
func (k *Keyring) ActiveKeyID() string { return k.active }

// KeyIDs lists every key that can decrypt, active first.
func (k *Keyring) KeyIDs() []string { return append([]string(nil), k.order...) }

// Codec is the payload codec over a keyring.
type Codec struct{ keys *Keyring }

// New returns the codec.
func New(k *Keyring) *Codec { return &Codec{keys: k} }

// Encode encrypts each payload whole (metadata and data) with the active key.
func (c *Codec) Encode(payloads []*commonpb.Payload) ([]*commonpb.Payload, error) {
	out := make([]*commonpb.Payload, len(payloads))
	aead := c.keys.aeads[c.keys.active]
	for i, p := range payloads {
		plain, err := p.Marshal()
		if err != nil {
			return nil, fmt.Errorf("codec: marshal payload: %w", err)
		}
		nonce := make([]byte, aead.NonceSize())
		if _, err := rand.Read(nonce); err != nil {
			return nil, fmt.Errorf("codec: nonce: %w", err)
		}
		sealed := aead.Seal(nonce, nonce, plain, []byte(c.keys.active))
		out[i] = &commonpb.Payload{
			Metadata: map[string][]byte{
				MetadataEncoding:      []byte(EncodingEncrypted),
				MetadataEncryptionKey: []byte(c.keys.active),
			},
			Data: sealed,
		}
	}
	return out, nil
}

// Decode decrypts payloads this codec encrypted, with whichever listed key
// encrypted them; payloads that are not encrypted pass through unchanged.
func (c *Codec) Decode(payloads []*commonpb.Payload) ([]*commonpb.Payload, error) {
	out := make([]*commonpb.Payload, len(payloads))
	for i, p := range payloads {
		if string(p.GetMetadata()[MetadataEncoding]) != EncodingEncrypted {
			out[i] = p
			continue
		}
		id := string(p.GetMetadata()[MetadataEncryptionKey])
		aead, ok := c.keys.aeads[id]
		if !ok {
			return nil, fmt.Errorf("codec: payload encrypted with unknown key %q", id)
		}
		data := p.GetData()
		if len(data) < aead.NonceSize() {
			return nil, errors.New("codec: encrypted payload too short")
		}
		plain, err := aead.Open(nil, data[:aead.NonceSize()], data[aead.NonceSize():], []byte(id))
		if err != nil {
			return nil, fmt.Errorf("codec: decrypt with key %q: authentication failed", id)
		}
		dec := &commonpb.Payload{}
		if err := dec.Unmarshal(plain); err != nil {
			return nil, fmt.Errorf("codec: unmarshal payload: %w", err)
		}
		out[i] = dec
	}
	return out, nil
}

// Converters returns the data converter (default JSON/proto conversion, then
// encryption) and the failure converter that moves failure messages and
// stack traces into an encrypted payload ("encoded attributes").
func Converters(k *Keyring) (converter.DataConverter, converter.FailureConverter) {
	dc := converter.NewCodecDataConverter(converter.GetDefaultDataConverter(), New(k))
	fc := temporal.NewDefaultFailureConverter(temporal.DefaultFailureConverterOptions{
		DataConverter:          dc,
		EncodeCommonAttributes: true,
	})
	return dc, fc
}
