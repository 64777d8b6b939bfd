// Package shell holds the parts of `ccql shell` that do not touch the
// terminal: completion of keywords, resource and column names (Completer),
// the history file with its secret filter (History), and the backslash
// meta-commands (ParseMeta, Help). The command loop itself, which needs the
// engine and the renderer, is in cmd/ccql.
package shell
