// Package catalog is the awscc provider as StackQL names it: services,
// resources and, per resource, the table the engine serves (columns in
// DESCRIBE order, methods in SHOW METHODS order), all derived from
// CloudFormation resource schemas.
//
// Names follow StackQL's awscc registry exactly, quirks included
// (reference/awscc-breadth.md §3): service = lower-cased second segment of
// the type name; resource = the generator's snake case of the last segment,
// pluralised (user_pool_clients), with a user_pool_clients_list_only twin
// when the type has a list handler; columns = the generator's naive snake
// case after its acronym table (callback_urls, e_c2_instance_type, _schema).
//
// The rows of DESCRIBE [EXTENDED] are Table.Columns (name, type,
// description), which is the seed page's Fields table; the rows of SHOW
// METHODS are Table.Methods, the seed's Methods table. The engine renders
// them. Besides the per-type services there is cloud_control, whose four
// native tables expose the Cloud Control operations (resource, resources,
// resource_request, resource_requests), and cognito_outbox, whose messages
// table is the emulated Cognito's outbox (ccql's own; not in StackQL).
//
// catalog.New(schema.NewFullRegistry()) is all of awscc: 1,490 provisionable
// types in 270 services, from the embedded schema archive
// (internal/schema/archive/schemas.bin) and the precomputed name index
// (awscc.tsv). Both are generated, never edited: to refresh them from a new
// schema set run
//
//	CCQL_CFN_ARCHIVE=/path/cfn-all-YYYY-MM-DD.tar.zst go generate ./internal/catalog/...
//
// catalog.New(schema.NewRegistry()) is just the hand-checked Cognito types.
package catalog

//go:generate go run ./gen -archive=${CCQL_CFN_ARCHIVE}
