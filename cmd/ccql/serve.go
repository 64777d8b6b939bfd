package main

import (
	"errors"

	"github.com/spf13/cobra"
)

// newServeCmd is a placeholder until the serve subcommand lands.
func newServeCmd(a *app) *cobra.Command {
	return &cobra.Command{
		Use:   "serve",
		Short: "not yet implemented",
		RunE: func(cmd *cobra.Command, _ []string) error {
			return errors.New("serve: not yet implemented")
		},
	}
}
