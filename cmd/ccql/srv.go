package main

import (
	"errors"

	"github.com/spf13/cobra"
)

// newSrvCmd is a placeholder until the srv subcommand lands.
func newSrvCmd(a *app) *cobra.Command {
	return &cobra.Command{
		Use:   "srv",
		Short: "not yet implemented",
		RunE: func(cmd *cobra.Command, _ []string) error {
			return errors.New("srv: not yet implemented")
		},
	}
}
