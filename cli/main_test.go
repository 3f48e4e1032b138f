package cli

import (
	"os"
	"testing"
)

func TestMain(m *testing.M) {
	// Help is laid out for a terminal this wide (fang reads it once per process).
	os.Setenv("__FANG_TEST_WIDTH", "60")
	os.Exit(m.Run())
}
