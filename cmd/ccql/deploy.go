package main

import (
	"errors"

	"github.com/spf13/cobra"
)

// newDeployCmd is a placeholder until the deploy subcommand lands.
func newDeployCmd(a *app) *cobra.Command {
	return &cobra.Command{
		Use:   "deploy",
		Short: "not yet implemented",
		RunE: func(cmd *cobra.Command, _ []string) error {
			return errors.New("deploy: not yet implemented")
		},
	}
}
