package shell

import (
	"fmt"
	"strings"
)

// Meta is a backslash command of the shell, as typed on a line of its own.
type Meta struct {
	// Name is the command's canonical name, with its backslash: `\q`,
	// `\help`, `\o`, `\d+`, …; aliases (`\?`, `\quit`) are mapped to it.
	// An unknown command keeps the name as typed.
	Name string
	// Arg is the rest of the line, trimmed. A trailing ';' (typed out of SQL
	// habit) is dropped, except for \set, whose value is taken as written.
	Arg string
}

// Command documents one meta-command.
type Command struct {
	Name  string // `\o`
	Usage string // `\o [FORMAT]`
	Help  string
}

// Commands returns the meta-commands, in the order help lists them.
func Commands() []Command {
	return []Command{
		{`\q`, `\q`, "quit (also quit, exit, or Ctrl-D)"},
		{`\help`, `\help, \?`, "show this help (also help, .help)"},
		{`\o`, `\o [table|json|jsonl|csv|text]`, "set the output format (without an argument: show it)"},
		{`\wait`, `\wait [on|off]`, "await every INSERT/UPDATE/DELETE until its request ends (without an argument: toggle)"},
		{`\timing`, `\timing [on|off]`, "print each statement's elapsed time on stderr (without an argument: toggle)"},
		{`\d`, `\d[+] [RESOURCE]`, "describe a resource (+: with descriptions), as DESCRIBE; without RESOURCE, list services"},
		{`\dt`, `\dt [SERVICE]`, "list a service's resources, as SHOW RESOURCES IN awscc.SERVICE; without SERVICE, list services (also .tables)"},
		{`\l`, `\l`, "list providers, as SHOW PROVIDERS"},
		{`\i`, `\i FILE`, "run the statements and commands in FILE"},
		{`\set`, `\set [NAME [VALUE]]`, "set a template variable for {{ NAME }} (VALUE is JSON when it parses as such); without NAME, list them"},
		{`\unset`, `\unset NAME`, "remove a template variable"},
		{`\r`, `\r`, "discard the statement being typed"},
	}
}

// aliases maps alternative spellings to canonical names.
func canonical(name string) string {
	switch name {
	case `\?`, `\h`:
		return `\help`
	case `\quit`, `\exit`:
		return `\q`
	case `\describe`:
		return `\d`
	case `\list`:
		return `\l`
	case `\reset`:
		return `\r`
	}
	return name
}

// ParseMeta parses a line that starts (after white space) with a backslash;
// ok is false for any other line.
func ParseMeta(line string) (m Meta, ok bool) {
	line = strings.TrimSpace(line)
	if !strings.HasPrefix(line, `\`) {
		return Meta{}, false
	}
	name, arg, _ := strings.Cut(line, " ")
	if i := strings.IndexAny(name, "\t"); i >= 0 {
		name, arg = name[:i], name[i+1:]+" "+arg
	}
	m.Name = canonical(strings.ToLower(strings.TrimSuffix(name, ";")))
	m.Arg = strings.TrimSpace(arg)
	if m.Name != `\set` {
		m.Arg = strings.TrimSpace(strings.TrimSuffix(m.Arg, ";"))
	}
	return m, true
}

// dotCommands maps the dot-commands of sqlite3 that have a counterpart to
// it: a SQLite user types .tables or .schema first.
var dotCommands = map[string]string{
	".help":      `\help`,
	".quit":      `\q`,
	".exit":      `\q`,
	".tables":    `\dt`,
	".schema":    `\d`,
	".mode":      `\o`,
	".timer":     `\timing`,
	".read":      `\i`,
	".databases": `\l`,
}

// ParseShortcut recognises what a psql or sqlite3 user types at an empty
// prompt instead of a backslash command: the words help and ? (psql's and
// MySQL's), and sqlite3's dot-commands (.help, .tables, .schema, .mode,
// .quit, …). A dot-command without a counterpart is returned with its own
// name (".indexes"), for the caller to call unknown. ok is false for
// anything else, including every SQL statement.
func ParseShortcut(line string) (m Meta, ok bool) {
	line = strings.TrimSpace(line)
	switch strings.ToLower(strings.TrimSpace(strings.TrimSuffix(line, ";"))) {
	case "help", "?", "\\?":
		return Meta{Name: `\help`}, true
	}
	if !strings.HasPrefix(line, ".") || len(line) < 2 || !isLetter(line[1]) {
		return Meta{}, false
	}
	name, arg, _ := strings.Cut(line, " ")
	if i := strings.IndexByte(name, '\t'); i >= 0 {
		name, arg = name[:i], name[i+1:]+" "+arg
	}
	name = strings.ToLower(strings.TrimSuffix(name, ";"))
	m = Meta{Name: name, Arg: strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(arg), ";"))}
	if c, ok := dotCommands[name]; ok {
		m.Name = c
	}
	return m, true
}

func isLetter(c byte) bool { return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' }

// IsStatementStart reports whether word (a statement's first word) starts
// a statement ccql runs; the shell uses it to point a user who typed
// something else to \? rather than leave them with a syntax error alone.
func IsStatementStart(word string) bool {
	switch strings.ToUpper(word) {
	case "SELECT", "WITH", "VALUES", "EXPLAIN", "INSERT", "UPDATE", "DELETE", "SHOW", "DESCRIBE", "DESC",
		"SET", "BEGIN", "START", "COMMIT", "END", "ROLLBACK", "USE", "REGISTRY":
		return true
	}
	return false
}

// IsQuit reports whether a line typed at an empty prompt is the bare word
// quit or exit (as psql and sqlite3 accept).
func IsQuit(line string) bool {
	switch strings.ToLower(strings.TrimSuffix(strings.TrimSpace(line), ";")) {
	case "quit", "exit":
		return true
	}
	return false
}

// Help returns the shell's help text: the meta-commands and a few example
// statements.
func Help() string {
	var b strings.Builder
	b.WriteString("Statements end with ';' and may span lines. Meta-commands (no ';' needed):\n\n")
	cmds := Commands()
	width := 0
	for _, c := range cmds {
		width = max(width, len(c.Usage))
	}
	for _, c := range cmds {
		fmt.Fprintf(&b, "  %-*s  %s\n", width, c.Usage, c.Help)
	}
	b.WriteString(`
Tab completes keywords, resource names (awscc.<service>.<resource>) and the
columns of the resources named in the statement. Ctrl-C cancels a running
statement, or discards the line being typed.

Examples:

  SHOW SERVICES IN awscc LIKE 'cog%';
  SHOW RESOURCES IN awscc.cognito;
  DESCRIBE awscc.cognito.user_pool_clients;
  INSERT /*+ AWAIT */ INTO awscc.cognito.user_pools (UserPoolName, region)
    SELECT 'my-pool', 'us-east-1' RETURNING Identifier, OperationStatus;
  SELECT user_pool_id, user_pool_name FROM awscc.cognito.user_pools WHERE region = 'us-east-1';
  \set region us-east-1
  SELECT client_id FROM awscc.cognito.user_pool_clients_list_only WHERE region = '{{ region }}';
`)
	return b.String()
}
