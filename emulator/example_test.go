package emulator_test

import (
	"context"
	"fmt"
	"log"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	cc "github.com/aws/aws-sdk-go-v2/service/cloudcontrol"

	"github.com/ccql/ccql/emulator"
)

// The real SDK client against an in-memory emulator, without a listener.
func ExampleNewServer() {
	s, err := emulator.NewServer(emulator.Options{})
	if err != nil {
		log.Fatal(err)
	}
	defer s.Close()

	client := cc.New(cc.Options{
		Region:       "us-east-1",
		BaseEndpoint: aws.String(s.URL()),
		HTTPClient:   s.HTTPClient(),
		Credentials:  credentials.NewStaticCredentialsProvider("AKIDEXAMPLE", "secret", ""),
	})
	ctx := context.Background()
	out, err := client.CreateResource(ctx, &cc.CreateResourceInput{
		TypeName:     aws.String("AWS::Cognito::UserPool"),
		DesiredState: aws.String(`{"UserPoolName":"example"}`),
	})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(out.ProgressEvent.Operation, out.ProgressEvent.OperationStatus)

	waiter := cc.NewResourceRequestSuccessWaiter(client, func(o *cc.ResourceRequestSuccessWaiterOptions) {
		o.MinDelay = 10 * time.Millisecond
	})
	final, err := waiter.WaitForOutput(ctx, &cc.GetResourceRequestStatusInput{RequestToken: out.ProgressEvent.RequestToken}, time.Minute)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(final.ProgressEvent.OperationStatus)
	// Output:
	// CREATE IN_PROGRESS
	// SUCCESS
}
