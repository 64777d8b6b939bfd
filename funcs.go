package ccql

import (
	"database/sql/driver"
	"fmt"
	"strings"

	"github.com/ccql/ccql/internal/vtable"
)

// sqlFuncs are the StackQL functions registered in SQLite besides its own:
// string(x) marks a value to be sent as a string (it is x to SQLite), and
// split_part(s, delim, n) is PostgreSQL's, 1-based, negative n from the end.
func sqlFuncs() vtable.Funcs {
	return vtable.Funcs{
		"string": func(args []driver.Value) (driver.Value, error) {
			if len(args) != 1 {
				return nil, fmt.Errorf("string() takes one argument, got %d", len(args))
			}
			if b, ok := args[0].([]byte); ok {
				return string(b), nil
			}
			return args[0], nil
		},
		"split_part": func(args []driver.Value) (driver.Value, error) {
			if len(args) != 3 {
				return nil, fmt.Errorf("split_part() takes three arguments, got %d", len(args))
			}
			if args[0] == nil {
				return nil, nil
			}
			s, delim := fmt.Sprint(textOf(args[0])), fmt.Sprint(textOf(args[1]))
			n, ok := args[2].(int64)
			if !ok {
				return nil, fmt.Errorf("split_part(): the index must be an integer")
			}
			parts := strings.Split(s, delim)
			if n < 0 {
				n = int64(len(parts)) + n + 1
			}
			if n < 1 || n > int64(len(parts)) {
				return "", nil
			}
			return parts[n-1], nil
		},
	}
}

func textOf(v driver.Value) any {
	if b, ok := v.([]byte); ok {
		return string(b)
	}
	return v
}
