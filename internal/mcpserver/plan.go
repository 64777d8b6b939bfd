package mcpserver

import "github.com/modelcontextprotocol/go-sdk/mcp"

// addPlanTool registers plan_mutation (built on Engine.Prepare).
func (s *server) addPlanTool(srv *mcp.Server, add func(error)) {}
