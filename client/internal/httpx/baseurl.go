package httpx

import (
	"errors"
	"fmt"
	"net"
	"net/url"
	"strings"
)

// ParseBaseURL turns what an operator typed into a base URL without a trailing slash. A bare
// host ("acme.us.auth0.com") means https. A URL must use https, or plain http to a loopback
// host (127.0.0.0/8, ::1, localhost): the sandbox. Credentials, queries and fragments in the
// URL are refused, so nothing secret can ride along in a URL that ends up in a message.
func ParseBaseURL(raw string) (string, error) {
	raw = strings.TrimSpace(raw)
	if raw == "" {
		return "", errors.New("no address given")
	}
	if !strings.Contains(raw, "://") {
		raw = "https://" + raw
	}
	u, err := url.Parse(raw)
	if err != nil {
		// url.Parse quotes the whole input, which may hold a password: say less.
		return "", errors.New("not a valid address: expected a domain such as acme.us.auth0.com or an https:// URL")
	}
	if u.User != nil {
		return "", fmt.Errorf("%s: the address must not contain a user name or password; pass credentials separately", u.Host)
	}
	if u.Host == "" || u.Hostname() == "" {
		return "", fmt.Errorf("%q has no host", u.Redacted())
	}
	if u.RawQuery != "" || u.Fragment != "" || u.ForceQuery {
		return "", fmt.Errorf("%s: the address must not contain a query or fragment", u.Host)
	}
	switch strings.ToLower(u.Scheme) {
	case "https":
	case "http":
		if !IsLoopback(u.Hostname()) {
			return "", fmt.Errorf("%s: plain http is allowed only to this machine (localhost, 127.0.0.1, ::1); use https://%s", u.Host, u.Host)
		}
	default:
		return "", fmt.Errorf("%s: unsupported scheme %q; use https://", u.Host, u.Scheme)
	}
	u.Scheme = strings.ToLower(u.Scheme)
	u.Host = strings.ToLower(u.Host)
	u.Path = strings.TrimRight(u.Path, "/")
	u.RawPath = ""
	return u.String(), nil
}

// IsLoopback reports whether host (a name or an address, without port) is this machine.
func IsLoopback(host string) bool {
	host = strings.TrimSuffix(strings.ToLower(host), ".")
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(strings.Trim(host, "[]"))
	return ip != nil && ip.IsLoopback()
}
