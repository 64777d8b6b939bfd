package main

import (
	"errors"

	"github.com/spf13/cobra"
)

// newShellCmd is a placeholder until the shell subcommand lands.
func newShellCmd(a *app) *cobra.Command {
	return &cobra.Command{
		Use:   "shell",
		Short: "not yet implemented",
		RunE: func(cmd *cobra.Command, _ []string) error {
			return errors.New("shell: not yet implemented")
		},
	}
}
