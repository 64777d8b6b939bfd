package main

import (
	"fmt"
	"io"

	"github.com/ccql/ccql"
	"github.com/ccql/ccql/internal/render"
)

// writeMutation reports a mutation without RETURNING on w (stderr, so that
// stdout keeps only query results): how many requests were sent, then one
// row per request with its Identifier, RequestToken and status, so that
// a request not awaited can be followed
// (awscc.cloud_control.resource_requests) and a failed one is named.
func writeMutation(w io.Writer, res *ccql.Result) error {
	if res.Message != "" {
		fmt.Fprintln(w, res.Message)
	}
	if len(res.Rows) == 0 || len(res.Columns) == 0 {
		return nil
	}
	return render.Write(w, render.Table, toRender(res))
}
