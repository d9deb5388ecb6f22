package embedded

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/jackc/pgx/v5"
)

// PostgresOptions says where and how to run a private cluster.
type PostgresOptions struct {
	Dir      string // cluster directory; created and initialised if empty
	Port     int    // 0 picks a free port
	Database string // created if missing
	// Ephemeral trades durability for speed (fsync off): for tests only.
	Ephemeral bool
	// Log receives one-line notices (e.g. permissions changed); may be nil.
	Log func(format string, args ...any)
}

// Postgres is a running private cluster.
type Postgres struct {
	URL  string // postgres:// URL of the database
	proc *process
	// What Restart needs to start the same cluster again.
	cmd     func() *exec.Cmd
	name    string
	logPath string
	cred    *syscall.Credential
	ready   func(ctx context.Context) error
}

const pgUser = "carepath"

// StartPostgres initialises (once) and starts a private cluster with the
// machine's PostgreSQL binaries. PostgreSQL refuses to run as root, so when
// carepath runs as root the cluster is owned by and run as the unprivileged
// "postgres" user (or "nobody"). The system cluster is never touched: the
// cluster listens only on 127.0.0.1, on its own port, with no Unix socket.
func StartPostgres(ctx context.Context, o PostgresOptions) (*Postgres, error) {
	logf := o.Log
	if logf == nil {
		logf = func(string, ...any) {}
	}
	bin, err := postgresBinDir()
	if err != nil {
		return nil, err
	}
	cred, owner, err := unprivilegedCredential()
	if err != nil {
		return nil, err
	}
	if err := os.MkdirAll(o.Dir, 0o700); err != nil {
		return nil, fmt.Errorf("create postgres dir: %w", err)
	}
	parent := filepath.Dir(o.Dir)
	passwordFile := filepath.Join(parent, "postgres.password")
	logPath := filepath.Join(parent, "postgres.log")
	if cred != nil {
		if err := chownTree(o.Dir, int(cred.Uid), int(cred.Gid)); err != nil {
			return nil, err
		}
		if err := ensureTraversable(o.Dir, logf); err != nil {
			return nil, err
		}
	}
	password, err := ensurePassword(passwordFile)
	if err != nil {
		return nil, err
	}
	if _, err := os.Stat(filepath.Join(o.Dir, "PG_VERSION")); errors.Is(err, fs.ErrNotExist) {
		if err := initdb(bin, o.Dir, password, cred, logPath); err != nil {
			return nil, err
		}
	}
	port := o.Port
	if port == 0 {
		if port, err = FreePort(); err != nil {
			return nil, err
		}
	}
	args := []string{"-D", o.Dir,
		"-c", "listen_addresses=127.0.0.1",
		"-c", "port=" + strconv.Itoa(port),
		"-c", "unix_socket_directories=",
		"-c", "max_connections=200",
	}
	if o.Ephemeral {
		args = append(args, "-c", "fsync=off", "-c", "synchronous_commit=off", "-c", "full_page_writes=off")
	}
	base := fmt.Sprintf("postgres://%s:%s@127.0.0.1:%d/", pgUser, url.QueryEscape(password), port)
	pg := &Postgres{URL: base + o.Database + "?sslmode=disable",
		cmd:  func() *exec.Cmd { return exec.Command(filepath.Join(bin, "postgres"), args...) },
		name: "postgres (" + owner + ")", logPath: logPath, cred: cred,
		ready: func(ctx context.Context) error {
			c, err := pgx.Connect(ctx, base+"postgres?sslmode=disable&connect_timeout=2")
			if err != nil {
				return err
			}
			return c.Close(ctx)
		}}
	if err := pg.start(ctx); err != nil {
		return nil, err
	}
	if err := createDatabase(ctx, base+"postgres?sslmode=disable", o.Database); err != nil {
		return nil, errors.Join(err, pg.Stop())
	}
	return pg, nil
}

// start runs the postmaster and waits until it accepts connections.
func (p *Postgres) start(ctx context.Context) error {
	// The log file is opened by us (root may own it); postgres only writes to our pipe.
	proc, err := startProcess(p.name, p.cmd(), p.logPath, p.cred)
	if err != nil {
		return err
	}
	if err := waitFor(proc, 60*time.Second, p.logPath, func() error { return p.ready(ctx) }); err != nil {
		return errors.Join(err, proc.kill())
	}
	p.proc = proc
	return nil
}

// Stop asks for a fast shutdown (abort open transactions, checkpoint, exit).
func (p *Postgres) Stop() error { return p.proc.stop(syscall.SIGINT, 30*time.Second) }

// Kill crashes the cluster: SIGKILL to the postmaster and every backend at
// once, as a machine losing power would. Restart recovers it from its WAL.
func (p *Postgres) Kill() error { return p.proc.kill() }

// Restart starts the cluster again on the same directory and port, after
// a fast shutdown if it is still running (Stop or Kill first to keep it
// down for a while). The URL does not change.
func (p *Postgres) Restart(ctx context.Context) error {
	if err := p.Stop(); err != nil {
		return err
	}
	return p.start(ctx)
}

func initdb(bin, dir, password string, cred *syscall.Credential, logPath string) (err error) {
	// initdb needs an empty directory, so the password goes to a private
	// temporary file readable only by the cluster owner.
	pw, err := os.CreateTemp("", "carepath-initdb-*")
	if err != nil {
		return fmt.Errorf("create initdb password file: %w", err)
	}
	defer func() {
		// The file holds the superuser password: not removing it is an error.
		if rerr := os.Remove(pw.Name()); rerr != nil {
			err = errors.Join(err, fmt.Errorf("remove initdb password file: %w", rerr))
		}
	}()
	_, werr := pw.WriteString(password + "\n")
	if cerr := pw.Close(); werr != nil || cerr != nil {
		return fmt.Errorf("write initdb password file: %w", errors.Join(werr, cerr))
	}
	if cred != nil {
		if err := os.Chown(pw.Name(), int(cred.Uid), int(cred.Gid)); err != nil {
			return fmt.Errorf("chown initdb password file: %w", err)
		}
	}
	cmd := exec.Command(filepath.Join(bin, "initdb"),
		"-D", dir, "-U", pgUser, "--pwfile", pw.Name(), "--auth=scram-sha-256",
		"-E", "UTF8", "--locale=C", "--no-sync")
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: cred}
	if out, err := cmd.CombinedOutput(); err != nil {
		if werr := os.WriteFile(logPath, out, 0o600); werr != nil {
			return fmt.Errorf("initdb failed (%v) and its output could not be logged (%v): %s", err, werr, out)
		}
		return fmt.Errorf("initdb failed (%v); see %s", err, logPath)
	}
	return nil
}

func createDatabase(ctx context.Context, adminURL, name string) (err error) {
	c, err := pgx.Connect(ctx, adminURL)
	if err != nil {
		return fmt.Errorf("connect to private cluster: %w", err)
	}
	defer func() { err = errors.Join(err, c.Close(ctx)) }()
	var exists bool
	if err := c.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)`, name).Scan(&exists); err != nil {
		return fmt.Errorf("check database: %w", err)
	}
	if exists {
		return nil
	}
	if _, err := c.Exec(ctx, "CREATE DATABASE "+pgx.Identifier{name}.Sanitize()); err != nil {
		return fmt.Errorf("create database: %w", err)
	}
	return nil
}

func ensurePassword(path string) (string, error) {
	b, err := os.ReadFile(path)
	if err == nil {
		return strings.TrimSpace(string(b)), nil
	}
	if !errors.Is(err, fs.ErrNotExist) {
		return "", fmt.Errorf("read postgres password: %w", err)
	}
	raw := make([]byte, 18)
	if _, err := rand.Read(raw); err != nil {
		return "", fmt.Errorf("generate postgres password: %w", err)
	}
	pw := hex.EncodeToString(raw)
	if err := os.WriteFile(path, []byte(pw+"\n"), 0o600); err != nil {
		return "", fmt.Errorf("write postgres password: %w", err)
	}
	return pw, nil
}

// postgresBinDir finds the directory holding initdb and postgres:
// CAREPATH_PG_BIN, then pg_config --bindir, then the newest
// /usr/lib/postgresql/*/bin (Debian keeps the server binaries off PATH).
func postgresBinDir() (string, error) {
	var candidates []string
	if d := os.Getenv("CAREPATH_PG_BIN"); d != "" {
		candidates = append(candidates, d)
	}
	if out, err := exec.Command("pg_config", "--bindir").Output(); err == nil {
		candidates = append(candidates, strings.TrimSpace(string(out)))
	}
	versions, _ := filepath.Glob("/usr/lib/postgresql/*/bin") // fails only on a malformed pattern
	sort.Slice(versions, func(i, j int) bool { return pgMajor(versions[i]) > pgMajor(versions[j]) })
	candidates = append(candidates, versions...)
	if p, err := exec.LookPath("initdb"); err == nil {
		candidates = append(candidates, filepath.Dir(p))
	}
	for _, d := range candidates {
		if isExecutable(filepath.Join(d, "initdb")) && isExecutable(filepath.Join(d, "postgres")) {
			return d, nil
		}
	}
	return "", errors.New("PostgreSQL server binaries (initdb, postgres) not found: install them " +
		"(Debian/Ubuntu: apt-get install postgresql; macOS: brew install postgresql@15), " +
		"set CAREPATH_PG_BIN to their directory, or set DATABASE_URL to an existing database")
}

// pgMajor is the major version a Debian-style bin directory is under; a
// directory not named for one is 0 and sorts last.
func pgMajor(binDir string) int {
	n, _ := strconv.Atoi(filepath.Base(filepath.Dir(binDir)))
	return n
}

func isExecutable(p string) bool {
	st, err := os.Stat(p)
	return err == nil && !st.IsDir() && st.Mode()&0o111 != 0
}

// unprivilegedCredential returns nil when not root; as root, the credential
// of the "postgres" user (or "nobody") that the cluster runs as.
func unprivilegedCredential() (*syscall.Credential, string, error) {
	if os.Geteuid() != 0 {
		return nil, "current user", nil
	}
	for _, name := range []string{"postgres", "nobody"} {
		u, err := user.Lookup(name)
		if err != nil {
			continue
		}
		uid, err1 := strconv.Atoi(u.Uid)
		gid, err2 := strconv.Atoi(u.Gid)
		if err1 != nil || err2 != nil {
			continue
		}
		return &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid)}, name, nil
	}
	return nil, "", errors.New("running as root, and PostgreSQL refuses to: create a 'postgres' user " +
		"(apt-get install postgresql does), run carepath as another user, or set DATABASE_URL")
}

func chownTree(dir string, uid, gid int) error {
	return filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if err := os.Lchown(p, uid, gid); err != nil {
			return fmt.Errorf("chown %s: %w", p, err)
		}
		return nil
	})
}

// ensureTraversable gives "others" the search (x) bit on each ancestor of
// dir that lacks it, so the unprivileged cluster owner can reach its own
// directory. Only traversal is granted: nobody can list those directories.
func ensureTraversable(dir string, logf func(string, ...any)) error {
	for d := filepath.Dir(dir); ; d = filepath.Dir(d) {
		st, err := os.Stat(d)
		if err != nil {
			return fmt.Errorf("stat %s: %w", d, err)
		}
		if st.Mode().Perm()&0o001 == 0 {
			if err := os.Chmod(d, st.Mode().Perm()|0o001); err != nil {
				return fmt.Errorf("let the postgres user traverse %s: %w", d, err)
			}
			logf("granted search permission (o+x) on %s so the unprivileged PostgreSQL user can reach its data", d)
		}
		if d == filepath.Dir(d) {
			return nil
		}
	}
}
