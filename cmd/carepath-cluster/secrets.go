package main

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/carepath/carepath/codec"
	"github.com/carepath/carepath/store"
)

// secrets are generated once into the data directory (0600), as `carepath
// dev` does, so a restarted cluster decrypts its journeys and keeps its keys.
type secrets struct {
	keyFile       string // CAREPATH_ENCRYPTION_KEY_FILE
	adminKey      string // CAREPATH_BOOTSTRAP_API_KEY
	adminEmail    string
	adminPassword string // CAREPATH_BOOTSTRAP_ADMIN_PASSWORD
}

func loadSecrets(dir string) (secrets, error) {
	s := secrets{keyFile: filepath.Join(dir, "encryption.keys"), adminEmail: "admin@carepath.local"}
	line, err := codec.NewKeyLine("cluster1")
	if err != nil {
		return s, err
	}
	if _, err := secretFile(s.keyFile, line); err != nil {
		return s, err
	}
	generated, err := store.NewAPIKeySecret()
	if err != nil {
		return s, err
	}
	if s.adminKey, err = secretFile(filepath.Join(dir, "admin-api-key"), generated); err != nil {
		return s, err
	}
	raw := make([]byte, 12)
	if _, err := rand.Read(raw); err != nil {
		return s, fmt.Errorf("generate the admin password: %w", err)
	}
	if s.adminPassword, err = secretFile(filepath.Join(dir, "admin-password"), hex.EncodeToString(raw)); err != nil {
		return s, err
	}
	return s, nil
}

// secretFile returns the secret kept in path, writing value there first
// if the file does not exist yet.
func secretFile(path, value string) (string, error) {
	b, err := os.ReadFile(path)
	if err == nil {
		return strings.TrimSpace(string(b)), nil
	}
	if !errors.Is(err, fs.ErrNotExist) {
		return "", fmt.Errorf("read %s: %w", path, err)
	}
	if err := os.WriteFile(path, []byte(value+"\n"), 0o600); err != nil {
		return "", fmt.Errorf("write %s: %w", path, err)
	}
	return value, nil
}
