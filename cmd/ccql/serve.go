package main

import (
	"bufio"
	"errors"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/ccql/ccql"
	"github.com/ccql/ccql/emulator"
)

// serveFlags are ccql serve's options.
type serveFlags struct {
	addr      string
	dataDir   string
	latency   time.Duration
	authFile  string
	logLevel  string
	issuerURL string
	maxSkew   time.Duration
}

func newServeCmd(a *app) *cobra.Command {
	var f serveFlags
	cmd := &cobra.Command{
		Use:   "serve",
		Short: "Serve the emulator over HTTP: Cloud Control and Cognito user pools",
		Long: `Serve the embedded emulator with the real AWS wire protocols, for the AWS CLI,
the SDKs, Terraform's awscc provider and StackQL:

  ccql serve &
  aws --endpoint-url http://127.0.0.1:4566 cloudcontrol list-resources --type-name AWS::Cognito::UserPool

Cloud Control (JSON 1.0) and the Cognito Identity Provider API (JSON 1.1) share
one port. State is kept in the data dir and survives restarts and crashes.

Signatures are checked when credentials are configured, with --auth-file
(lines ACCESS_KEY_ID:SECRET) or CCQL_AUTH_ACCESS_KEY_ID and
CCQL_AUTH_SECRET_ACCESS_KEY; otherwise any caller is accepted. The account is
the access key id when it is 12 digits, else 000000000000.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return runServe(a, f) },
	}
	fs := cmd.Flags()
	fs.StringVar(&f.addr, "addr", emulator.DefaultAddr, "address to listen on")
	fs.StringVar(&f.dataDir, "data-dir", "", "state directory (default $CCQL_DATA_DIR, else ${XDG_DATA_HOME:-~/.local/share}/ccql)")
	fs.DurationVar(&f.latency, "latency", 0, "how long mutations stay IN_PROGRESS")
	fs.StringVar(&f.authFile, "auth-file", "", "file of ACCESS_KEY_ID:SECRET lines; SigV4 is verified against them")
	fs.DurationVar(&f.maxSkew, "max-clock-skew", 0, "how far a SigV4 signing time may be from the server's clock (default AWS's 15m; negative: not checked, for replays)")
	fs.StringVar(&f.logLevel, "log-level", "info", "debug, info, warn or error")
	fs.StringVar(&f.issuerURL, "issuer-url", "", "fixed base URL of the Cognito token issuer (iss = URL/<poolId>); default: the address each caller used (docs/oauth.md)")
	return cmd
}

func runServe(a *app, f serveFlags) error {
	logger, err := newLogger(a.stderr, f.logLevel)
	if err != nil {
		return err
	}
	dir, err := serveDataDir(f.dataDir, os.Getenv)
	if err != nil {
		return err
	}
	creds, err := serveCredentials(f.authFile, os.Getenv)
	if err != nil {
		return err
	}
	srv, err := emulator.NewServer(emulator.Options{
		DataDir:      dir,
		Addr:         f.addr,
		Latency:      f.latency,
		Credentials:  creds,
		MaxClockSkew: f.maxSkew,
		Logger:       logger,
		OAuth:        emulator.OAuthOptions{IssuerURL: f.issuerURL},
	})
	if err != nil {
		return fmt.Errorf("serve: %w", err)
	}
	// Key ids are not secret, but their number is all an operator needs.
	logger.Info("listening", "url", srv.URL(), "dataDir", dir, "latency", f.latency, "sigv4", len(creds) > 0, "accessKeys", len(creds))
	fmt.Fprintf(a.stdout, "ccql serve: listening on %s\n", srv.URL())
	<-a.ctx.Done()
	logger.Info("shutting down: finishing in-flight requests")
	if err := srv.Close(); err != nil {
		return fmt.Errorf("serve: %w", err)
	}
	logger.Info("stopped")
	return nil
}

// serveDataDir resolves the data directory: the flag, else
// $CCQL_DATA_DIR, else ${XDG_DATA_HOME:-~/.local/share}/ccql.
func serveDataDir(flag string, getenv func(string) string) (string, error) {
	dir, err := ccql.ResolveDataDir(flag, getenv)
	if err != nil {
		return "", fmt.Errorf("serve: %w", err)
	}
	return dir, nil
}

// serveCredentials reads the access keys SigV4 is checked against: the
// auth file's ACCESS_KEY_ID:SECRET lines (blank lines and # comments
// skipped), plus the CCQL_AUTH_ACCESS_KEY_ID / CCQL_AUTH_SECRET_ACCESS_KEY
// pair. Errors name the line, never its content, which holds a secret.
func serveCredentials(path string, getenv func(string) string) (map[string]string, error) {
	creds := map[string]string{}
	if path != "" {
		file, err := os.Open(path)
		if err != nil {
			return nil, fmt.Errorf("serve: auth file: %w", err)
		}
		defer file.Close()
		sc := bufio.NewScanner(file)
		for n := 1; sc.Scan(); n++ {
			line := strings.TrimSpace(sc.Text())
			if line == "" || strings.HasPrefix(line, "#") {
				continue
			}
			id, secret, ok := strings.Cut(line, ":")
			id, secret = strings.TrimSpace(id), strings.TrimSpace(secret)
			if !ok || id == "" || secret == "" {
				return nil, fmt.Errorf("serve: auth file %s line %d: want ACCESS_KEY_ID:SECRET", path, n)
			}
			creds[id] = secret
		}
		if err := sc.Err(); err != nil {
			return nil, fmt.Errorf("serve: auth file %s: %w", path, err)
		}
		if len(creds) == 0 {
			return nil, fmt.Errorf("serve: auth file %s has no credentials", path)
		}
	}
	id, secret := getenv("CCQL_AUTH_ACCESS_KEY_ID"), getenv("CCQL_AUTH_SECRET_ACCESS_KEY")
	switch {
	case id != "" && secret != "":
		creds[id] = secret
	case id != "" || secret != "":
		return nil, errors.New("serve: set both CCQL_AUTH_ACCESS_KEY_ID and CCQL_AUTH_SECRET_ACCESS_KEY, or neither")
	}
	if len(creds) == 0 {
		return nil, nil
	}
	return creds, nil
}
