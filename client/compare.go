package client

import (
	"fmt"
	"strings"
)

// CompareTokens sets an Auth0 access token for a client (minted for one of its APIs) beside
// the Stytch token for the same client, for the side-by-side view: the subject must be the
// same client (Auth0 says "{id}@clients", Stytch "{id}") and every scope Auth0 granted must
// be in the Stytch token. Issuer, audience and lifetime are shown, not judged: they differ
// by design. Neither signature is checked here; CheckToken does that for the Stytch token.
func CompareTokens(source, target Secret) ([]Check, error) {
	sc, err := claimsOf(source)
	if err != nil {
		return nil, fmt.Errorf("the Auth0 token: %w", err)
	}
	tc, err := claimsOf(target)
	if err != nil {
		return nil, fmt.Errorf("the Stytch token: %w", err)
	}
	str := func(m map[string]any, k string) string { s, _ := m[k].(string); return s }

	sub := Check{Name: "sub", Expected: display(sc["sub"]), Actual: display(tc["sub"])}
	if id, ok := strings.CutSuffix(str(sc, "sub"), "@clients"); ok && id != "" && id == str(tc, "sub") {
		sub.Status = CheckPass
	} else {
		sub.Status, sub.Note = CheckFail, `Auth0's "{id}@clients" and Stytch's "{id}" should name the same client`
	}
	granted, got := SplitScopes(str(sc, "scope")), SplitScopes(str(tc, "scope"))
	scope := Check{Name: "scope", Expected: granted.String(), Actual: got.String(), Status: CheckPass}
	if missing := granted.Minus(got); len(missing) > 0 {
		scope.Status, scope.Note = CheckFail, "missing in Stytch: "+missing.String()
	}
	lifetime := func(m map[string]any) string {
		exp, okE := numericDate(m["exp"])
		iat, okI := numericDate(m["iat"])
		if !okE || !okI {
			return "(unknown)"
		}
		return lifetimeText(exp.Sub(iat))
	}
	return []Check{
		sub, scope,
		{Name: "iss", Status: CheckInfo, Expected: display(sc["iss"]), Actual: display(tc["iss"])},
		{Name: "aud", Status: CheckInfo, Expected: display(sc["aud"]), Actual: display(tc["aud"])},
		{Name: "lifetime", Status: CheckInfo, Expected: lifetime(sc), Actual: lifetime(tc)},
	}, nil
}

// claimsOf decodes a JWT's payload without verifying it.
func claimsOf(token Secret) (map[string]any, error) {
	parts, err := jwtParts(token)
	if err != nil {
		return nil, err
	}
	claims, _, err := payloadOf(parts)
	return claims, err
}
