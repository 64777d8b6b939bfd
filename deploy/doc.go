// Package deploy runs stackql-deploy-compatible stacks through the ccql
// engine: `ccql deploy build|test|plan|teardown STACK_DIR STACK_ENV`.
//
// # Stacks
//
// A stack is a directory:
//
//	stackql_manifest.yml     the manifest
//	resources/<name>.iql     the queries of each resource, one per anchor
//
// The manifest (see Manifest):
//
//	version: 1
//	name: auth-stack                     # {{ stack_name }}; default: the directory's name
//	description: …
//	providers: [awscc]                   # documentation; ccql has the provider built in
//	globals:                             # rendered in order; an empty result is an error
//	  - name: region
//	    value: "{{ AWS_REGION | default('us-east-1') }}"
//	resources:                           # built in order, torn down in reverse
//	  - name: app_client
//	    type: resource                   # resource (default) | multi | query | command | script
//	    file: cognito/client.iql         # default: resources/<name>.iql
//	    if: "stack_env == 'prd'"         # a Jinja condition; false skips the resource
//	    props:                           # template variables of this resource, in order
//	      - name: client_name
//	        value: "{{ stack_name }}-{{ stack_env }}-web"
//	      - name: callback_urls
//	        values:                      # per environment; a missing environment is an error
//	          dev: {value: ["http://localhost:3000/callback"]}
//	          prd: {value: ["https://app.example.com/callback"]}
//	      - name: tags
//	        value: {Team: auth}
//	        merge: [common_tags]         # lists: union; dicts: shallow merge, later wins
//	    exports:                         # columns of the exports query, for later resources
//	      - client_id                    #   exported as {{ client_id }}
//	      - client_secret: app_secret    #   the column client_secret exported as {{ app_secret }}
//	    protected: [app_secret]          # masked everywhere ccql prints
//	    skip_validation: false           # true: never statecheck (nor update) an existing resource
//	    sql: …                           # query/command resources: the statement inline
//	    run: …                           # script resources: a shell command printing a JSON object
//	    return_vals:                     # (v2) RETURNING columns of a create/update/delete → this.*
//	      create: [{Identifier: identifier}]
//	exports: [client_id]                 # stack outputs (--output-file), plus stack_name,
//	                                     # stack_env and elapsed_time
//
// Unknown keys are errors, so a typo is never silently ignored.
//
// # Anchors
//
// A .iql file is split at anchor lines, /*+ name[, option=value…] */; each
// query runs as one ccql statement:
//
//	exists          SELECT: is the resource there? A count column (1 yes, 0 no, more is an
//	                error), or one row whose columns are captured as {{ this.<column> }}
//	                (no row, or only empty values, means missing; several rows are an error).
//	                Alias: preflight.
//	create          INSERT, when exists says missing.
//	update          UPDATE, when the statecheck says the resource drifted.
//	createorupdate  run on every build instead of exists/create/update.
//	statecheck      SELECT: is it in the desired state? Same answers as exists. Alias: postdeploy.
//	exports         SELECT: exactly one row holding the resource's exports.
//	delete          DELETE, in teardown.
//	command         any statement, for command resources.
//	callback[:op]   (v2) SELECT polled after a create, update or delete (op) until a row has a
//	                true success column or count 1; options retries (re-polls, default 3),
//	                retry_delay (default 5), short_circuit_field, short_circuit_value.
//	troubleshoot[:op]  (v2) SELECT run when that operation or the check after it fails; its
//	                rows are logged as JSON; it never changes the outcome.
//
// Anchor lines may be indented; names are case-insensitive; option values
// may be quoted.
//
// The anchors a command needs are checked when it starts, before any query
// runs: build and plan need create (or createorupdate) and, without
// createorupdate, an exists, statecheck or exports query to tell whether
// to create; test and teardown need one of those three to find the
// resource, never create. teardown keeps (does not delete) a resource
// whose file has no delete anchor, as stackql-deploy does.
//
// Options: retries=N is the number of attempts, for every anchor (the
// default 1 runs a query once); retry_delay=S seconds between them (default
// 5). A check is retried until it passes, a statement until it succeeds.
// postdelete_retries (default 10) and postdelete_retry_delay (default 5) on
// exists or statecheck pace the polling after a delete. (stackql-deploy v1
// counted retries as attempts for checks but as extra attempts for
// statements, and ignored the postdelete options; ccql does neither.)
//
// # Flows
//
// build, per resource in order: createorupdate if present (then the
// statecheck). Otherwise exists (or, without it, the statecheck, or the
// exports query, standing in for it); if missing, create; if present, the
// statecheck, and update when it is false. After a create or update, exists
// runs again (with the statecheck's retries) to capture what the cloud
// generated, then the statecheck runs with its retries: still false fails
// the build. Finally exports. A second build of an unchanged stack sends no
// mutation.
//
// test: exists, then the statecheck (with its retries), then exports; a
// missing resource or a false statecheck fails, naming the properties the
// update would change with both values. Nothing is mutated.
//
// plan: what build would do, without mutating: per resource create,
// update (with the properties that differ, current → desired, read from
// the cloud), no change, or create or update; with Config.Teardown, what
// teardown would delete. Result.WritePlan prints it, Result.Plan is the
// same as data. Resources that use exports of a resource still to be
// created are reported as create, with a note.
//
// teardown: every resource's exists and exports in order (later queries
// need earlier exports), then in reverse order delete each existing
// resource and poll exists until it is gone. Each delete renders with the
// full context, as in stackql-deploy: all exports collected (its own
// included), its props and this. A resource whose queries use an export of
// a resource that was not found is itself not found; a delete that cannot
// be rendered fails naming the variable and where it would come from. A
// multi resource is deleted even when exists says it is not there.
//
// query resources run their exports query (or sql) in every command;
// command resources run in every build (plan reports "would run"); in
// test and teardown only their exports query runs, so later resources
// and the stack exports have their exports; script resources run their shell
// command in build, test and teardown, in the stack directory with the run's
// variables in the environment, and export from its JSON output.
//
// # Mutations are awaited
//
// Cloud Control mutations are asynchronous; a statecheck right after a
// create must see the finished resource. The Querier must therefore await
// mutations: ccql deploy opens the engine with ccql.Config{Wait: true,
// FailOnFailed: true}. deploy also fails any mutation whose returned
// OperationStatus is FAILED, so RETURNING OperationStatus, ErrorCode,
// StatusMessage on every INSERT/UPDATE/DELETE gives the best messages.
//
// # Templates
//
// Every query and every manifest string is a Jinja template (gonja; see
// internal/template), rendered with: the environment variables of the run
// (the .env file, then -e KEY=VAL), stack_name, stack_env, the globals, the
// exports of earlier resources, the resource's props, resource_name,
// this (what its exists or return_vals captured) and callback (the
// RETURNING row of the last create, update or delete). vars.X and globals.X are aliases of X.
// Lists and dicts print as compact JSON, so '{{ explicit_auth_flows }}' is
// the JSON Cloud Control wants. Filters: generate_patch_document (byte for
// byte stackql-deploy v1's), from_json, tojson, base64_encode, merge_lists,
// merge_objects, sql_list, sql_escape; uuid() is a fresh UUID.
//
// An undefined variable or a template error fails the run with the file,
// line and name; the raw {{ … }} text is never sent.
//
// Before any query, every command checks what needs no query, for every
// resource, and reports all problems at once, so a mistake in a late
// resource never leaves early ones created: the anchors the command needs,
// the syntax of every template (queries, sql, props, if), and that each
// prop has a value for the environment. A resource whose if is false needs
// none; an if that uses an export of an earlier resource cannot be decided
// then, and that resource's values are checked when it is reached.
//
// # Errors and secrets
//
// A failing query is an error: a service error in exists never reads as
// "missing". Every error is an *Error naming the resource and the anchor,
// and wraps a sentinel (ErrNotDesired, ErrExports, ccql.ErrTemplate, …) or
// the engine's error.
//
// Protected exports, and every variable or column whose name looks like a
// secret (…secret…, …password…, …api_key…, …access_key…, …token), are
// masked as **** in logs, printed queries (ShowQueries, DryRun), plan
// output, progress lines and error messages. Result.Exports (what
// --output-file writes, mode 0600) holds the real values.
package deploy
