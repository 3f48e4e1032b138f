// Package httpx is the one HTTP policy that m2mport's API packages (client/auth0 and
// client/stytch) share, so that both talk to the network the same way:
//
//   - base URLs are https, or plain http to this machine only; TLS verification is never off
//     and redirects are not followed (they would carry credentials to another place);
//   - every request carries `User-Agent: m2mport/<version>` and has a per-attempt timeout;
//   - idempotent requests are retried on 429, 5xx, timeouts and dropped connections with
//     exponential backoff and jitter, honouring Retry-After (seconds or HTTP date) and
//     x-ratelimit-reset (epoch seconds), under a cap on attempts and on total waiting — by
//     client.Retry, the one retry loop, which the import engine uses too;
//   - when an answer says x-ratelimit-remaining: 0, the next call waits for the reset instead
//     of drawing a 429;
//   - non-idempotent requests (creates) are sent once: an answer that never came back after
//     the request was written is reported as client.ErrNoAnswer, for the engine to resolve;
//   - the context's client.Pacer is asked before every attempt and told every answer, and
//     every wait is reported through client.ReportWait (and an optional callback);
//   - bodies are capped; HTML, empty or truncated answers become a *client.APIError naming
//     the status, the path and a short sanitized snippet, never a JSON decode message;
//   - no error ever carries a header, a secret or a token: whatever an answer or the
//     transport's own error quotes of the server's bytes goes through client.Scrub, which
//     knows every secret m2mport holds and the values the request sends, in every encoding a
//     server might echo them in.
//
// httpx imports the standard library and package client (for APIError, ErrNoAnswer, Wait and
// Pacer) only. It must not import client/auth0, client/stytch, client/sandbox, tui, keystore
// or themes.
package httpx
