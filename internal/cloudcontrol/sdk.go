package cloudcontrol

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/feature/ec2/imds"
	cc "github.com/aws/aws-sdk-go-v2/service/cloudcontrol"
	"github.com/aws/smithy-go/logging"
)

// SDKOptions configures NewSDK.
type SDKOptions struct {
	// Endpoint is a Cloud Control endpoint URL; "" means AWS itself (or
	// AWS_ENDPOINT_URL_CLOUDCONTROL, which the SDK honours).
	Endpoint string
	// Region is the default region (calls name their own region too).
	Region string
}

// NewSDK returns the aws-sdk-go-v2 Cloud Control client, configured from the
// SDK's standard chain (environment, shared config and credentials files,
// SSO, IMDS). Against an explicit endpoint without any credentials it signs
// with placeholder credentials, since an emulator that does not verify
// signatures needs none.
func NewSDK(ctx context.Context, o SDKOptions) (*cc.Client, error) {
	// The SDK's own log lines (e.g. IMDSv1 fallbacks) are noise on a user's
	// terminal; what matters reaches the caller as the call's error.
	opts := []func(*config.LoadOptions) error{config.WithLogger(logging.Nop{})}
	if o.Region != "" {
		opts = append(opts, config.WithRegion(o.Region))
	}
	if o.Endpoint != "" {
		// An explicit endpoint is an emulator or a proxy: never ask EC2's
		// instance metadata for credentials (slow, and a warning off EC2).
		opts = append(opts, config.WithEC2IMDSClientEnableState(imds.ClientDisabled))
	}
	cfg, err := config.LoadDefaultConfig(ctx, opts...)
	if err != nil {
		return nil, fmt.Errorf("load AWS configuration: %w", err)
	}
	if cfg.Region == "" {
		cfg.Region = "us-east-1"
	}
	if o.Endpoint != "" {
		if cfg.Credentials == nil {
			cfg.Credentials = placeholder()
		} else if _, err := cfg.Credentials.Retrieve(ctx); err != nil {
			cfg.Credentials = placeholder()
		}
	}
	return cc.NewFromConfig(cfg, func(co *cc.Options) {
		if o.Endpoint != "" {
			co.BaseEndpoint = aws.String(o.Endpoint)
		}
		// Wrapped here, after the config loader has set up the client
		// (custom CA bundles need the SDK's own buildable client).
		var hc Doer = awshttp.NewBuildableClient()
		if co.HTTPClient != nil {
			hc = co.HTTPClient
		}
		co.HTTPClient = BufferBodies(hc)
	}), nil
}

func placeholder() aws.CredentialsProvider {
	return aws.NewCredentialsCache(credentials.NewStaticCredentialsProvider("AKIDCCQLPLACEHOLDER", "placeholder", ""))
}
