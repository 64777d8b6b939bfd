package pgwire

import (
	"context"
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"github.com/ccql/ccql"
)

// FakeEngine prepares every statement as a ccql.NewStmt answered by Exec,
// so that protocol tests control results and faults without Cloud
// Control: the kind comes from the first word (an unknown one is a syntax
// error), the parameters from the highest $N, the columns from Columns.
type FakeEngine struct {
	Columns []ccql.Column
	Exec    func(ctx context.Context, statement string, args ...any) (*ccql.Result, error)
}

var fakeParamRE = regexp.MustCompile(`\$(\d+)`)

// Prepare implements Engine.
func (f FakeEngine) Prepare(ctx context.Context, text string) (*ccql.Stmt, error) {
	words := strings.Fields(strings.ToUpper(text))
	kinds := map[string]ccql.StatementKind{"SELECT": ccql.StmtSelect, "INSERT": ccql.StmtInsert, "UPDATE": ccql.StmtUpdate,
		"DELETE": ccql.StmtDelete, "BEGIN": ccql.StmtBegin, "COMMIT": ccql.StmtCommit, "ROLLBACK": ccql.StmtRollback,
		"SET": ccql.StmtSet, "SHOW": ccql.StmtShow, "DESCRIBE": ccql.StmtDescribe}
	kind, ok := kinds[words[0]]
	if !ok {
		return nil, fmt.Errorf("%w: near %q", ccql.ErrSyntax, words[0])
	}
	n := 0
	for _, m := range fakeParamRE.FindAllStringSubmatch(text, -1) {
		if v, _ := strconv.Atoi(m[1]); v > n {
			n = v
		}
	}
	var cols []ccql.Column
	if kind == ccql.StmtSelect || kind == ccql.StmtShow || kind == ccql.StmtDescribe {
		cols = f.Columns
	}
	return ccql.NewStmt(text, kind, n, cols, func(ctx context.Context, args []any) (*ccql.Result, error) {
		return f.Exec(ctx, text, args...)
	}), nil
}
