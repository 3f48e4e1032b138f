package tui

import (
	"fmt"
	"unicode/utf8"

	"github.com/m2mport/m2mport/client"
)

// What the operator types is checked as it is typed, with the rules the planner applies
// (client's limits, the one place Stytch's assumed limits live), so a bad value is caught
// here rather than as a blocked client or a failed import.

func errText(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}

func scopeProblem(s string) string { return errText(client.CheckScope(s)) }

// parseScopeText reads scopes typed as text, separated by any runs of whitespace, as a
// file source's scopes column is read.
func parseScopeText(text string) (client.Scopes, string) {
	set, err := client.ParseScopes(text)
	return set, errText(err)
}

func lengthProblem(what, s string, limit int) string {
	if n := utf8.RuneCountInString(s); n > limit {
		return fmt.Sprintf("%s is %d characters long; Stytch takes at most %d", what, n, limit)
	}
	return ""
}

func clientIDProblem(id string) string { return errText(client.CheckClientID(id)) }

func secretProblem(s string) string {
	if b := client.CheckSecret(client.NewSecret(s)); b != nil {
		return b.Message
	}
	return ""
}
