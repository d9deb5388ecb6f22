package engine

import (
	"context"
	"io"
	"log/slog"
	"strings"
	"testing"

	"github.com/carepath/carepath"
	"github.com/carepath/carepath/internal/testenv"
	"github.com/carepath/carepath/store"
)

func TestPasswordHashIsSaltedArgon2id(t *testing.T) {
	a, err := hashPassword("correct horse battery")
	if err != nil {
		t.Fatal(err)
	}
	b, err := hashPassword("correct horse battery")
	if err != nil {
		t.Fatal(err)
	}
	if a == b || !strings.HasPrefix(a, "$argon2id$v=19$m=65536,t=3,p=2$") {
		t.Fatalf("hashes must be argon2id with a fresh salt each: %s %s", a, b)
	}
	if !checkPassword(a, "correct horse battery") || checkPassword(a, "correct horse batterY") || checkPassword("garbage", "x") {
		t.Fatal("checkPassword accepts the wrong thing or refuses the right one")
	}
}

// The bootstrap admin is created once: with the given password, or with a
// generated one returned once; a second start changes nothing.
func TestEnsureAdminUser(t *testing.T) {
	ctx := context.Background()
	st, err := store.Open(ctx, testenv.Database(t))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(st.Close)
	e := &Engine{Store: st, Log: slog.New(slog.NewTextHandler(io.Discard, nil))}
	pw, err := e.EnsureAdminUser(ctx, "Boot@Example.org", "")
	if err != nil || len(pw) < MinPasswordLength {
		t.Fatalf("generated password: %q %v", pw, err)
	}
	s, err := e.SignIn(ctx, "boot@example.org", pw, "r1")
	if err != nil || s.User.Role != carepath.RoleAdmin {
		t.Fatalf("sign in with the generated password: %+v %v", s.User, err)
	}
	again, err := e.EnsureAdminUser(ctx, "boot@EXAMPLE.org", "")
	if err != nil || again != "" {
		t.Fatalf("second start: %q %v", again, err)
	}
	if _, err := e.SignIn(ctx, "boot@example.org", pw, "r2"); err != nil {
		t.Fatalf("the password must survive a restart: %v", err)
	}
	given, err := e.EnsureAdminUser(ctx, "given@example.org", "a chosen password")
	if err != nil || given != "" {
		t.Fatalf("given password: %q %v", given, err)
	}
	if _, err := e.SignIn(ctx, "given@example.org", "a chosen password", "r3"); err != nil {
		t.Fatalf("sign in with the given password: %v", err)
	}
	// The operator's chosen secret may be as short as NIST's floor; a person
	// created later may not.
	if _, err := e.EnsureAdminUser(ctx, "short@example.org", "Admin123"); err != nil {
		t.Fatalf("an 8-character bootstrap password: %v", err)
	}
	if _, err := e.SignIn(ctx, "short@example.org", "Admin123", "r4"); err != nil {
		t.Fatalf("sign in with the short bootstrap password: %v", err)
	}
	_, err = e.CreateUser(ctx, carepath.Actor{Kind: carepath.ActorSystem, ID: "test"}, NewUser{Email: "later@example.org", Name: "Later", Role: carepath.RoleCareTeam, Password: "Admin123"})
	if carepath.ErrorCode(err) != carepath.EINVALID {
		t.Fatalf("a later account with an 8-character password: %v", err)
	}
}
