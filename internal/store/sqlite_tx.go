package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/ccql/ccql/internal/handler"
)

// unfinished is the SQL list of non-terminal statuses. The partial index
// requests_unfinished is used only by queries whose condition matches its
// own text, so all of them build it from this one constant.
const unfinished = `('PENDING', 'IN_PROGRESS', 'CANCEL_IN_PROGRESS')`

// schemaVersion is kept in PRAGMA user_version; migrate brings older files up.
const schemaVersion = 1

const schemaSQL = `
CREATE TABLE IF NOT EXISTS models (
	account    TEXT NOT NULL,
	region     TEXT NOT NULL,
	type_name  TEXT NOT NULL,
	identifier TEXT NOT NULL,
	model      TEXT NOT NULL,
	PRIMARY KEY (account, region, type_name, identifier)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS requests (
	token          TEXT PRIMARY KEY,
	account        TEXT NOT NULL,
	region         TEXT NOT NULL,
	operation      TEXT NOT NULL,
	status         TEXT NOT NULL,
	type_name      TEXT NOT NULL,
	identifier     TEXT NOT NULL,
	error_code     TEXT NOT NULL DEFAULT '',
	status_message TEXT NOT NULL DEFAULT '',
	resource_model TEXT NOT NULL DEFAULT '',
	client_token   TEXT NOT NULL DEFAULT '',
	fingerprint    TEXT NOT NULL DEFAULT '',
	payload        BLOB,
	created_ns     INTEGER NOT NULL,
	updated_ns     INTEGER NOT NULL,
	due_ns         INTEGER NOT NULL,
	owner          TEXT NOT NULL DEFAULT ''
);
CREATE INDEX IF NOT EXISTS requests_by_client_token ON requests (account, region, client_token, created_ns) WHERE client_token != '';
CREATE INDEX IF NOT EXISTS requests_by_partition ON requests (account, region, created_ns, token);
CREATE INDEX IF NOT EXISTS requests_by_created ON requests (created_ns);
CREATE INDEX IF NOT EXISTS requests_unfinished ON requests (type_name, identifier, account, region)
	WHERE status IN ` + unfinished + `;
`

func migrate(ctx context.Context, c *sql.Conn) error {
	var v int
	if err := c.QueryRowContext(ctx, "PRAGMA user_version").Scan(&v); err != nil {
		return fmt.Errorf("read schema version: %w", err)
	}
	if v > schemaVersion {
		return fmt.Errorf("store schema version %d is newer than this ccql (%d)", v, schemaVersion)
	}
	if v == schemaVersion {
		return nil
	}
	if _, err := c.ExecContext(ctx, "BEGIN IMMEDIATE"); err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	if _, err := c.ExecContext(ctx, schemaSQL); err != nil {
		c.ExecContext(ctx, "ROLLBACK") //nolint:errcheck
		return fmt.Errorf("migrate: %w", err)
	}
	if _, err := c.ExecContext(ctx, fmt.Sprintf("PRAGMA user_version = %d", schemaVersion)); err != nil {
		c.ExecContext(ctx, "ROLLBACK") //nolint:errcheck
		return fmt.Errorf("migrate: %w", err)
	}
	if _, err := c.ExecContext(ctx, "COMMIT"); err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	return nil
}

// tx implements Tx over the write connection (inside a savepoint) or a
// read-only *sql.Tx. Statements are prepared once per connection and
// reused: parsing SQL costs more than running these queries.
type tx struct {
	ctx      context.Context
	stmt     func(query string) (*sql.Stmt, error)
	writable bool
}

func (t *tx) exec(query string, args ...any) (sql.Result, error) {
	st, err := t.stmt(query)
	if err != nil {
		return nil, err
	}
	return st.ExecContext(t.ctx, args...)
}

func (t *tx) query(query string, args ...any) (*sql.Rows, error) {
	st, err := t.stmt(query)
	if err != nil {
		return nil, err
	}
	return st.QueryContext(t.ctx, args...)
}

// row runs a query expected to return one row and scans it into dest.
func (t *tx) row(query string, args []any, dest ...any) error {
	st, err := t.stmt(query)
	if err != nil {
		return err
	}
	return st.QueryRowContext(t.ctx, args...).Scan(dest...)
}

// errReadOnly is handler.ErrReadOnly, so that handlers can recognise it.
var errReadOnly = handler.ErrReadOnly

func (t *tx) Model(p Partition, typeName, identifier string) (json.RawMessage, error) {
	var m string
	err := t.row(`SELECT model FROM models WHERE account = ? AND region = ? AND type_name = ? AND identifier = ?`,
		[]any{p.Account, p.Region, typeName, identifier}, &m)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("get model %s %s: %w", typeName, identifier, err)
	}
	return json.RawMessage(m), nil
}

func (t *tx) PutModel(p Partition, typeName, identifier string, model json.RawMessage) error {
	if !t.writable {
		return errReadOnly
	}
	if !json.Valid(model) {
		return fmt.Errorf("put model %s %s: invalid JSON", typeName, identifier)
	}
	_, err := t.exec(`INSERT INTO models (account, region, type_name, identifier, model) VALUES (?, ?, ?, ?, ?)
		 ON CONFLICT (account, region, type_name, identifier) DO UPDATE SET model = excluded.model`,
		p.Account, p.Region, typeName, identifier, string(model))
	if err != nil {
		return fmt.Errorf("put model %s %s: %w", typeName, identifier, err)
	}
	return nil
}

func (t *tx) DeleteModel(p Partition, typeName, identifier string) error {
	if !t.writable {
		return errReadOnly
	}
	res, err := t.exec(`DELETE FROM models WHERE account = ? AND region = ? AND type_name = ? AND identifier = ?`,
		p.Account, p.Region, typeName, identifier)
	if err != nil {
		return fmt.Errorf("delete model %s %s: %w", typeName, identifier, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return ErrNotFound
	}
	return nil
}

// prefixRange turns a prefix into a half-open identifier range [lo, hi);
// hi == "" means unbounded.
func prefixRange(prefix string) (lo, hi string) {
	b := []byte(prefix)
	for i := len(b) - 1; i >= 0; i-- {
		if b[i] < 0xff {
			b[i]++
			return prefix, string(b[:i+1])
		}
	}
	return prefix, ""
}

// modelsWhere selects a type's models whose identifier starts with prefix.
func modelsWhere(p Partition, typeName, prefix string) (string, []any) {
	lo, hi := prefixRange(prefix)
	where := `account = ? AND region = ? AND type_name = ? AND identifier >= ?`
	args := []any{p.Account, p.Region, typeName, lo}
	if hi != "" {
		where += ` AND identifier < ?`
		args = append(args, hi)
	}
	return where, args
}

func (t *tx) Models(p Partition, typeName, prefix string) ([]Record, error) {
	where, args := modelsWhere(p, typeName, prefix)
	rows, err := t.query(`SELECT identifier, model FROM models WHERE `+where+` ORDER BY identifier`, args...)
	if err != nil {
		return nil, fmt.Errorf("list models %s: %w", typeName, err)
	}
	defer rows.Close()
	var out []Record
	for rows.Next() {
		var id, m string
		if err := rows.Scan(&id, &m); err != nil {
			return nil, fmt.Errorf("list models %s: %w", typeName, err)
		}
		out = append(out, Record{Identifier: id, Model: json.RawMessage(m)})
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list models %s: %w", typeName, err)
	}
	return out, nil
}

// modelsAfterSQL is ModelsAfter's query: after the cursor (strict) or
// from the prefix, below the prefix's upper bound (bounded) or not.
func modelsAfterSQL(strict, bounded bool) string {
	q := `SELECT identifier, model FROM models WHERE account = ? AND region = ? AND type_name = ? AND identifier `
	if strict {
		q += `> ?`
	} else {
		q += `>= ?`
	}
	if bounded {
		q += ` AND identifier < ?`
	}
	return q + ` ORDER BY identifier LIMIT ?`
}

func (t *tx) ModelsAfter(p Partition, typeName, prefix, after string, limit int) ([]Record, error) {
	if limit <= 0 {
		return nil, nil
	}
	// One lower bound only: given two (>= prefix, > after), SQLite seeks
	// to one and filters by the other, which scans from the prefix.
	lo, hi := prefixRange(prefix)
	args := []any{p.Account, p.Region, typeName, lo}
	strict := after >= lo && after != ""
	if strict {
		args[3] = after
	}
	if hi != "" {
		args = append(args, hi)
	}
	args = append(args, limit)
	rows, err := t.query(modelsAfterSQL(strict, hi != ""), args...)
	if err != nil {
		return nil, fmt.Errorf("list models %s: %w", typeName, err)
	}
	defer rows.Close()
	out := make([]Record, 0, min(limit, 1024))
	for rows.Next() {
		var id, m string
		if err := rows.Scan(&id, &m); err != nil {
			return nil, fmt.Errorf("list models %s: %w", typeName, err)
		}
		out = append(out, Record{Identifier: id, Model: json.RawMessage(m)})
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list models %s: %w", typeName, err)
	}
	return out, nil
}

func (t *tx) CountModels(p Partition, typeName, prefix string) (int, error) {
	where, args := modelsWhere(p, typeName, prefix)
	var n int
	if err := t.row(`SELECT count(*) FROM models WHERE `+where, args, &n); err != nil {
		return 0, fmt.Errorf("count models %s: %w", typeName, err)
	}
	return n, nil
}

func (t *tx) Partitions(typeName string) ([]Partition, error) {
	rows, err := t.query(`SELECT DISTINCT account, region FROM models WHERE type_name = ? ORDER BY account, region`, typeName)
	if err != nil {
		return nil, fmt.Errorf("partitions of %s: %w", typeName, err)
	}
	defer rows.Close()
	var out []Partition
	for rows.Next() {
		var p Partition
		if err := rows.Scan(&p.Account, &p.Region); err != nil {
			return nil, fmt.Errorf("partitions of %s: %w", typeName, err)
		}
		out = append(out, p)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("partitions of %s: %w", typeName, err)
	}
	return out, nil
}

const requestColumns = `token, account, region, operation, status, type_name, identifier, error_code,
	status_message, resource_model, client_token, fingerprint, payload, created_ns, updated_ns, due_ns, owner`

func (t *tx) PutRequest(r *Request) error {
	if !t.writable {
		return errReadOnly
	}
	if r.Token == "" {
		return errors.New("put request: empty token")
	}
	_, err := t.exec(`INSERT OR REPLACE INTO requests (`+requestColumns+`)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		r.Token, r.Account, r.Region, r.Operation, r.Status, r.TypeName, r.Identifier, r.ErrorCode,
		r.StatusMessage, r.ResourceModel, r.ClientToken, r.Fingerprint, []byte(r.Payload),
		r.Created.UnixNano(), r.Updated.UnixNano(), r.Due.UnixNano(), r.Owner)
	if err != nil {
		return fmt.Errorf("put request %s: %w", r.Token, err)
	}
	return nil
}

type scanner interface{ Scan(dest ...any) error }

func scanRequest(s scanner) (*Request, error) {
	var r Request
	var payload []byte
	var created, updated, due int64
	err := s.Scan(&r.Token, &r.Account, &r.Region, &r.Operation, &r.Status, &r.TypeName, &r.Identifier,
		&r.ErrorCode, &r.StatusMessage, &r.ResourceModel, &r.ClientToken, &r.Fingerprint, &payload,
		&created, &updated, &due, &r.Owner)
	if err != nil {
		return nil, err
	}
	if len(payload) > 0 {
		r.Payload = json.RawMessage(payload)
	}
	r.Created = time.Unix(0, created).UTC()
	r.Updated = time.Unix(0, updated).UTC()
	r.Due = time.Unix(0, due).UTC()
	return &r, nil
}

func (t *tx) oneRequest(what, q string, args ...any) (*Request, error) {
	st, err := t.stmt(q)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", what, err)
	}
	r, err := scanRequest(st.QueryRowContext(t.ctx, args...))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("%s: %w", what, err)
	}
	return r, nil
}

func (t *tx) Request(p Partition, token string) (*Request, error) {
	return t.oneRequest("get request", `SELECT `+requestColumns+` FROM requests
		WHERE token = ? AND account = ? AND region = ?`, token, p.Account, p.Region)
}

func (t *tx) RequestByClientToken(p Partition, clientToken string, since time.Time) (*Request, error) {
	if clientToken == "" {
		return nil, ErrNotFound
	}
	return t.oneRequest("get request by client token", `SELECT `+requestColumns+` FROM requests
		WHERE account = ? AND region = ? AND client_token = ? AND created_ns >= ?
		ORDER BY created_ns DESC LIMIT 1`, p.Account, p.Region, clientToken, since.UnixNano())
}

func (t *tx) ActiveRequest(p Partition, typeName, identifier string) (*Request, error) {
	return t.oneRequest("get active request", `SELECT `+requestColumns+` FROM requests
		WHERE type_name = ? AND identifier = ? AND account = ? AND region = ?
		AND status IN `+unfinished+` LIMIT 1`,
		typeName, identifier, p.Account, p.Region)
}

func inList(col string, vals []string, args *[]any) string {
	if len(vals) == 0 {
		return ""
	}
	for _, v := range vals {
		*args = append(*args, v)
	}
	return " AND " + col + " IN (?" + strings.Repeat(", ?", len(vals)-1) + ")"
}

func (t *tx) Requests(p Partition, f RequestFilter) ([]*Request, error) {
	limit := f.Limit
	if limit <= 0 {
		limit = 100
	}
	args := []any{p.Account, p.Region}
	q := `SELECT ` + requestColumns + ` FROM requests WHERE account = ? AND region = ?`
	q += inList("operation", f.Operations, &args)
	q += inList("status", f.Statuses, &args)
	if f.After != "" {
		ns, token, err := parseCursor(f.After)
		if err != nil {
			return nil, fmt.Errorf("list requests: %w", err)
		}
		q += ` AND (created_ns < ? OR (created_ns = ? AND token < ?))`
		args = append(args, ns, ns, token)
	}
	q += ` ORDER BY created_ns DESC, token DESC LIMIT ?`
	args = append(args, limit)
	return t.manyRequests("list requests", q, args...)
}

func (t *tx) manyRequests(what, q string, args ...any) ([]*Request, error) {
	rows, err := t.query(q, args...)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", what, err)
	}
	defer rows.Close()
	var out []*Request
	for rows.Next() {
		r, err := scanRequest(rows)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", what, err)
		}
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("%s: %w", what, err)
	}
	return out, nil
}

func (t *tx) Unfinished(limit int) ([]*Request, error) {
	if limit <= 0 {
		limit = 100
	}
	return t.manyRequests("list unfinished requests", `SELECT `+requestColumns+` FROM requests
		WHERE status IN `+unfinished+`
		ORDER BY created_ns, token LIMIT ?`, limit)
}

func (t *tx) DeleteRequestsBefore(before time.Time) (int, error) {
	if !t.writable {
		return 0, errReadOnly
	}
	res, err := t.exec(`DELETE FROM requests WHERE created_ns < ?`, before.UnixNano())
	if err != nil {
		return 0, fmt.Errorf("delete old requests: %w", err)
	}
	n, _ := res.RowsAffected()
	return int(n), nil
}
