package leaktest

import (
	"fmt"
	"net"
	"net/http"
	"testing"
)

// RawServer listens on a loopback port until the test ends and hands each connection to
// serve, in a goroutine of its own, to answer by hand: what Go's own server would never send
// (a header line made of the request's body, say), a hostile or broken server may. It
// returns the server's URL.
func RawServer(t testing.TB, serve func(conn net.Conn)) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			conn, err := ln.Accept()
			if err != nil {
				return
			}
			go serve(conn)
		}
	}()
	return "http://" + ln.Addr().String()
}

// Answer is a whole HTTP/1.1 answer with that status, content type and body, after which
// the server closes the connection.
func Answer(status int, contentType, body string) string {
	return fmt.Sprintf("HTTP/1.1 %d %s\r\nContent-Type: %s\r\nContent-Length: %d\r\nConnection: close\r\n\r\n%s",
		status, http.StatusText(status), contentType, len(body), body)
}
