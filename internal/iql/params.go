package iql

import (
	"fmt"
	"strconv"
	"strings"
)

// NumberParams returns text with every parameter written as ?NNN, its number
// as SQLite numbers it in the whole text (see Bind), and the highest number.
// The engine cuts a statement into pieces for SQLite (an INSERT's source, an
// UPDATE's SET values and WHERE) and runs each alone; with explicit numbers
// every piece binds the same argument to a parameter as the whole statement
// would, whatever pieces come before it. Text without parameters is
// returned as is.
func NumberParams(text string) (string, int, error) {
	var (
		b       strings.Builder
		at      int
		highest int
		named   map[string]int
	)
	for i := 0; i < len(text); {
		t := lex(text, i)
		i = t.end
		if t.kind == kUnterminated || t.kind == kIllegal {
			return "", 0, errAt(text, t.pos, t.end, "unrecognized token")
		}
		if t.kind != kParam {
			continue
		}
		n, err := paramNumber(text, t, &highest, &named)
		if err != nil {
			return "", 0, err
		}
		b.WriteString(text[at:t.pos])
		b.WriteString("?" + strconv.Itoa(n))
		// ?1 followed by a digit or letter would lex as another token.
		if t.end < len(text) && isIDChar(text[t.end]) {
			b.WriteByte(' ')
		}
		at = t.end
	}
	if at == 0 {
		return text, highest, nil
	}
	b.WriteString(text[at:])
	return b.String(), highest, nil
}

// MaxParam returns the highest ?NNN number in text written by NumberParams
// (0 without parameters): the number of arguments SQLite wants for it.
func MaxParam(text string) int {
	highest := 0
	for i := 0; i < len(text); {
		t := lex(text, i)
		i = t.end
		if t.kind != kParam || text[t.pos] != '?' {
			continue
		}
		if n, err := strconv.Atoi(text[t.pos+1 : t.end]); err == nil && n > highest {
			highest = n
		}
	}
	return highest
}

// ParamIndex returns the 0-based argument index of a parameter written by
// NumberParams (?NNN), for a Value of kind ValueParam.
func ParamIndex(name string) (int, bool) {
	if len(name) < 2 || name[0] != '?' {
		return 0, false
	}
	n, err := strconv.Atoi(name[1:])
	if err != nil || n < 1 {
		return 0, false
	}
	return n - 1, true
}

// maxParamNumber is SQLite's default SQLITE_MAX_VARIABLE_NUMBER.
const maxParamNumber = 32766

// paramNumber numbers the parameter token t the way SQLite does.
func paramNumber(text string, t token, highest *int, named *map[string]int) (int, error) {
	name := text[t.pos:t.end]
	n := 0
	switch {
	case name == "?":
		n = *highest + 1
	case name[0] == '?' || name[0] == '$' && allDigits(name[1:]):
		v, err := strconv.Atoi(name[1:])
		if err != nil || v < 1 || v > maxParamNumber {
			return 0, fmt.Errorf("parameter %s: %w: numbers start at 1 and end at %d", name, ErrParams, maxParamNumber)
		}
		n = v
	default:
		if *named == nil {
			*named = map[string]int{}
		}
		if n = (*named)[name]; n == 0 {
			n = *highest + 1
			(*named)[name] = n
		}
	}
	if n > *highest {
		*highest = n
	}
	return n, nil
}
