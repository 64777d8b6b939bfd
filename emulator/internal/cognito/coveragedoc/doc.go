// Package coveragedoc keeps docs/cognito-coverage.md, the table of what the
// emulator serves of Cognito user pools, in sync with the code: its test
// generates the document from the SDK's model (aws-sdk-go-v2's
// cognitoidentityprovider client), cognito.OperationNames, the Cloud
// Control handlers that cognito.Handlers registers and the real-client
// tests of the repository, and fails when the file differs.
//
// Regenerate the document with
//
//	go generate ./emulator/internal/cognito/coveragedoc
//
// (which runs go test -run TestCoverageDoc -update).
package coveragedoc

//go:generate go test -run TestCoverageDoc -update
