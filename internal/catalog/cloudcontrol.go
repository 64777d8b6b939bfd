package catalog

// The generic cloud_control service: StackQL's static service file
// (providers/src/awscc/v00.00.00000/services/cloud_control.yaml) exposes the
// Cloud Control operations themselves as tables. The engine serves them; the
// catalog only describes them.

// CloudControlService is the service of the generic Cloud Control tables.
const CloudControlService = "cloud_control"

// Names of the generic cloud_control tables.
const (
	NativeResource         = "resource"          // GetResource by TypeName and Identifier
	NativeResources        = "resources"         // ListResources by TypeName; generic create/update/delete
	NativeResourceRequest  = "resource_request"  // GetResourceRequestStatus by RequestToken
	NativeResourceRequests = "resource_requests" // ListResourceRequests; CancelResourceRequest
)

// ProgressEventFields are the ProgressEvent fields, in the order the seed's
// RETURNING clauses list them.
var progressEventFields = [...]struct{ name, desc string }{
	{"ErrorCode", "The error code, if the operation failed."},
	{"EventTime", "When the current status of the request was last updated."},
	{"Identifier", "The primary identifier of the resource."},
	{"Operation", "The resource operation: CREATE, UPDATE or DELETE."},
	{"OperationStatus", "The status of the operation: PENDING, IN_PROGRESS, SUCCESS, FAILED, CANCEL_IN_PROGRESS or CANCEL_COMPLETE."},
	{"RequestToken", "The unique token of the resource request."},
	{"ResourceModel", "The resource's properties as a JSON string, when the operation status is SUCCESS."},
	{"RetryAfter", "When to next request the status of this request, if the operation is in progress."},
	{"StatusMessage", "Any message explaining the current status."},
	{"TypeName", "The name of the resource type."},
}

// ProgressEventFields returns the ProgressEvent field names in RETURNING
// order (ErrorCode, EventTime, …, TypeName); RETURNING * means all of them.
func ProgressEventFields() []string {
	out := make([]string, len(progressEventFields))
	for i, f := range progressEventFields {
		out[i] = f.name
	}
	return out
}

func progressEventColumns(keys ...string) []Column {
	key := toSet(keys)
	cols := make([]Column, 0, len(progressEventFields))
	for _, f := range progressEventFields {
		cols = append(cols, Column{Name: f.name, Property: f.name, Type: "string", Description: f.desc, Key: key[f.name]})
	}
	return cols
}

func nativeColumn(name, typ, desc string, key bool) Column {
	return Column{Name: name, Property: name, Type: typ, Description: desc, Key: key}
}

// nativeTables returns the generic cloud_control tables, sorted by name.
func nativeTables() []*Table {
	mk := func(name, desc string, cols []Column, methods ...Method) *Table {
		for i := range methods {
			methods[i].Resource = name
		}
		return &Table{
			Provider:    ProviderName,
			Service:     CloudControlService,
			Name:        name,
			Kind:        KindNative,
			Description: desc,
			Columns:     append(cols, regionColumn()),
			Methods:     methods,
		}
	}
	typeName := nativeColumn("TypeName", "string", "The name of the resource type, e.g. AWS::Cognito::UserPoolClient.", true)
	identifier := nativeColumn("Identifier", "string", "The primary identifier of the resource (values joined with |).", true)
	properties := nativeColumn("Properties", "string", "The resource's current properties as a JSON string.", false)
	return []*Table{
		mk(NativeResource, "Returns the current state of one resource (GetResource).",
			[]Column{typeName, identifier, properties},
			Method{Name: "get_resource", SQLVerb: "SELECT", RequiredParams: []string{"TypeName", "Identifier", RegionColumn}, Operation: "GetResource"}),
		mk(NativeResourceRequest, "Returns the current status of a resource operation request (GetResourceRequestStatus).",
			progressEventColumns("RequestToken"),
			Method{Name: "get_resource_request", SQLVerb: "SELECT", RequiredParams: []string{"RequestToken", RegionColumn}, Operation: "GetResourceRequestStatus"}),
		mk(NativeResourceRequests, "Resource operation requests made in the last 7 days (ListResourceRequests); DELETE cancels one (CancelResourceRequest).",
			append([]Column{nativeColumn("ResourceRequestStatusFilter", "object",
				`Filter as JSON: {"Operations":[…],"OperationStatuses":[…]}.`, true)}, progressEventColumns()...),
			Method{Name: "list_resource_requests", SQLVerb: "SELECT", RequiredParams: []string{RegionColumn}, Operation: "ListResourceRequests"},
			Method{Name: "cancel_resource_request", SQLVerb: "DELETE", RequiredParams: []string{"RequestToken", RegionColumn}, Operation: "CancelResourceRequest"}),
		mk(NativeResources, "Lists the resources of a type (ListResources); INSERT, UPDATE and DELETE act on any type.",
			[]Column{typeName, nativeColumn("Identifier", "string", "The primary identifier of the resource (values joined with |).", false), properties,
				nativeColumn("ResourceModel", "string", "Properties the list handler requires, as a JSON string.", true)},
			Method{Name: "create_resource", SQLVerb: "INSERT", RequiredParams: []string{"TypeName", "DesiredState", RegionColumn}, Operation: "CreateResource"},
			Method{Name: "delete_resource", SQLVerb: "DELETE", RequiredParams: []string{"TypeName", "Identifier", RegionColumn}, Operation: "DeleteResource"},
			Method{Name: "update_resource", SQLVerb: "UPDATE", RequiredParams: []string{"TypeName", "Identifier", "PatchDocument", RegionColumn}, Operation: "UpdateResource"},
			Method{Name: "list_resources", SQLVerb: "SELECT", RequiredParams: []string{"TypeName", RegionColumn}, Operation: "ListResources"}),
	}
}
