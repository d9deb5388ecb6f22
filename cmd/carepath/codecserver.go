package main

import (
	"context"
	"errors"
	"fmt"
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
		return errors.New("DATABASE_URL is required: the codec server checks API keys and audits every use")
	}
	if err := useAuditKeys(cfg); err != nil {
		return err
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
	mux.Handle("/", codec.Handler(codec.New(keys), cfg.CodecCORSOrigin, codecAuthorizer(st, cfg.CodecCORSOrigin, log), codecRecorder(st)))
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
//
// A caller it can name but whose role may not decode is known and not
// allowed (recorded as denied).
func codecAuthorizer(st *store.Store, uiOrigin string, log *slog.Logger) codec.Authorizer {
	sessions := &engine.Engine{Store: st}
	allowed := func(role carepath.Role) bool { return role == carepath.RoleAdmin || role == carepath.RoleCareTeam }
	return func(r *http.Request) (codec.Caller, bool) {
		auth := r.Header.Get("Authorization")
		if auth == "" {
			ck, err := r.Cookie(consoleSessionCookie)
			if err != nil || ck.Value == "" || r.Header.Get("Origin") != uiOrigin {
				return codec.Caller{}, false
			}
			sess, err := sessions.SessionUser(r.Context(), ck.Value)
			if err != nil {
				return codec.Caller{}, false
			}
			c := codec.Caller{Actor: carepath.Actor{Kind: carepath.ActorUser, ID: sess.User.ID}.Name(), Allowed: allowed(sess.User.Role)}
			log.Info("codec request", "user_id", sess.User.ID, "role", sess.User.Role, "allowed", c.Allowed, "path", r.URL.Path)
			return c, true
		}
		secret, ok := strings.CutPrefix(auth, "Bearer ")
		if !ok {
			return codec.Caller{}, false
		}
		key, err := st.APIKeyAuthenticate(r.Context(), strings.TrimSpace(secret))
		if err != nil {
			return codec.Caller{}, false
		}
		c := codec.Caller{Actor: carepath.Actor{Kind: carepath.ActorAPIKey, ID: key.ID}.Name(), Allowed: allowed(key.Role)}
		log.Info("codec request", "api_key_id", key.ID, "role", key.Role, "allowed", c.Allowed, "path", r.URL.Path)
		return c, true
	}
}

// codecRecorder writes each use of the codec to the audit trail under its
// caller: "codec.decode" or "codec.encode", the namespace the UI names
// (X-Namespace) as the resource, success or denied. A decode shows
// whatever PHI the payloads hold; the codec protocol does not say whose,
// so the row names no patient.
func codecRecorder(st *store.Store) codec.Recorder {
	return func(r *http.Request, c codec.Caller, op string) error {
		outcome := engine.OutcomeSuccess
		if !c.Allowed {
			outcome = engine.OutcomeDenied
		}
		resource := "codec"
		if ns := r.Header.Get("X-Namespace"); ns != "" && validNamespace(ns) {
			resource = "namespace/" + ns
		}
		ctx, cancel := context.WithTimeout(r.Context(), 5*time.Second)
		defer cancel()
		if err := st.AuditAppend(ctx, store.AuditEntry{Actor: c.Actor, Action: "codec." + op, Resource: resource, Outcome: outcome}); err != nil {
			return fmt.Errorf("codec server: audit %s: %w", op, err)
		}
		return nil
	}
}

// validNamespace keeps a caller's X-Namespace out of the audit trail
// unless it looks like a Temporal namespace name.
func validNamespace(ns string) bool {
	if len(ns) > 100 {
		return false
	}
	for _, r := range ns {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_' || r == '.') {
			return false
		}
	}
	return true
}
