package cognito

import (
	"bytes"
	"context"
	"crypto/hmac"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"

	"github.com/ccql/ccql/internal/handler"
)

// User import jobs. CreateUserImportJob returns a pre-signed URL on the
// emulator's own address (the issuer base of the request, as for tokens),
// "<base>/<poolId>/_ccql/userimport/<jobId>?token=<secret>"; an HTTP PUT of
// the CSV there stores it (OAuth.serveUserImport). StartUserImportJob runs
// the import at once, inside its transaction: the job is Succeeded (or
// Failed, when the file is missing or its header unusable) when Start
// returns, so StopUserImportJob, which only stops a Pending or InProgress
// job, always finds a finished one. Each row's failure is counted in
// FailedUsers and kept, "Line <n>: <message>", in the stored job's
// RowErrors (AWS writes them to CloudWatch Logs, which the emulator has
// not).

// userImportPath is the path segment of the upload URL after the pool id.
const userImportPath = "_ccql/userimport/"

// maxImportBytes bounds an uploaded CSV (AWS: 100 MB).
const maxImportBytes = 100 << 20

// Job statuses (UserImportJobStatusType).
const (
	importCreated   = "Created"
	importPending   = "Pending"
	importRunning   = "InProgress"
	importSucceeded = "Succeeded"
	importFailed    = "Failed"
	importStopped   = "Stopped"
)

const typePreconditionNotMet = "PreconditionNotMetException"

var (
	patJobName = mustPattern(`[\w\s+=,.@-]+`)
	patJobID   = mustPattern(`import-[0-9a-zA-Z-]+`)
)

// importJob is a stored job: UserImportJobType plus what only the emulator
// keeps (the upload secret, whether a file was uploaded, the row errors).
type importJob struct {
	JobName               string        `json:"JobName"`
	JobId                 string        `json:"JobId"`
	UserPoolId            string        `json:"UserPoolId"`
	PreSignedUrl          string        `json:"PreSignedUrl"`
	CreationDate          epochSeconds  `json:"CreationDate"`
	StartDate             *epochSeconds `json:"StartDate,omitempty"`
	CompletionDate        *epochSeconds `json:"CompletionDate,omitempty"`
	Status                string        `json:"Status"`
	CloudWatchLogsRoleArn string        `json:"CloudWatchLogsRoleArn"`
	ImportedUsers         int64         `json:"ImportedUsers"`
	SkippedUsers          int64         `json:"SkippedUsers"`
	FailedUsers           int64         `json:"FailedUsers"`
	CompletionMessage     string        `json:"CompletionMessage,omitempty"`

	UploadToken string   `json:"UploadToken"`
	Uploaded    bool     `json:"Uploaded"`
	RowErrors   []string `json:"RowErrors,omitempty"`
}

// apiOut is the job as UserImportJobType.
func (j *importJob) apiOut() map[string]any {
	out := map[string]any{
		"JobName": j.JobName, "JobId": j.JobId, "UserPoolId": j.UserPoolId, "PreSignedUrl": j.PreSignedUrl,
		"CreationDate": j.CreationDate, "Status": j.Status, "CloudWatchLogsRoleArn": j.CloudWatchLogsRoleArn,
		"ImportedUsers": j.ImportedUsers, "SkippedUsers": j.SkippedUsers, "FailedUsers": j.FailedUsers,
	}
	if j.StartDate != nil {
		out["StartDate"] = *j.StartDate
	}
	if j.CompletionDate != nil {
		out["CompletionDate"] = *j.CompletionDate
	}
	if j.CompletionMessage != "" {
		out["CompletionMessage"] = j.CompletionMessage
	}
	return out
}

func jobKey(poolID, jobID string) string { return settingKey(poolID, "import", jobID) }
func csvKey(poolID, jobID string) string { return settingKey(poolID, "importcsv", jobID) }

// importCSV is an uploaded file, stored apart from its job.
type importCSV struct {
	Data []byte `json:"Data"`
}

func loadJob(tx handler.Tx, poolID, jobID string) (*importJob, error) {
	if _, err := loadPool(tx, poolID); err != nil {
		return nil, err
	}
	var j importJob
	found, err := getJSON(tx, typePoolSettings, jobKey(poolID, jobID), &j)
	if err != nil {
		return nil, err
	}
	if !found {
		// Not a message Cognito is known to use for an unknown job.
		return nil, resourceNotFound("Import job %s does not exist.", jobID)
	}
	return &j, nil
}

func opCreateUserImportJob(ctx context.Context, env handler.Env, tx handler.Tx, body []byte) (any, error) {
	var in struct {
		JobName               *string `json:"JobName"`
		UserPoolId            *string `json:"UserPoolId"`
		CloudWatchLogsRoleArn *string `json:"CloudWatchLogsRoleArn"`
	}
	if err := decodeBody(body, &in); err != nil {
		return nil, err
	}
	var v violations
	v.checkRequiredString("jobName", in.JobName, 1, 128, &patJobName)
	v.checkRequiredString("userPoolId", in.UserPoolId, 1, 55, &patUserPoolID)
	v.checkRequiredString("cloudWatchLogsRoleArn", in.CloudWatchLogsRoleArn, 20, 2048, &patARN)
	if err := v.err(); err != nil {
		return nil, err
	}
	poolID := *in.UserPoolId
	if _, err := loadPool(tx, poolID); err != nil {
		return nil, err
	}
	suffix, err := randomString(env.Rand, mixedAlnum, 10)
	if err != nil {
		return nil, err
	}
	token, err := randomString(env.Rand, lowerAlnum, 40)
	if err != nil {
		return nil, err
	}
	j := &importJob{
		JobName: *in.JobName, JobId: "import-" + suffix, UserPoolId: poolID,
		CreationDate: epochSeconds(env.Now), Status: importCreated, CloudWatchLogsRoleArn: *in.CloudWatchLogsRoleArn,
		UploadToken: token,
	}
	ri := requestOf(ctx)
	j.PreSignedUrl = issuerBaseFor(ri.rt.issuerURL, ri.r, env.Region) + "/" + poolID + "/" + userImportPath + j.JobId + "?token=" + token
	if err := putJSON(tx, typePoolSettings, jobKey(poolID, j.JobId), j); err != nil {
		return nil, err
	}
	return map[string]any{"UserImportJob": j.apiOut()}, nil
}

type jobInput struct {
	UserPoolId *string `json:"UserPoolId"`
	JobId      *string `json:"JobId"`
}

func (in *jobInput) load(tx handler.Tx, body []byte) (*importJob, error) {
	if err := decodeBody(body, in); err != nil {
		return nil, err
	}
	var v violations
	v.checkRequiredString("userPoolId", in.UserPoolId, 1, 55, &patUserPoolID)
	v.checkRequiredString("jobId", in.JobId, 1, 55, &patJobID)
	if err := v.err(); err != nil {
		return nil, err
	}
	return loadJob(tx, *in.UserPoolId, *in.JobId)
}

func opDescribeUserImportJob(_ context.Context, _ handler.Env, tx handler.Tx, body []byte) (any, error) {
	var in jobInput
	j, err := in.load(tx, body)
	if err != nil {
		return nil, err
	}
	return map[string]any{"UserImportJob": j.apiOut()}, nil
}

func opStartUserImportJob(_ context.Context, env handler.Env, tx handler.Tx, body []byte) (any, error) {
	var in jobInput
	j, err := in.load(tx, body)
	if err != nil {
		return nil, err
	}
	if j.Status != importCreated {
		// Not a message Cognito is known to use; the exception is AWS's.
		return nil, apiErrorf(typePreconditionNotMet, "Import job %s is %s; only a Created job can be started.", j.JobId, j.Status)
	}
	now := epochSeconds(env.Now)
	j.StartDate = &now
	if err := runImport(env, tx, j); err != nil {
		return nil, err
	}
	j.CompletionDate = &now
	if err := putJSON(tx, typePoolSettings, jobKey(j.UserPoolId, j.JobId), j); err != nil {
		return nil, err
	}
	return map[string]any{"UserImportJob": j.apiOut()}, nil
}

func opStopUserImportJob(_ context.Context, env handler.Env, tx handler.Tx, body []byte) (any, error) {
	var in jobInput
	j, err := in.load(tx, body)
	if err != nil {
		return nil, err
	}
	if j.Status != importPending && j.Status != importRunning {
		// Not a message Cognito is known to use; the exception is AWS's.
		return nil, apiErrorf(typePreconditionNotMet, "Import job %s is %s; only a Pending or InProgress job can be stopped.", j.JobId, j.Status)
	}
	now := epochSeconds(env.Now)
	j.Status, j.CompletionDate = importStopped, &now
	if err := putJSON(tx, typePoolSettings, jobKey(j.UserPoolId, j.JobId), j); err != nil {
		return nil, err
	}
	return map[string]any{"UserImportJob": j.apiOut()}, nil
}

func opListUserImportJobs(_ context.Context, _ handler.Env, tx handler.Tx, body []byte) (any, error) {
	var in struct {
		UserPoolId      *string `json:"UserPoolId"`
		MaxResults      *int    `json:"MaxResults"`
		PaginationToken *string `json:"PaginationToken"`
	}
	if err := decodeBody(body, &in); err != nil {
		return nil, err
	}
	var v violations
	v.checkRequiredString("userPoolId", in.UserPoolId, 1, 55, &patUserPoolID)
	if in.MaxResults == nil {
		v.add("null", "maxResults", "Member must not be null")
	} else {
		v.checkInt("maxResults", in.MaxResults, 1, 60)
	}
	v.checkString("paginationToken", in.PaginationToken, 1, 131072, &patNextToken)
	if err := v.err(); err != nil {
		return nil, err
	}
	if _, err := loadPool(tx, *in.UserPoolId); err != nil {
		return nil, err
	}
	p, err := keyPage(tx, typePoolSettings, settingKey(*in.UserPoolId, "import", "")+"|", *in.MaxResults, in.PaginationToken, "ListUserImportJobs|"+*in.UserPoolId, nil)
	if err != nil {
		return nil, fmt.Errorf("list import jobs of %s: %w", *in.UserPoolId, err)
	}
	jobs := make([]map[string]any, 0, len(p.recs))
	for _, r := range p.recs {
		var j importJob
		if err := decodeRaw(r.Model, &j); err != nil {
			return nil, err
		}
		jobs = append(jobs, j.apiOut())
	}
	out := map[string]any{"UserImportJobs": jobs}
	if p.next != "" {
		out["PaginationToken"] = p.next
	}
	return out, nil
}

// runImport imports the job's CSV into its pool and sets the job's final
// status and counts.
func runImport(env handler.Env, tx handler.Tx, j *importJob) error {
	var file importCSV
	found, err := getJSON(tx, typePoolSettings, csvKey(j.UserPoolId, j.JobId), &file)
	if err != nil {
		return err
	}
	if !found {
		j.Status, j.CompletionMessage = importFailed, "The user import file was not uploaded to the job's pre-signed URL."
		return nil
	}
	cfg, err := loadPoolConfig(tx, j.UserPoolId)
	if err != nil {
		return err
	}
	pool, err := loadPool(tx, j.UserPoolId)
	if err != nil {
		return err
	}
	rows, err := parseImportCSV(file.Data, csvHeader(pool))
	if err != nil {
		j.Status, j.CompletionMessage = importFailed, err.Error()
		return nil
	}
	for _, row := range rows {
		err := importUser(env, tx, cfg, row.fields)
		var apiErr *APIError
		switch {
		case err == nil:
			j.ImportedUsers++
		case errors.As(err, &apiErr):
			j.FailedUsers++
			j.RowErrors = append(j.RowErrors, fmt.Sprintf("Line %d: %s", row.line, apiErr.Message))
		default:
			return err
		}
	}
	j.Status = importSucceeded
	j.CompletionMessage = "Import Job Completed Successfully."
	if j.FailedUsers > 0 {
		j.CompletionMessage = fmt.Sprintf("Import Job Completed. %d users were not imported.", j.FailedUsers)
	}
	return nil
}

// importRow is one data row of an import CSV: its line and its non-empty
// fields by column.
type importRow struct {
	line   int
	fields map[string]string
}

// errImportHeader is a CSV whose header the import cannot use.
var errImportHeader = errors.New("invalid user import CSV header")

// parseImportCSV reads an import CSV: a header of columns of allowed (the
// pool's GetCSVHeader columns, in any order, each at most once, with
// cognito:username and cognito:mfa_enabled), then one user per row.
func parseImportCSV(data []byte, allowed []string) ([]importRow, error) {
	r := csv.NewReader(bytes.NewReader(data))
	r.FieldsPerRecord = 0
	header, err := r.Read()
	if err != nil {
		return nil, fmt.Errorf("%w: %v", errImportHeader, err)
	}
	seen := map[string]bool{}
	for i, col := range header {
		col = strings.TrimSpace(strings.TrimPrefix(col, "\ufeff"))
		header[i] = col
		if !contains(allowed, col) {
			return nil, fmt.Errorf("%w: unknown column %q", errImportHeader, col)
		}
		if seen[col] {
			return nil, fmt.Errorf("%w: column %q appears twice", errImportHeader, col)
		}
		seen[col] = true
	}
	for _, must := range []string{"cognito:username", "cognito:mfa_enabled"} {
		if !seen[must] {
			return nil, fmt.Errorf("%w: column %q is missing", errImportHeader, must)
		}
	}
	var rows []importRow
	for {
		rec, err := r.Read()
		if errors.Is(err, io.EOF) {
			return rows, nil
		}
		if err != nil {
			return nil, fmt.Errorf("user import CSV: %w", err)
		}
		line, _ := r.FieldPos(0)
		fields := map[string]string{}
		for i, v := range rec {
			if v != "" {
				fields[header[i]] = v
			}
		}
		rows = append(rows, importRow{line: line, fields: fields})
	}
}

// importUser creates the user of one row, in RESET_REQUIRED status (imported
// users have no password; they reset it on first sign-in).
func importUser(env handler.Env, tx handler.Tx, cfg *poolConfig, fields map[string]string) error {
	username := fields["cognito:username"]
	if username == "" {
		return invalidParameter("cognito:username is required.")
	}
	mfa := strings.ToLower(fields["cognito:mfa_enabled"])
	if mfa != "" && mfa != "true" && mfa != "false" {
		return invalidParameter("cognito:mfa_enabled must be true or false.")
	}
	if err := checkUsernameFormat(cfg, username); err != nil {
		return err
	}
	if existing, err := loadUserByKey(tx, cfg.userKey(username)); err != nil {
		return err
	} else if existing != nil {
		return apiErrorf(typeUsernameExists, "User account already exists")
	}
	u, err := newUser(env, cfg, username)
	if err != nil {
		return err
	}
	if attr := usernameAttributeOf(cfg, username); attr != "" {
		u.setAttr(attr, username)
	}
	var attrs []attributeType
	for col, val := range fields {
		if strings.HasPrefix(col, "cognito:") {
			continue
		}
		attrs = append(attrs, attributeType{Name: &col, Value: &val})
	}
	if err := applyAttributes(cfg, u, attrs, true); err != nil {
		return err
	}
	// Imported users recover their account by a verified e-mail or phone.
	if !u.verified("email") && !u.verified("phone_number") {
		return invalidParameter("The user must have a verified email or phone_number (email_verified or phone_number_verified true).")
	}
	if mfa == "true" {
		if _, ok := u.attr("phone_number"); !ok {
			return invalidParameter("A user with cognito:mfa_enabled true must have a phone_number.")
		}
	}
	if err := checkRequiredAttributes(cfg, u); err != nil {
		return err
	}
	if err := claimAliases(env, tx, cfg, u, false); err != nil {
		return err
	}
	u.Status = statusResetRequired
	return saveUser(env, tx, cfg, u)
}

// serveUserImport stores a CSV PUT to a job's pre-signed URL. The token in
// the URL is the job's secret; a wrong one is refused as S3 refuses a bad
// signature.
func (o *OAuth) serveUserImport(w http.ResponseWriter, r *http.Request, loc poolLocator, jobID string) {
	if r.Method != http.MethodPut {
		w.Header().Set("Allow", http.MethodPut)
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	data, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxImportBytes))
	if err != nil {
		http.Error(w, "the file is larger than 100 MB", http.StatusRequestEntityTooLarge)
		return
	}
	token := r.URL.Query().Get("token")
	errDenied := errors.New("denied")
	err = o.update(r, func(scope Scope) error {
		ref, err := loc.locate(scope, o.cfg.Accounts)
		if err != nil {
			return errDenied
		}
		tx := ref.tx(scope)
		var j importJob
		found, err := getJSON(tx, typePoolSettings, jobKey(ref.poolID, jobID), &j)
		if err != nil {
			return err
		}
		if !found || !hmac.Equal([]byte(j.UploadToken), []byte(token)) || j.Status != importCreated {
			return errDenied
		}
		if err := putJSON(tx, typePoolSettings, csvKey(ref.poolID, jobID), importCSV{Data: data}); err != nil {
			return err
		}
		j.Uploaded = true
		return putJSON(tx, typePoolSettings, jobKey(ref.poolID, jobID), j)
	})
	switch {
	case errors.Is(err, errDenied):
		http.Error(w, "AccessDenied: the pre-signed URL is not valid", http.StatusForbidden)
	case err != nil:
		o.cfg.Logger.Error("cognito user import: upload", "job", jobID, "error", err)
		http.Error(w, "internal error", http.StatusInternalServerError)
	default:
		w.WriteHeader(http.StatusOK)
	}
}
