package cli

import (
	"fmt"

	mcobra "github.com/muesli/mango-cobra"
	"github.com/muesli/roff"
	"github.com/spf13/cobra"
)

// newManCmd prints the man page, made from the same commands and flags as --help. fang has
// one too, but it writes to the process's stdout, out of reach of the Env seam.
func newManCmd() *cobra.Command {
	return &cobra.Command{
		Use:                   "man",
		Short:                 "Print the man page.",
		Long:                  "Print m2mport's man page, in roff: m2mport man > m2mport.1",
		DisableFlagsInUseLine: true,
		Args:                  atMost(0),
		ValidArgsFunction:     noFiles,
		RunE: func(cmd *cobra.Command, _ []string) error {
			page, err := mcobra.NewManPage(1, cmd.Root())
			if err != nil {
				return fmt.Errorf("man page: %w", err)
			}
			_, err = fmt.Fprint(cmd.OutOrStdout(), page.Build(roff.NewDocument()))
			return err
		},
	}
}
