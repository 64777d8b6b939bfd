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
