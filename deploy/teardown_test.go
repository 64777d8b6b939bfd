package deploy_test

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/ccql/ccql/deploy"
)

// ownExportsManifest is the usual stackql-deploy shape: each resource's
// delete identifies it by the resource's own export (here logs_name and
// audit_name), not by a prop or this.*.
const ownExportsManifest = `version: 1
name: own
globals:
  - name: region
    value: us-east-1
resources:
  - name: logs
    props:
      - name: group_name
        value: "{{ stack_name }}-{{ stack_env }}-logs"
    exports: [logs_name, logs_arn]
  - name: audit
    props:
      - name: group_name
        value: "{{ logs_name }}-audit"
    exports:
      - log_group_name: audit_name
exports: [logs_arn, audit_name]
`

const ownExportsLogsIQL = `/*+ exists */
SELECT COUNT(*) AS count FROM awscc.logs.log_groups_list_only
WHERE region = '{{ region }}' AND log_group_name = '{{ group_name }}';

/*+ create */
INSERT INTO awscc.logs.log_groups (LogGroupName, RetentionInDays, region)
SELECT '{{ group_name }}', 7, '{{ region }}'
RETURNING OperationStatus, ErrorCode, StatusMessage;

/*+ exports */
SELECT log_group_name AS logs_name, arn AS logs_arn FROM awscc.logs.log_groups
WHERE region = '{{ region }}' AND Identifier = '{{ group_name }}';

/*+ delete */
DELETE FROM awscc.logs.log_groups
WHERE region = '{{ region }}' AND Identifier = '{{ logs_name }}';
`

const ownExportsAuditIQL = `/*+ exists */
SELECT COUNT(*) AS count FROM awscc.logs.log_groups_list_only
WHERE region = '{{ region }}' AND log_group_name = '{{ group_name }}';

/*+ create */
INSERT INTO awscc.logs.log_groups (LogGroupName, RetentionInDays, region)
SELECT '{{ group_name }}', 14, '{{ region }}';

/*+ exports */
SELECT log_group_name FROM awscc.logs.log_groups
WHERE region = '{{ region }}' AND Identifier = '{{ group_name }}';

/*+ delete */
DELETE FROM awscc.logs.log_groups
WHERE region = '{{ region }}' AND Identifier = '{{ audit_name }}';
`

// TestTeardown_deleteUsesOwnExports is the reported defect: teardown
// rendered each delete with the variables it had before the resource's
// own exports were collected, so a delete naming its resource by its own
// export failed with `undefined "logs_name"` and the stack could never be
// torn down.
func TestTeardown_deleteUsesOwnExports(t *testing.T) {
	c := newCloud(t)
	st, err := deploy.Load(writeStack(t, map[string]string{
		"stackql_manifest.yml": ownExportsManifest,
		"resources/logs.iql":   ownExportsLogsIQL,
		"resources/audit.iql":  ownExportsAuditIQL,
	}))
	if err != nil {
		t.Fatal(err)
	}
	var sl sleeps
	cfg := deploy.Config{Env: "dev", Sleep: sl.sleep}
	if _, err := st.Build(context.Background(), c, cfg); err != nil {
		t.Fatalf("build: %v", err)
	}
	if got, want := c.logGroups(t), []string{"own-dev-logs", "own-dev-logs-audit"}; !slices.Equal(got, want) {
		t.Fatalf("after build: log groups %q, want %q", got, want)
	}
	res, err := st.Teardown(context.Background(), c, cfg)
	if err != nil {
		t.Fatalf("teardown: %v", err)
	}
	for _, rr := range res.Resources {
		if rr.Action != deploy.ActionDeleted {
			t.Errorf("%s: %s, want %s", rr.Name, rr.Action, deploy.ActionDeleted)
		}
	}
	if got := c.logGroups(t); len(got) != 0 {
		t.Errorf("teardown left %q", got)
	}
}

// TestTeardown_ownExportsMissing: when a resource exists but its exports
// query returns no row, a delete that needs those exports fails naming the
// variable and why it is not known, and deletes nothing.
func TestTeardown_ownExportsMissing(t *testing.T) {
	c := newCloud(t)
	files := map[string]string{
		"stackql_manifest.yml": ownExportsManifest,
		"resources/logs.iql":   ownExportsLogsIQL,
		"resources/audit.iql":  ownExportsAuditIQL,
	}
	st, err := deploy.Load(writeStack(t, files))
	if err != nil {
		t.Fatal(err)
	}
	cfg := deploy.Config{Env: "dev"}
	if _, err := st.Build(context.Background(), c, cfg); err != nil {
		t.Fatalf("build: %v", err)
	}
	files["resources/audit.iql"] = strings.Replace(ownExportsAuditIQL, "Identifier = '{{ group_name }}';\n\n/*+ delete", "Identifier = '{{ group_name }}' AND 1 = 0;\n\n/*+ delete", 1)
	if st, err = deploy.Load(writeStack(t, files)); err != nil {
		t.Fatal(err)
	}
	_, err = st.Teardown(context.Background(), c, cfg)
	want := `resource audit: delete: resources/audit.iql:15: undefined "audit_name" (audit_name is exported by resource audit, whose exports query returned no row)`
	if err == nil || !strings.Contains(err.Error(), want) {
		t.Errorf("teardown: %v\nwant %s", err, want)
	}
	if got := c.logGroups(t); len(got) != 2 {
		t.Errorf("log groups after the failed teardown: %v", got)
	}
}
