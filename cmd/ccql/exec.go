package main

import (
	"errors"

	"github.com/spf13/cobra"
)

// newExecCmd is a placeholder until the exec subcommand lands.
func newExecCmd(a *app) *cobra.Command {
	return &cobra.Command{
		Use:   "exec",
		Short: "not yet implemented",
		RunE: func(cmd *cobra.Command, _ []string) error {
			return errors.New("exec: not yet implemented")
		},
	}
}
