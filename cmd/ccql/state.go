package main

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/spf13/cobra"

	"github.com/ccql/ccql"
	"github.com/ccql/ccql/internal/store"
)

func newStateCmd(a *app) *cobra.Command {
	var dataDir string
	cmd := &cobra.Command{
		Use:   "state",
		Short: "Save and load snapshots of the emulator's state",
		Long: `Snapshots of the embedded emulator's whole state: every resource, request,
signing key and user, of every account and region, in one SQLite file.

  ccql state save FILE   write a consistent snapshot of the data dir to FILE
  ccql state load FILE   replace the data dir's state with FILE's

Both work while ccql serve (or ccql exec) uses the same data dir: save reads
one consistent snapshot, load replaces the state in one transaction, which
the running server sees as any commit. A running server also offers the same
as POST /_ccql/state/save and /_ccql/state/load (docs/state.md).

load also repairs a damaged store (one ccql refuses to open): stop the
server first, then load a snapshot; the damaged file is replaced.`,
	}
	cmd.PersistentFlags().StringVar(&dataDir, "data-dir", "", "state directory (default $CCQL_DATA_DIR, else ${XDG_DATA_HOME:-~/.local/share}/ccql)")
	cmd.AddCommand(&cobra.Command{
		Use:   "save FILE",
		Short: "Write a consistent snapshot of the state to FILE",
		Args:  cobra.ExactArgs(1),
		RunE: func(_ *cobra.Command, args []string) error {
			path, err := statePath(dataDir)
			if err != nil {
				return err
			}
			if _, err := os.Stat(path); err != nil {
				return fmt.Errorf("state save: no store at %s: %w", path, err)
			}
			st, err := store.Open(a.ctx, path)
			if err != nil {
				return fmt.Errorf("state save: %w", err)
			}
			defer st.Close()
			if err := st.Snapshot(a.ctx, args[0]); err != nil {
				return fmt.Errorf("state save: %w", err)
			}
			fmt.Fprintf(a.stdout, "ccql state: saved %s to %s\n", path, args[0])
			return nil
		},
	})
	cmd.AddCommand(&cobra.Command{
		Use:   "load FILE",
		Short: "Replace the state with the snapshot in FILE",
		Args:  cobra.ExactArgs(1),
		RunE: func(_ *cobra.Command, args []string) error {
			path, err := statePath(dataDir)
			if err != nil {
				return err
			}
			if err := store.CheckSnapshot(a.ctx, args[0]); err != nil {
				return fmt.Errorf("state load: %w", err)
			}
			st, err := store.Open(a.ctx, path)
			var damaged *store.DamagedError
			if errors.As(err, &damaged) {
				if err := store.RestoreFile(a.ctx, args[0], path); err != nil {
					return fmt.Errorf("state load: %w", err)
				}
				fmt.Fprintf(a.stdout, "ccql state: replaced the damaged %s with %s\n", path, args[0])
				return nil
			}
			if err != nil {
				return fmt.Errorf("state load: %w", err)
			}
			defer st.Close()
			if err := st.Restore(a.ctx, args[0]); err != nil {
				return fmt.Errorf("state load: %w", err)
			}
			fmt.Fprintf(a.stdout, "ccql state: loaded %s into %s\n", args[0], path)
			return nil
		},
	})
	return cmd
}

// statePath is the store file of the data dir ccql serve and exec use.
func statePath(flag string) (string, error) {
	dir, err := ccql.ResolveDataDir(flag, os.Getenv)
	if err != nil {
		return "", fmt.Errorf("state: %w", err)
	}
	return filepath.Join(dir, store.FileName), nil
}
