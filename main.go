// Command m2mport moves machine-to-machine OAuth clients from an Auth0 tenant into a Stytch
// project with the same client_id, client_secret and scopes, then proves each one works.
//
// main only hands the process over to package cli, which owns subcommands and wiring, so
// that every command can be tested in-process.
package main

import (
	"context"
	"fmt"
	"log"
	"os"
	"os/signal"
	"syscall"

	"github.com/m2mport/m2mport/cli"
	"github.com/m2mport/m2mport/client"
)

func main() {
	// net/http logs what a server sends on an idle connection, quoted ("Unsolicited response
	// received …"): a server echoing a request would put a secret on stderr.
	log.SetOutput(client.ScrubWriter(os.Stderr))
	ctx, cancel := context.WithCancel(context.Background())
	signals := make(chan os.Signal, 1)
	signal.Notify(signals, os.Interrupt, syscall.SIGTERM)
	go func() {
		<-signals
		// The first signal asks the command to stop cleanly: calls in flight finish and the
		// run report is written. From here on the signals' default action applies again, so
		// an operator who cannot wait presses Ctrl-C a second time and the process ends.
		signal.Stop(signals)
		fmt.Fprintln(os.Stderr, "\nm2mport: stopping (press Ctrl-C again to quit at once)")
		cancel()
	}()
	code := cli.Run(ctx, os.Args[1:], cli.Stdio{In: os.Stdin, Out: os.Stdout, Err: os.Stderr})
	os.Exit(code)
}
