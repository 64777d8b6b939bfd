// A real MCP client — the official TypeScript SDK — driving `ccql mcp`.
// cmd/ccql/mcp_node_test.go runs it and checks what it prints.
//
//   node client.mjs SCENARIO stdio BINARY ARG...   (spawns `BINARY mcp ARG...`)
//   node client.mjs SCENARIO http URL
//
// SCENARIO is one of:
//   all      list tools, prompts and resources; call every tool
//   refuse   call run_mutation once (read-only mode must refuse it)
//   confirm  like refuse, with an elicitation handler that accepts
//   decline  like confirm, but the handler declines
// It prints one JSON object on stdout.
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { ElicitRequestSchema } from '@modelcontextprotocol/sdk/types.js';

const [scenario, kind, target, ...rest] = process.argv.slice(2);
const elicits = scenario === 'confirm' || scenario === 'decline';
const client = new Client({ name: 'ccql-e2e-node', version: '1.0.0' }, { capabilities: elicits ? { elicitation: { form: {} } } : {} });
const asked = [];
if (elicits) {
  client.setRequestHandler(ElicitRequestSchema, async (req) => {
    asked.push(req.params);
    return scenario === 'confirm' ? { action: 'accept', content: { confirm: true } } : { action: 'decline' };
  });
}
const transport = kind === 'http'
  ? new StreamableHTTPClientTransport(new URL(target))
  : new StdioClientTransport({ command: target, args: ['mcp', ...rest], stderr: 'pipe' });
await client.connect(transport);

const out = { server: client.getServerVersion(), protocol: transport.protocolVersion ?? null };
const call = async (name, args) => {
  const res = await client.callTool({ name, arguments: args });
  return { isError: res.isError ?? false, structured: res.structuredContent ?? null, text: (res.content ?? []).map((c) => c.text ?? '').join('') };
};
const insert = "INSERT INTO awscc.cognito.user_pools (UserPoolName, region) SELECT 'node-pool', 'us-east-1'";

if (scenario === 'all') {
  const tools = await client.listTools();
  out.tools = tools.tools.map((t) => ({ name: t.name, annotations: t.annotations, inputType: t.inputSchema?.type, outputType: t.outputSchema?.type }));
  out.prompts = (await client.listPrompts()).prompts.map((p) => p.name);
  out.resources = (await client.listResources()).resources.map((r) => r.uri);
  out.templates = (await client.listResourceTemplates()).resourceTemplates.map((r) => r.uriTemplate);
  const page = await client.readResource({ uri: 'ccql://awscc/cognito/user_pool_clients' });
  out.page = page.contents[0].text;
  const prompt = await client.getPrompt({ name: 'cognito_audit', arguments: { region: 'us-east-1' } });
  out.prompt = prompt.messages[0].content.text;
  out.calls = {};
  out.calls.server_info = await call('server_info', {});
  out.calls.list_services = await call('list_services', { like: 'cog%' });
  out.calls.list_resources = await call('list_resources', { service: 'cognito' });
  out.calls.list_methods = await call('list_methods', { resource: 'awscc.cognito.user_pool_clients' });
  out.calls.describe_resource = await call('describe_resource', { resource: 'awscc.cognito.user_pool_clients' });
  out.calls.plan_mutation = await call('plan_mutation', { statement: insert });
  out.calls.run_mutation = await call('run_mutation', { statement: insert });
  const created = out.calls.run_mutation.structured?.requests?.[0] ?? {};
  out.calls.query = await call('query', { statement: `SELECT user_pool_id, user_pool_name, mfa_configuration FROM awscc.cognito.user_pools WHERE region = 'us-east-1' AND Identifier = '${created.identifier}'` });
  out.calls.request_status = await call('request_status', { region: 'us-east-1', request_token: created.request_token });
  out.calls.query_error = await call('query', { statement: "SELECT nope FROM awscc.cognito.user_pools WHERE region = 'us-east-1'" });
  out.calls.query_mutation = await call('query', { statement: insert });
} else {
  out.result = await call('run_mutation', { statement: insert });
  out.asked = asked;
}
console.log(JSON.stringify(out));
await client.close();
