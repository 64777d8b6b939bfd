package ccql_test

import (
	"context"
	"fmt"
	"log"
	"os"

	"github.com/ccql/ccql"
)

// Open an engine on the embedded emulator, create a user pool and list it.
func Example() {
	dir, err := os.MkdirTemp("", "ccql-example")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)

	ctx := context.Background()
	eng, err := ccql.Open(ctx, ccql.Config{DataDir: dir, Wait: true})
	if err != nil {
		log.Fatal(err)
	}
	defer eng.Close()

	results, err := eng.Exec(ctx, `
		INSERT INTO awscc.cognito.user_pools (UserPoolName, region) SELECT 'example', 'us-east-1'
		RETURNING Operation, OperationStatus;
		SELECT user_pool_name FROM awscc.cognito.user_pools WHERE region = 'us-east-1';`)
	if err != nil {
		log.Fatal(err)
	}
	for _, res := range results {
		for _, row := range res.Rows {
			fmt.Println(row...)
		}
	}
	// Output:
	// CREATE SUCCESS
	// example
}

// Prepare a mutation, see the requests it would send, then send them.
func ExampleStmt_Plan() {
	dir, err := os.MkdirTemp("", "ccql-example")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)

	ctx := context.Background()
	eng, err := ccql.Open(ctx, ccql.Config{DataDir: dir})
	if err != nil {
		log.Fatal(err)
	}
	defer eng.Close()

	stmt, err := eng.Prepare(ctx, `INSERT INTO awscc.cognito.user_pools (UserPoolName, MfaConfiguration, region) VALUES ($1, $2, $3)`)
	if err != nil {
		log.Fatal(err) // an unknown column, a bad value or RETURNING: nothing was sent
	}
	reqs, err := stmt.Plan(ctx, "planned", "OFF", "us-east-1")
	if err != nil {
		log.Fatal(err)
	}
	for _, r := range reqs {
		fmt.Println(r.Operation, r.TypeName, r.Region, r.DesiredState)
	}
	// stmt.Exec(ctx, "planned", "OFF", "us-east-1") would send exactly these.

	// Output:
	// CreateResource AWS::Cognito::UserPool us-east-1 {"MfaConfiguration":"OFF","UserPoolName":"planned"}
}
