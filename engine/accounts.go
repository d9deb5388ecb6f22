package engine

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"fmt"
	"net/mail"
	"strings"

	"golang.org/x/crypto/argon2"

	"github.com/carepath/carepath"
	"github.com/carepath/carepath/store"
)

// MinPasswordLength is the shortest password an account may have.
const MinPasswordLength = 12

// MinBootstrapPasswordLength is the floor for the first admin's password,
// which the operator sets in CAREPATH_BOOTSTRAP_ADMIN_PASSWORD: NIST SP
// 800-63B's minimum, so a deployment's chosen secret is not refused at
// start; everyone created later meets MinPasswordLength.
const MinBootstrapPasswordLength = 8

// argon2id parameters (RFC 9106's second recommended option, 64 MiB). They
// are written into each hash, so raising them later keeps old hashes valid.
const (
	argonTime    = 3
	argonMemory  = 64 * 1024
	argonThreads = 2
	argonKeyLen  = 32
)

// hashPassword returns a PHC-style argon2id hash with a random 16-byte salt.
func hashPassword(pw string) (string, error) {
	salt := make([]byte, 16)
	if _, err := rand.Read(salt); err != nil {
		return "", fmt.Errorf("password salt: %w", err)
	}
	key := argon2.IDKey([]byte(pw), salt, argonTime, argonMemory, argonThreads, argonKeyLen)
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version, argonMemory, argonTime, argonThreads,
		base64.RawStdEncoding.EncodeToString(salt), base64.RawStdEncoding.EncodeToString(key)), nil
}

// checkPassword compares pw with an encoded hash in constant time.
func checkPassword(encoded, pw string) bool {
	parts := strings.Split(encoded, "$")
	if len(parts) != 6 || parts[1] != "argon2id" {
		return false
	}
	var version int
	var m uint32
	var t uint32
	var p uint8
	if _, err := fmt.Sscanf(parts[2], "v=%d", &version); err != nil || version != argon2.Version {
		return false
	}
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &m, &t, &p); err != nil {
		return false
	}
	salt, err := base64.RawStdEncoding.DecodeString(parts[4])
	if err != nil {
		return false
	}
	want, err := base64.RawStdEncoding.DecodeString(parts[5])
	if err != nil || len(want) == 0 {
		return false
	}
	got := argon2.IDKey([]byte(pw), salt, t, m, p, uint32(len(want)))
	return subtle.ConstantTimeCompare(got, want) == 1
}

// NewUser is an account to create.
type NewUser struct {
	Email    string        `json:"email"`
	Name     string        `json:"name"`
	Role     carepath.Role `json:"role"`
	Password string        `json:"password"`
}

// UserPatch changes an account: nil fields stay. A new password also clears
// a lockout; deactivating ends the user's sessions.
type UserPatch struct {
	Role     *carepath.Role `json:"role"`
	Active   *bool          `json:"active"`
	Password *string        `json:"password"`
}

func validPassword(pw string, minLength int) error {
	if len([]rune(pw)) < minLength {
		return carepath.Invalid("password", "must be at least %d characters", minLength)
	}
	if len(pw) > 1024 {
		return carepath.Invalid("password", "must be at most 1024 bytes")
	}
	return nil
}

func validUserRole(r carepath.Role) error {
	if !r.ValidUserRole() {
		return carepath.Invalid("role", "must be one of: admin, care_team, read_only")
	}
	return nil
}

// CreateUser creates an account.
func (e *Engine) CreateUser(ctx context.Context, a carepath.Actor, in NewUser) (store.User, error) {
	return e.createUser(ctx, a, in, MinPasswordLength)
}

func (e *Engine) createUser(ctx context.Context, a carepath.Actor, in NewUser, minPassword int) (store.User, error) {
	in.Email = strings.TrimSpace(in.Email)
	in.Name = strings.TrimSpace(in.Name)
	if addr, err := mail.ParseAddress(in.Email); err != nil || addr.Address != in.Email || len(in.Email) > 254 {
		return store.User{}, carepath.Invalid("email", "must be an email address")
	}
	if in.Name == "" || len(in.Name) > 100 {
		return store.User{}, carepath.Invalid("name", "is required (at most 100 characters)")
	}
	if err := validUserRole(in.Role); err != nil {
		return store.User{}, err
	}
	if err := validPassword(in.Password, minPassword); err != nil {
		return store.User{}, err
	}
	hash, err := hashPassword(in.Password)
	if err != nil {
		return store.User{}, err
	}
	var u store.User
	err = e.Store.Tx(ctx, func(q *store.Queries) error {
		if u, err = q.UserInsert(ctx, in.Email, in.Name, in.Role, hash); err != nil {
			return err
		}
		return audit(ctx, q, a, "user.create", "", "user/"+u.ID)
	})
	return u, err
}

// ListUsers lists accounts, never their hashes.
func (e *Engine) ListUsers(ctx context.Context, limit int) ([]store.User, error) {
	return e.Store.UserList(ctx, limit)
}

// UpdateUser changes an account's role, active flag or password.
func (e *Engine) UpdateUser(ctx context.Context, a carepath.Actor, id string, in UserPatch) (store.User, error) {
	if err := validID(id, "user"); err != nil {
		return store.User{}, err
	}
	if in.Role != nil {
		if err := validUserRole(*in.Role); err != nil {
			return store.User{}, err
		}
	}
	var hash *string
	if in.Password != nil {
		if err := validPassword(*in.Password, MinPasswordLength); err != nil {
			return store.User{}, err
		}
		h, err := hashPassword(*in.Password)
		if err != nil {
			return store.User{}, err
		}
		hash = &h
	}
	var u store.User
	err := e.Store.Tx(ctx, func(q *store.Queries) error {
		var err error
		if u, err = q.UserUpdate(ctx, id, in.Role, in.Active, hash); err != nil {
			return err
		}
		// A deactivated user or a reset password ends every open session.
		if !u.Active || hash != nil {
			if err := q.SessionDeleteForUser(ctx, id); err != nil {
				return err
			}
		}
		return audit(ctx, q, a, "user.update", "", "user/"+id)
	})
	return u, err
}

// EnsureAdminUser creates an admin with this email unless a user with it
// exists. When password is empty and the user is new, one is generated and
// returned (shown once); otherwise the returned password is empty.
func (e *Engine) EnsureAdminUser(ctx context.Context, email, password string) (string, error) {
	exists, err := e.Store.UserByEmailExists(ctx, email)
	if err != nil || exists {
		return "", err
	}
	generated := ""
	if password == "" {
		b := make([]byte, 18)
		if _, err := rand.Read(b); err != nil {
			return "", fmt.Errorf("generate admin password: %w", err)
		}
		password = base64.RawURLEncoding.EncodeToString(b)
		generated = password
	}
	a := carepath.Actor{Kind: carepath.ActorSystem, ID: "bootstrap"}
	_, err = e.createUser(ctx, a, NewUser{Email: email, Name: "Administrator", Role: carepath.RoleAdmin, Password: password}, MinBootstrapPasswordLength)
	if carepath.ErrorCode(err) == carepath.ECONFLICT {
		return "", nil // another process created it first
	}
	if err != nil {
		return "", fmt.Errorf("bootstrap admin user: %w", err)
	}
	return generated, nil
}
