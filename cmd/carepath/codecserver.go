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
	"github.com/carepath/carepath/engine"
	"github.com/carepath/carepath/internal/config"
	"github.com/carepath/carepath/store"
)

// runCodecServer serves the payload codec for the Temporal UI and CLI. Only
// admins and the care team may use it (codecAuthorizer): decoding shows PHI.
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

// serveCodec serves the codec on cfg.CodecAddr until ctx ends, with a
// /healthz for probes.
func serveCodec(ctx context.Context, cfg *config.Config, keys *codec.Keyring, st *store.Store, log *slog.Logger, ready func(addr string)) error {
	mux := http.NewServeMux()
	mux.Handle("GET /healthz", codecHealth(st))
	mux.Handle("/", codec.Handler(codec.New(keys), cfg.CodecCORSOrigin, codecAuthorizer(st, cfg.CodecCORSOrigin, log)))
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	return serveUntilDone(ctx, "codec server", srv, cfg.CodecAddr, 5*time.Second, func(addr string) {
		log.Info("codec server listening", "addr", addr, "cors_origin", cfg.CodecCORSOrigin)
		if ready != nil {
			ready(addr)
		}
	})
}

// codecHealth is 200 while PostgreSQL (which every request's check of its
// caller needs) answers, else 503.
func codecHealth(st *store.Store) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx, cancel := context.WithTimeout(r.Context(), 3*time.Second)
		defer cancel()
		w.Header().Set("Content-Type", "application/json")
		if err := st.Ping(ctx); err != nil {
			w.WriteHeader(http.StatusServiceUnavailable)
			_, _ = w.Write([]byte(`{"status":"unavailable","checks":{"database":"unavailable"}}` + "\n")) // the prober went away
			return
		}
		_, _ = w.Write([]byte(`{"status":"ok","checks":{"database":"ok"}}` + "\n")) // the prober went away
	})
}

// consoleSessionCookie is the console's session cookie (api/auth.go's
// sessionCookie; the codec test signs in through the API to keep them one).
const consoleSessionCookie = "carepath_session"

// codecAuthorizer admits admin and care-team callers, as either:
//   - "Authorization: Bearer <API key>" (the CLI's --codec-auth, a gateway);
//   - the console's session cookie, from the Temporal UI's origin only. The
//     UI cannot send an API key: with TEMPORAL_CODEC_INCLUDE_CREDENTIALS it
//     sends the browser's cookies, so a person signed in to carepath's
//     console (same host, or same site behind one proxy) decodes as
//     themselves. The origin check stops another page from using the cookie.
func codecAuthorizer(st *store.Store, uiOrigin string, log *slog.Logger) codec.Authorizer {
	sessions := &engine.Engine{Store: st}
	allowed := func(role carepath.Role) bool { return role == carepath.RoleAdmin || role == carepath.RoleCareTeam }
	return func(r *http.Request) bool {
		auth := r.Header.Get("Authorization")
		if auth == "" {
			ck, err := r.Cookie(consoleSessionCookie)
			if err != nil || ck.Value == "" || r.Header.Get("Origin") != uiOrigin {
				return false
			}
			sess, err := sessions.SessionUser(r.Context(), ck.Value)
			if err != nil {
				return false
			}
			ok := allowed(sess.User.Role)
			log.Info("codec request", "user_id", sess.User.ID, "role", sess.User.Role, "allowed", ok, "path", r.URL.Path)
			return ok
		}
		secret, ok := strings.CutPrefix(auth, "Bearer ")
		if !ok {
			return false
		}
		key, err := st.APIKeyAuthenticate(r.Context(), strings.TrimSpace(secret))
		if err != nil {
			return false
		}
		ok = allowed(key.Role)
		log.Info("codec request", "api_key_id", key.ID, "role", key.Role, "allowed", ok, "path", r.URL.Path)
		return ok
	}
}
