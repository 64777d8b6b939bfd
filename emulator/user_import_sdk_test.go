package emulator_test

import (
	"context"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"
	"github.com/ccql/ccql/emulator"
)

// TestSDK_UserImportJob imports a CSV through the pre-signed URL the
// emulator hands out: the good rows' users appear in RESET_REQUIRED, the
// bad rows are counted as failed.
func TestSDK_UserImportJob(t *testing.T) {
	c := &clock{t: time.Date(2026, 9, 1, 12, 0, 0, 0, time.UTC)}
	fullTransports(t, emulator.Options{Now: c.Now}, func(t *testing.T, s *emulator.Server, hc *http.Client) {
		ctx := context.Background()
		e := newUsersEnv(t, s, hc, c)
		pool := e.pool(&cip.CreateUserPoolInput{AliasAttributes: []types.AliasAttributeType{types.AliasAttributeTypeEmail}})
		header, err := e.idp.GetCSVHeader(ctx, &cip.GetCSVHeaderInput{UserPoolId: aws.String(pool)})
		if err != nil {
			t.Fatalf("GetCSVHeader: %v", err)
		}
		col := map[string]int{}
		for i, h := range header.CSVHeader {
			col[h] = i
		}
		row := func(kv map[string]string) string {
			fields := make([]string, len(header.CSVHeader))
			for k, v := range kv {
				fields[col[k]] = v
			}
			return strings.Join(fields, ",")
		}
		csv := strings.Join([]string{
			strings.Join(header.CSVHeader, ","),
			row(map[string]string{"cognito:username": "carol", "email": "carol@example.com", "email_verified": "true", "given_name": "Carol", "cognito:mfa_enabled": "false"}),
			row(map[string]string{"cognito:username": "dave", "email": "dave@example.com", "email_verified": "false", "cognito:mfa_enabled": "false"}),
			row(map[string]string{"cognito:username": "erin", "phone_number": "+15555550100", "phone_number_verified": "true", "cognito:mfa_enabled": "true"}),
			row(map[string]string{"cognito:username": "carol", "email": "carol2@example.com", "email_verified": "true", "cognito:mfa_enabled": "false"}),
			row(map[string]string{"cognito:username": "frank", "email": "not-an-email", "email_verified": "true", "cognito:mfa_enabled": "false"}),
		}, "\n") + "\n"

		job, err := e.idp.CreateUserImportJob(ctx, &cip.CreateUserImportJobInput{UserPoolId: aws.String(pool), JobName: aws.String("batch-1"),
			CloudWatchLogsRoleArn: aws.String("arn:aws:iam::123456789012:role/CognitoImport")})
		if err != nil {
			t.Fatalf("CreateUserImportJob: %v", err)
		}
		j := job.UserImportJob
		if j.Status != types.UserImportJobStatusTypeCreated || !strings.HasPrefix(aws.ToString(j.JobId), "import-") {
			t.Fatalf("created job = %+v", j)
		}
		url := aws.ToString(j.PreSignedUrl)
		if !strings.HasPrefix(url, s.URL()+"/"+pool+"/") {
			t.Fatalf("PreSignedUrl %q is not on the emulator %s", url, s.URL())
		}

		put := func(target string) int {
			t.Helper()
			req, err := http.NewRequest(http.MethodPut, target, strings.NewReader(csv))
			if err != nil {
				t.Fatal(err)
			}
			req.Header.Set("Content-Type", "text/csv")
			resp, err := hc.Do(req)
			if err != nil {
				t.Fatalf("PUT: %v", err)
			}
			resp.Body.Close()
			return resp.StatusCode
		}
		if got := put(strings.Replace(url, "token=", "token=x", 1)); got != http.StatusForbidden {
			t.Errorf("PUT with a wrong token: %d, want 403", got)
		}
		if got := put(url); got != http.StatusOK {
			t.Fatalf("PUT to the pre-signed URL: %d", got)
		}

		started, err := e.idp.StartUserImportJob(ctx, &cip.StartUserImportJobInput{UserPoolId: aws.String(pool), JobId: j.JobId})
		if err != nil {
			t.Fatalf("StartUserImportJob: %v", err)
		}
		d, err := e.idp.DescribeUserImportJob(ctx, &cip.DescribeUserImportJobInput{UserPoolId: aws.String(pool), JobId: j.JobId})
		if err != nil {
			t.Fatalf("DescribeUserImportJob: %v", err)
		}
		for _, got := range []*types.UserImportJobType{started.UserImportJob, d.UserImportJob} {
			if got.Status != types.UserImportJobStatusTypeSucceeded || got.ImportedUsers != 2 || got.FailedUsers != 3 || got.StartDate == nil || got.CompletionDate == nil {
				t.Errorf("finished job = status %s imported %d failed %d", got.Status, got.ImportedUsers, got.FailedUsers)
			}
		}

		for name, want := range map[string]string{"carol": "Carol", "erin": ""} {
			u, err := e.idp.AdminGetUser(ctx, &cip.AdminGetUserInput{UserPoolId: aws.String(pool), Username: aws.String(name)})
			if err != nil {
				t.Fatalf("AdminGetUser %s: %v", name, err)
			}
			if u.UserStatus != types.UserStatusTypeResetRequired {
				t.Errorf("%s status %s, want RESET_REQUIRED", name, u.UserStatus)
			}
			given := ""
			for _, a := range u.UserAttributes {
				if aws.ToString(a.Name) == "given_name" {
					given = aws.ToString(a.Value)
				}
			}
			if given != want {
				t.Errorf("%s given_name %q, want %q", name, given, want)
			}
		}
		for _, name := range []string{"dave", "frank"} {
			if _, err := e.idp.AdminGetUser(ctx, &cip.AdminGetUserInput{UserPoolId: aws.String(pool), Username: aws.String(name)}); err == nil {
				t.Errorf("the bad row's user %s was imported", name)
			}
		}
		// The first carol is kept: the duplicate row failed.
		if u, _ := e.idp.AdminGetUser(ctx, &cip.AdminGetUserInput{UserPoolId: aws.String(pool), Username: aws.String("carol")}); u != nil {
			for _, a := range u.UserAttributes {
				if aws.ToString(a.Name) == "email" && aws.ToString(a.Value) != "carol@example.com" {
					t.Errorf("carol's email became %s", aws.ToString(a.Value))
				}
			}
		}

		_, err = e.idp.StartUserImportJob(ctx, &cip.StartUserImportJobInput{UserPoolId: aws.String(pool), JobId: j.JobId})
		wantAPIError(t, err, "PreconditionNotMetException", "Import job "+aws.ToString(j.JobId)+" is Succeeded; only a Created job can be started.")
		_, err = e.idp.StopUserImportJob(ctx, &cip.StopUserImportJobInput{UserPoolId: aws.String(pool), JobId: j.JobId})
		wantAPIError(t, err, "PreconditionNotMetException", "Import job "+aws.ToString(j.JobId)+" is Succeeded; only a Pending or InProgress job can be stopped.")
		if got := put(url); got != http.StatusForbidden {
			t.Errorf("PUT after the job ran: %d, want 403", got)
		}

		// A job started without a file fails.
		empty, err := e.idp.CreateUserImportJob(ctx, &cip.CreateUserImportJobInput{UserPoolId: aws.String(pool), JobName: aws.String("batch-2"),
			CloudWatchLogsRoleArn: aws.String("arn:aws:iam::123456789012:role/CognitoImport")})
		if err != nil {
			t.Fatalf("CreateUserImportJob: %v", err)
		}
		failed, err := e.idp.StartUserImportJob(ctx, &cip.StartUserImportJobInput{UserPoolId: aws.String(pool), JobId: empty.UserImportJob.JobId})
		if err != nil || failed.UserImportJob.Status != types.UserImportJobStatusTypeFailed {
			t.Errorf("job without a file: %v %+v", err, failed)
		}

		list, err := e.idp.ListUserImportJobs(ctx, &cip.ListUserImportJobsInput{UserPoolId: aws.String(pool), MaxResults: aws.Int32(1)})
		if err != nil {
			t.Fatalf("ListUserImportJobs: %v", err)
		}
		names := []string{aws.ToString(list.UserImportJobs[0].JobName)}
		next, err := e.idp.ListUserImportJobs(ctx, &cip.ListUserImportJobsInput{UserPoolId: aws.String(pool), MaxResults: aws.Int32(1), PaginationToken: list.PaginationToken})
		if err != nil {
			t.Fatalf("ListUserImportJobs page 2: %v", err)
		}
		names = append(names, aws.ToString(next.UserImportJobs[0].JobName))
		slices.Sort(names)
		if !slices.Equal(names, []string{"batch-1", "batch-2"}) || next.PaginationToken != nil {
			t.Errorf("listed jobs %v, next token %v", names, next.PaginationToken)
		}

		_, err = e.idp.DescribeUserImportJob(ctx, &cip.DescribeUserImportJobInput{UserPoolId: aws.String(pool), JobId: aws.String("import-missing")})
		wantAPIError(t, err, "ResourceNotFoundException", "Import job import-missing does not exist.")
		_, err = e.idp.CreateUserImportJob(ctx, &cip.CreateUserImportJobInput{UserPoolId: aws.String(pool), JobName: aws.String("bad/name"),
			CloudWatchLogsRoleArn: aws.String("arn:aws:iam::123456789012:role/CognitoImport")})
		wantAPIError(t, err, "InvalidParameterException", `1 validation error detected: Value 'bad/name' at 'jobName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\w\s+=,.@-]+`)
	})
}
