// Command m2mport moves machine-to-machine OAuth clients from an Auth0 tenant into a Stytch
// project with the same client_id, client_secret and scopes, then proves each one works.
//
// main only hands the process over to package cli, which owns subcommands and wiring, so
// that every command can be tested in-process.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"

	"github.com/m2mport/m2mport/cli"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := cli.Run(ctx, os.Args[1:], cli.Stdio{In: os.Stdin, Out: os.Stdout, Err: os.Stderr})
	stop()
	os.Exit(code)
}
