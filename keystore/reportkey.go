package keystore

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"

	"github.com/m2mport/m2mport/client"
)

// reportKeyAccount is the keyring entry of the report key: not a credential, but the secret
// that makes a run report's authentication codes (client/journal.go) unforgeable.
const reportKeyAccount = "report-key"

// ReportKey returns the key that authenticates run reports, kept in the OS keyring as the
// entry "report-key" and made (32 random bytes) on first use. An in-memory store has none:
// a key that died with the session would authenticate reports nobody could check later, so
// that is ErrUnavailable, and the run writes a report without authentication codes.
//
// Removing the entry (`m2mport logout --all` removes every m2mport entry) makes the reports
// written before unverifiable: undo then needs to be told to trust them.
func ReportKey(ctx context.Context, s Store) ([]byte, error) {
	st, ok := s.(*store)
	if !ok {
		return nil, &Error{Op: "read the report key", Kind: ErrUnavailable, Hint: "Run reports can be authenticated only with the OS keyring."}
	}
	if _, mem := st.b.(*memory); mem {
		return nil, &Error{Op: "read the report key", Kind: ErrUnavailable, Hint: "Run reports can be authenticated only with the OS keyring; this session keeps credentials in memory."}
	}
	v, err := st.b.get(ctx, reportKeyAccount)
	if errors.Is(err, ErrNotFound) {
		key := make([]byte, client.ReportKeySize)
		_, _ = rand.Read(key) // never fails (crypto/rand)
		if err := st.b.set(ctx, reportKeyAccount, base64.StdEncoding.EncodeToString(key)); err != nil {
			return nil, err
		}
		// Read it back: of two runs that made a key at once, both use the one that stayed.
		v, err = st.b.get(ctx, reportKeyAccount)
	}
	if err != nil {
		return nil, err
	}
	key, derr := base64.StdEncoding.DecodeString(v)
	if derr != nil || len(key) != client.ReportKeySize {
		return nil, &Error{Op: "read the report key", Kind: ErrUnavailable, Err: fmt.Errorf("the keyring entry %q is not a report key", reportKeyAccount),
			Hint: fmt.Sprintf("Something else wrote the keyring entry %q of the service %s: delete it (a new key is made on the next run; reports written before then need undo --unauthenticated).", reportKeyAccount, Service)}
	}
	return key, nil
}

// HasReportKey says whether the OS keyring holds a report key, without making one: removing
// it makes the reports written so far unverifiable, which whoever removes it must be told.
func HasReportKey(ctx context.Context, s Store) bool {
	st, ok := s.(*store)
	if !ok {
		return false
	}
	// An entry that can't be read is there all the same, and goes with the rest.
	_, err := st.b.get(ctx, reportKeyAccount)
	return !errors.Is(err, ErrNotFound)
}
