package clustertest

import (
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"slices"
	"strconv"
)

// Postgres is a throwaway PostgreSQL cluster on a loopback port, started
// with the Debian postgresql package's initdb and pg_ctl (as the postgres
// user when running as root), so a test can restart it under load.
type Postgres struct {
	bin, dir string
	port     int
	asPG     bool
}

// ErrNoPostgres is returned when the postgresql package is not installed.
var ErrNoPostgres = errors.New("clustertest: postgresql is not installed")

// StartPostgres creates and starts a cluster (fsync off: a test's data).
func StartPostgres() (*Postgres, error) {
	bins, _ := filepath.Glob("/usr/lib/postgresql/*/bin/initdb")
	if len(bins) == 0 {
		return nil, ErrNoPostgres
	}
	slices.Sort(bins)
	pg := &Postgres{bin: filepath.Dir(bins[len(bins)-1]), asPG: os.Geteuid() == 0}
	var err error
	if pg.dir, err = os.MkdirTemp("", "vedette-pg-"); err != nil {
		return nil, err
	}
	if pg.asPG {
		u, err := user.Lookup("postgres")
		if err != nil {
			return nil, err
		}
		uid, _ := strconv.Atoi(u.Uid)
		gid, _ := strconv.Atoi(u.Gid)
		if err := os.Chown(pg.dir, uid, gid); err != nil {
			return nil, err
		}
	}
	if pg.port, err = freePort(); err != nil {
		return nil, err
	}
	if err := pg.run("initdb", "-D", pg.data(), "-U", "postgres", "-A", "trust"); err != nil {
		return nil, err
	}
	return pg, pg.Start()
}

func (pg *Postgres) data() string { return filepath.Join(pg.dir, "data") }

// DSN is the connection string of the cluster's postgres database.
func (pg *Postgres) DSN() string {
	return fmt.Sprintf("postgres://postgres@127.0.0.1:%d/postgres?sslmode=disable", pg.port)
}

// Start starts the server and waits until it accepts connections.
func (pg *Postgres) Start() error {
	return pg.run("pg_ctl", "-D", pg.data(), "-l", filepath.Join(pg.dir, "log"), "-w", "-o",
		fmt.Sprintf("-c listen_addresses=127.0.0.1 -p %d -k %s -c fsync=off -c max_connections=200", pg.port, pg.dir), "start")
}

// Stop stops the server, disconnecting every client at once.
func (pg *Postgres) Stop() error {
	return pg.run("pg_ctl", "-D", pg.data(), "-m", "fast", "-w", "stop")
}

// Restart stops and starts the server: every open connection breaks.
func (pg *Postgres) Restart() error {
	if err := pg.Stop(); err != nil {
		return err
	}
	return pg.Start()
}

// Remove stops the server and deletes the cluster.
func (pg *Postgres) Remove() error {
	err := pg.Stop()
	return errors.Join(err, os.RemoveAll(pg.dir))
}

func (pg *Postgres) run(name string, args ...string) error {
	path := filepath.Join(pg.bin, name)
	cmd := exec.Command(path, args...)
	if pg.asPG {
		cmd = exec.Command("runuser", append([]string{"-u", "postgres", "--", path}, args...)...)
	}
	if out, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("clustertest: %s: %w\n%s", name, err, out)
	}
	return nil
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}
