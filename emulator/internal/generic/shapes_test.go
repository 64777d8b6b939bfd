package generic_test

import (
	"context"
	"regexp"
	"testing"

	"github.com/ccql/ccql/emulator/internal/generic"
	"github.com/ccql/ccql/internal/handler"
	"github.com/ccql/ccql/internal/schema"
)

// TestHandler_shapes checks the generated values whose AWS shape is
// particular to their type.
func TestHandler_shapes(t *testing.T) {
	reg := schema.NewFullRegistry()
	tests := []struct {
		typeName string
		desired  map[string]any
		want     map[string]string // property → regular expression
	}{
		{"AWS::SQS::Queue", map[string]any{"QueueName": "q1"}, map[string]string{
			"QueueUrl": `^https://sqs\.eu-west-1\.amazonaws\.com/123456789012/q1$`,
			"Arn":      `^arn:aws:sqs:eu-west-1:123456789012:q1$`,
		}},
		{"AWS::SQS::Queue", map[string]any{}, map[string]string{
			"QueueName": `^queue-[A-Z0-9]{12}$`,
			"QueueUrl":  `^https://sqs\.eu-west-1\.amazonaws\.com/123456789012/queue-[A-Z0-9]{12}$`,
			"Arn":       `^arn:aws:sqs:eu-west-1:123456789012:queue-[A-Z0-9]{12}$`,
		}},
		{"AWS::SQS::Queue", map[string]any{"FifoQueue": true}, map[string]string{
			"QueueName": `^queue-[A-Z0-9]{12}\.fifo$`,
			"QueueUrl":  `^https://sqs\.eu-west-1\.amazonaws\.com/123456789012/queue-[A-Z0-9]{12}\.fifo$`,
		}},
		{"AWS::SNS::Topic", map[string]any{"TopicName": "t1"}, map[string]string{
			"TopicArn": `^arn:aws:sns:eu-west-1:123456789012:t1$`,
		}},
		{"AWS::SNS::Topic", map[string]any{}, map[string]string{
			"TopicName": `^topic-[A-Z0-9]{12}$`,
			"TopicArn":  `^arn:aws:sns:eu-west-1:123456789012:topic-[A-Z0-9]{12}$`,
		}},
		{"AWS::ECR::Repository", map[string]any{"RepositoryName": "app/web"}, map[string]string{
			"RepositoryUri": `^123456789012\.dkr\.ecr\.eu-west-1\.amazonaws\.com/app/web$`,
			"Arn":           `^arn:aws:ecr:eu-west-1:123456789012:repository/app/web$`,
		}},
		{"AWS::S3::Bucket", map[string]any{"BucketName": "my-bucket"}, map[string]string{
			"Arn":                 `^arn:aws:s3:::my-bucket$`,
			"DomainName":          `^my-bucket\.s3\.amazonaws\.com$`,
			"RegionalDomainName":  `^my-bucket\.s3\.eu-west-1\.amazonaws\.com$`,
			"DualStackDomainName": `^my-bucket\.s3\.dualstack\.eu-west-1\.amazonaws\.com$`,
			"WebsiteURL":          `^http://my-bucket\.s3-website-eu-west-1\.amazonaws\.com$`,
		}},
		{"AWS::S3::Bucket", map[string]any{}, map[string]string{
			"BucketName": `^bucket-[a-z0-9]{12}$`,
			"DomainName": `^bucket-[a-z0-9]{12}\.s3\.amazonaws\.com$`,
		}},
		{"AWS::Logs::LogGroup", map[string]any{"LogGroupName": "/aws/lambda/f"}, map[string]string{
			"Arn": `^arn:aws:logs:eu-west-1:123456789012:log-group:/aws/lambda/f:\*$`,
		}},
	}
	for _, tt := range tests {
		t.Run(tt.typeName, func(t *testing.T) {
			res, err := reg.Lookup(tt.typeName)
			if err != nil {
				t.Fatal(err)
			}
			h, err := generic.New(res)
			if err != nil {
				t.Fatal(err)
			}
			m := create(t, h, testEnv("eu-west-1"), memTx{}, tt.desired)
			for prop, re := range tt.want {
				s, _ := m[prop].(string)
				if !regexp.MustCompile(re).MatchString(s) {
					t.Errorf("%s = %q, want %s", prop, s, re)
				}
			}
		})
	}
}

// TestHandler_sqsNameIsIdentity checks a queue name is taken once: the
// queue's URL, its identifier, is made of it.
func TestHandler_sqsNameIsIdentity(t *testing.T) {
	res, err := schema.NewFullRegistry().Lookup("AWS::SQS::Queue")
	if err != nil {
		t.Fatal(err)
	}
	h, err := generic.New(res)
	if err != nil {
		t.Fatal(err)
	}
	tx := memTx{}
	env := testEnv("us-east-1")
	create(t, h, env, tx, map[string]any{"QueueName": "q1"})
	prepared, err := h.Prepare(env, map[string]any{"QueueName": "q1"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := h.Create(context.Background(), env, tx, prepared); !isCode(err, handler.AlreadyExists) {
		t.Errorf("second queue q1: %v, want AlreadyExists", err)
	}
	create(t, h, env, tx, map[string]any{"QueueName": "q2"})
}
