// Package keystoretest gives tests a keystore.Store on the real OS keyring that never touches
// an operator's saved credentials, and a way to check that no secret was written to a file.
// It imports keystore and the testing package; only tests import it.
package keystoretest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/m2mport/m2mport/keystore"
)

// Recipe runs the tests against a real Secret Service on a headless Linux machine: a private
// session bus and a gnome-keyring unlocked with a throwaway password, keeping its files in a
// temporary directory. It is what .ci/run does.
const Recipe = `XDG_DATA_HOME=$(mktemp -d) dbus-run-session -- sh -c 'echo -n pass | gnome-keyring-daemon --unlock --components=secrets >/dev/null; go test ./...'`

// RequireEnv, set to 1, makes Real fail instead of skip when there is no usable keyring. CI
// sets it so that a broken keyring setup can't pass by skipping.
const RequireEnv = "M2MPORT_REQUIRE_KEYRING"

// Keyring is a Store on the OS keyring under a service name of its own.
type Keyring struct {
	keystore.Store
	Service string // the keyring service its entries are under
}

// Real returns a Store on the OS keyring under a fresh service name, with every entry under it
// deleted when the test ends. Without a usable keyring it skips the test and says how to get
// one, or fails it when M2MPORT_REQUIRE_KEYRING=1.
func Real(t testing.TB) Keyring {
	t.Helper()
	var b [6]byte
	_, _ = rand.Read(b[:])
	service := "m2mport-test-" + hex.EncodeToString(b[:])
	s, err := keystore.Open(func(k string) string {
		if k == "M2MPORT_KEYRING_SERVICE" {
			return service
		}
		return os.Getenv(k)
	})
	if err == nil {
		err = s.Check(context.Background())
	}
	if err != nil {
		if os.Getenv(RequireEnv) == "1" {
			t.Fatalf("%s=1 but the OS keyring can't be used: %v\n%s", RequireEnv, err, keystore.Hint(err))
		}
		t.Skipf("no usable OS keyring (%v). On Linux, run the tests inside a Secret Service session:\n  %s", err, Recipe)
	}
	t.Cleanup(func() {
		if err := s.ForgetAll(context.Background()); err != nil {
			t.Errorf("clean up the test keyring service %s: %v", service, err)
		}
	})
	return Keyring{Store: s, Service: service}
}

// IsolateFiles points every place a program might write a file (HOME, the XDG folders,
// TMPDIR, the working directory) at a fresh directory, and returns it: for asserting that
// nothing was written in plain text (AssertNoFileContains).
func IsolateFiles(t *testing.T) string {
	t.Helper()
	root := t.TempDir()
	for _, v := range []string{"HOME", "XDG_CONFIG_HOME", "XDG_STATE_HOME", "XDG_DATA_HOME", "XDG_CACHE_HOME", "TMPDIR"} {
		dir := filepath.Join(root, strings.ToLower(v))
		if err := os.Mkdir(dir, 0o700); err != nil {
			t.Fatal(err)
		}
		t.Setenv(v, dir)
	}
	wd := filepath.Join(root, "wd")
	if err := os.Mkdir(wd, 0o700); err != nil {
		t.Fatal(err)
	}
	t.Chdir(wd)
	return root
}

// AssertNoFileContains fails t for every file under root that holds secret, and returns how
// many files it read (none when root does not exist).
func AssertNoFileContains(t *testing.T, root, secret string) (files int) {
	t.Helper()
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if errors.Is(err, fs.ErrNotExist) {
			return nil
		}
		if err != nil || d.IsDir() {
			return err
		}
		files++
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		if strings.Contains(string(b), secret) {
			t.Errorf("%s holds the secret in plain text", path)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return files
}
