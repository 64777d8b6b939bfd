package catalog

// The cognito_outbox service: ccql's own table of the messages the
// emulated Cognito would have sent (docs/signin.md, "The outbox"). It is
// not a Cloud Control resource and StackQL has no such table; the engine
// serves it from the emulator, and the catalog only describes it.
//
// The service name has an underscore on purpose: a CloudFormation-derived
// service is the lower-cased second segment of a type name
// (AWS::Cognito::… → cognito), and those segments are alphanumeric, so no
// present or future resource type can produce cognito_outbox (the same
// reasoning keeps cloud_control apart).

// CognitoOutboxService is the service of the Cognito outbox table.
const CognitoOutboxService = "cognito_outbox"

// OutboxMessages is the name of the outbox table:
// awscc.cognito_outbox.messages.
const OutboxMessages = "messages"

// Columns of awscc.cognito_outbox.messages. Property is the field of the
// emulator's message JSON (GET /_ccql/cognito/messages) each column shows.
var outboxFields = [...]struct{ name, property, typ, desc string }{
	{"user_pool_id", "UserPoolId", "string", "The user pool that would have sent the message (required in WHERE)."},
	{"username", "Username", "string", "The user name the message was for (filter on destination for an address)."},
	{"sequence", "Sequence", "integer", "The message's position in the pool's outbox, from 1 (oldest first)."},
	{"kind", "Kind", "string", "Why the message was sent: a sign-up or attribute verification code, an invitation's temporary password, a password-reset code, an MFA or one-time code."},
	{"delivery_medium", "DeliveryMedium", "string", "EMAIL or SMS."},
	{"attribute_name", "AttributeName", "string", "The attribute the destination came from: email or phone_number."},
	{"destination", "Destination", "string", "The full e-mail address or phone number."},
	{"masked_destination", "MaskedDestination", "string", "The destination as CodeDeliveryDetails shows it (j***@e***)."},
	{"subject", "Subject", "string", "The e-mail subject, rendered from the pool's templates (NULL for SMS)."},
	{"message", "Message", "string", "The text, rendered from the pool's message templates ({####}, {username})."},
	{"code", "Code", "string", "What the template's {####} stood for: a verification code or a temporary password."},
	{"sent_at", "SentAt", "string", "When the message would have been sent (a timestamp)."},
}

// OutboxColumns returns the column names of awscc.cognito_outbox.messages
// in SELECT * order, region last.
func OutboxColumns() []string {
	out := make([]string, 0, len(outboxFields)+1)
	for _, f := range outboxFields {
		out = append(out, f.name)
	}
	return append(out, RegionColumn)
}

// outboxTables returns the cognito_outbox tables.
func outboxTables() []*Table {
	cols := make([]Column, 0, len(outboxFields)+1)
	for _, f := range outboxFields {
		key := f.name == "user_pool_id" || f.name == "username"
		cols = append(cols, Column{Name: f.name, Property: f.property, Type: f.typ, Description: f.desc, Key: key})
	}
	region := regionColumn()
	region.Description = "The AWS region: the user pool id's prefix."
	cols = append(cols, region)
	return []*Table{{
		Provider:    ProviderName,
		Service:     CognitoOutboxService,
		Name:        OutboxMessages,
		Kind:        KindNative,
		Description: "The messages the emulated Cognito would have sent by e-mail or SMS (the outbox; read-only; not available on real AWS).",
		Columns:     cols,
		Methods: []Method{{Name: "list_messages", Resource: OutboxMessages, SQLVerb: "SELECT",
			RequiredParams: []string{"user_pool_id"}, Operation: "GET /_ccql/cognito/messages"}},
	}}
}
