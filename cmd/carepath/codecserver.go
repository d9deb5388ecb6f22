package main

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/carepath/carepath"
	"github.com/carepath/carepath/codec"
	"github.com/carepath/carepath/internal/config"
	"github.com/carepath/carepath/store"
)

// runCodecServer serves the payload codec for the Temporal UI and CLI. Only
// admin and care-team API keys may use it: decoding shows PHI.
func runCodecServer(ctx context.Context, cfg *config.Config, log *slog.Logger) error {
	keys, err := loadKeys(cfg)
	if err != nil {
		return err
	}
	if cfg.DatabaseURL == "" {
		return errors.New("DATABASE_URL is required: the codec server checks API keys")
	}
	st, err := store.Open(ctx, cfg.DatabaseURL)
	if err != nil {
		return err
	}
	defer st.Close()
	return serveCodec(ctx, cfg, keys, st, log, nil)
}

// serveCodec serves the codec on cfg.CodecAddr until ctx ends.
func serveCodec(ctx context.Context, cfg *config.Config, keys *codec.Keyring, st *store.Store, log *slog.Logger, ready func(addr string)) error {
	h := codec.Handler(codec.New(keys), cfg.CodecCORSOrigin, codecAuthorizer(st, log))
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second}
	return serveUntilDone(ctx, "codec server", srv, cfg.CodecAddr, 5*time.Second, func(addr string) {
		log.Info("codec server listening", "addr", addr, "cors_origin", cfg.CodecCORSOrigin)
		if ready != nil {
			ready(addr)
		}
	})
}

func codecAuthorizer(st *store.Store, log *slog.Logger) codec.Authorizer {
	return func(r *http.Request) bool {
		secret, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
		if !ok {
			return false
		}
		key, err := st.APIKeyAuthenticate(r.Context(), strings.TrimSpace(secret))
		if err != nil {
			return false
		}
		allowed := key.Role == carepath.RoleAdmin || key.Role == carepath.RoleCareTeam
		log.Info("codec request", "api_key_id", key.ID, "role", key.Role, "allowed", allowed, "path", r.URL.Path)
		return allowed
	}
}
