package keystore

import (
	"context"
	"errors"
	"fmt"
	"os/exec"
	"runtime"
	"time"

	"github.com/m2mport/m2mport/client"
	"github.com/zalando/go-keyring"
)

// DefaultTimeout bounds one keyring call. A Secret Service that waits for an unlock prompt
// nobody will answer (or a wedged daemon) would otherwise hang m2mport forever.
const DefaultTimeout = 5 * time.Second

// Size limits, checked before writing so that a set that fits on the machine that saved it
// fits everywhere, and the operator gets ErrTooBig instead of a platform's cryptic refusal:
//
//   - a value (one set's JSON) of at most 2560 bytes: Windows' CRED_MAX_CREDENTIAL_BLOB_SIZE,
//     the smallest of the three (go-keyring enforces it on Windows too);
//   - an account name of at most 256 bytes: with a value at its limit, base64-encoded by
//     go-keyring (3434 bytes with its prefix), this keeps the line go-keyring feeds to macOS's
//     `security -i` under the 4096 bytes it accepts.
//
// The Secret Service has no hard limit.
const (
	maxValueBytes   = 2560
	maxAccountBytes = 256
)

// platformKeyring names the OS keyring and unavailableHint says what to do when it can't
// be used.
var platformKeyring, unavailableHint = func() (string, string) {
	const orEnv = "or pass the credentials in environment variables (`m2mport status` lists them)."
	switch runtime.GOOS {
	case "darwin":
		return "macOS Keychain", "Unlock the login keychain (`security unlock-keychain`), " + orEnv
	case "windows":
		return "Windows Credential Manager", "Check that Credential Manager is available to this user, " + orEnv
	}
	return "Secret Service", "No usable Secret Service (a headless machine or WSL?): install gnome-keyring and run m2mport inside `dbus-run-session` with the keyring unlocked (see \"Credentials\" in the README: https://github.com/m2mport/m2mport#credentials), " + orEnv
}()

// goKeyring calls go-keyring's package functions, so that keyring.MockInit in tests applies.
type goKeyring struct{}

func (goKeyring) Set(service, user, password string) error {
	return keyring.Set(service, user, password)
}
func (goKeyring) Get(service, user string) (string, error) { return keyring.Get(service, user) }
func (goKeyring) Delete(service, user string) error        { return keyring.Delete(service, user) }
func (goKeyring) DeleteAll(service string) error           { return keyring.DeleteAll(service) }

// osKeyring is the backend of Open: go-keyring under a timeout, with typed errors.
type osKeyring struct {
	kr      keyring.Keyring
	service string
	timeout time.Duration
}

func (k *osKeyring) get(ctx context.Context, account string) (string, error) {
	v, err := within(ctx, k.timeout, func() (string, error) { return k.kr.Get(k.service, account) })
	if err != nil {
		return "", k.fail("load "+account, err)
	}
	return v, nil
}

func (k *osKeyring) set(ctx context.Context, account, value string) error {
	op := "save " + account
	if len(account) > maxAccountBytes {
		return &Error{Op: op, Kind: ErrTooBig, Hint: fmt.Sprintf("The entry's name is %d bytes and the keyring takes at most %d: check the domain or project id for pasted junk.", len(account), maxAccountBytes)}
	}
	if len(value) > maxValueBytes {
		return &Error{Op: op, Kind: ErrTooBig, Hint: fmt.Sprintf("The credential set is %d bytes and the keyring takes at most %d: check the values for pasted junk.", len(value), maxValueBytes)}
	}
	_, err := within(ctx, k.timeout, func() (struct{}, error) { return struct{}{}, k.kr.Set(k.service, account, value) })
	return k.fail(op, err)
}

func (k *osKeyring) delete(ctx context.Context, account string) error {
	_, err := within(ctx, k.timeout, func() (struct{}, error) { return struct{}{}, k.kr.Delete(k.service, account) })
	return k.fail("delete "+account, err)
}

func (k *osKeyring) deleteAll(ctx context.Context) error {
	_, err := within(ctx, k.timeout, func() (struct{}, error) { return struct{}{}, k.kr.DeleteAll(k.service) })
	return k.fail("delete every "+k.service+" entry", err)
}

// errHung is the cause of a context that ran out of the keyring's own timeout.
var errHung = errors.New("keyring call timed out")

// within runs f and gives up after timeout or when ctx ends. go-keyring calls can't be
// cancelled, so a call given up on keeps its goroutine until the keyring answers (or the
// process exits), and a write given up on may still land.
func within[T any](ctx context.Context, timeout time.Duration, f func() (T, error)) (T, error) {
	ctx, cancel := context.WithTimeoutCause(ctx, timeout, errHung)
	defer cancel()
	return client.Abandon(ctx, f)
}

// fail turns go-keyring's and within's errors into *Error values.
func (k *osKeyring) fail(op string, err error) error {
	switch {
	case err == nil:
		return nil
	case errors.Is(err, context.Canceled):
		return fmt.Errorf("keyring: %s: %w", op, err)
	case errors.Is(err, errHung), errors.Is(err, context.DeadlineExceeded):
		return &Error{Op: op, Kind: ErrTimedOut, Hint: fmt.Sprintf("The keyring did not answer within %v; it may be waiting for you to unlock it: unlock it and retry, or set M2MPORT_KEYRING_TIMEOUT=30s to wait longer.", k.timeout)}
	case errors.Is(err, keyring.ErrNotFound):
		return &Error{Op: op, Kind: ErrNotFound}
	case errors.Is(err, keyring.ErrSetDataTooBig):
		return &Error{Op: op, Kind: ErrTooBig, Err: err, Hint: "Check the values for pasted junk."}
	case errors.Is(err, keyring.ErrUnsupportedPlatform):
		return &Error{Op: op, Kind: ErrUnavailable, Err: err, Hint: "This platform has no keyring m2mport can use: pass the credentials in environment variables (`m2mport status` lists them)."}
	}
	var ee *exec.Error
	if errors.As(err, &ee) && ee.Name == "dbus-launch" {
		err = noSessionBus{err}
	}
	// Anything else means the keyring could not be used: no session bus (go-keyring's
	// fallback, dbus-launch, is missing on headless machines), no Secret Service on the bus,
	// no default collection, a dismissed unlock prompt, a locked keychain.
	return &Error{Op: op, Kind: ErrUnavailable, Err: err, Hint: unavailableHint}
}

// noSessionBus is what go-keyring's failure to run dbus-launch means: with no session bus
// address in the environment it tries to start a bus, and a headless machine has no tool
// for that either. Said plainly, since "exec: dbus-launch" names neither the keyring nor a fix.
type noSessionBus struct{ err error }

func (e noSessionBus) Error() string {
	return "there is no D-Bus session bus (DBUS_SESSION_BUS_ADDRESS is unset, and there is no dbus-launch to start one)"
}
func (e noSessionBus) Unwrap() error { return e.err }

func timeoutFrom(getenv func(string) string) (time.Duration, error) {
	v := getenv("M2MPORT_KEYRING_TIMEOUT")
	if v == "" {
		return DefaultTimeout, nil
	}
	d, err := time.ParseDuration(v)
	if err != nil || d <= 0 {
		return 0, fmt.Errorf("M2MPORT_KEYRING_TIMEOUT=%q: want a positive duration such as 10s or 1m", v)
	}
	return d, nil
}
