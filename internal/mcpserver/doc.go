// Package mcpserver serves the ccql engine as a Model Context Protocol
// server (the official Go SDK, github.com/modelcontextprotocol/go-sdk), so
// that an assistant can list and describe the awscc resources, query them,
// plan a mutation without sending it, and run one, awaited, with its final
// status.
//
// New builds an *mcp.Server; the caller picks the transport (stdio or
// streamable HTTP; see cmd/ccql/mcp.go). Every tool has a JSON Schema for
// its input, a typed structured result plus a short text rendering, and the
// MCP annotations readOnlyHint, destructiveHint and idempotentHint. A failed
// statement is a tool error (isError) whose text is the message ccql exec
// prints, so the model sees it and can correct itself.
//
// Safety comes from the Mode: ModeReadOnly refuses every mutation,
// ModeSafe asks the user through MCP elicitation before each one (and
// refuses when the client cannot ask), ModeFull runs them. The
// confirmation is bound to the statement with an HMAC carried in the
// multi-round-trip request state, so a client cannot confirm one statement
// and run another. Every mutation, refused or run, is written to the
// AuditLog (JSON lines, fsynced before the request is sent and again with
// its outcome), with the values of secret-looking columns masked.
//
// Prompts teach the dialect (a Cognito audit, creating an app client, drift
// between a deploy stack and what exists); resources give the seed page and,
// through URI templates, every resource's page and CloudFormation schema,
// so an assistant can look up columns without a tool call.
package mcpserver
