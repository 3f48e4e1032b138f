package stytch

import (
	"net"
	"net/url"

	"github.com/m2mport/m2mport/client"
)

// What a service that trusts this project verifies, for the cutover analysis.

// KeySetURL is where the project's signing keys are: the JWKS path of its vertical, once
// known (Connect finds it); "" before.
func (t *Target) KeySetURL() string {
	v := t.Vertical()
	if v == client.VerticalUnknown {
		return ""
	}
	return t.api.BaseURL() + jwksPath(v, t.projectID)
}

// Issuer is the `iss` the project's tokens carry: stytch.com/{project_id}, or with a custom
// domain (a base URL that is neither Stytch's own nor loopback, as the sandbox is) the base
// URL (spec §5).
func (t *Target) Issuer() string {
	base := t.api.BaseURL()
	if base == testBaseURL || base == liveBaseURL {
		return "stytch.com/" + t.projectID
	}
	if u, err := url.Parse(base); err == nil {
		if ip := net.ParseIP(u.Hostname()); (ip != nil && ip.IsLoopback()) || u.Hostname() == "localhost" {
			return "stytch.com/" + t.projectID
		}
	}
	return base
}
