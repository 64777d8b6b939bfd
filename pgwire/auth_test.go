package pgwire_test

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ccql/ccql/pgwire"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

func usersFile(t testing.TB, creds map[string]string) (*pgwire.Users, string) {
	t.Helper()
	var b strings.Builder
	b.WriteString("# ccql srv users\n\n")
	for name, pw := range creds {
		line, err := pgwire.UsersLine(name, pw)
		if err != nil {
			t.Fatal(err)
		}
		b.WriteString(line)
	}
	path := filepath.Join(t.TempDir(), "users")
	if err := os.WriteFile(path, []byte(b.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	u, err := pgwire.LoadUsers(path)
	if err != nil {
		t.Fatal(err)
	}
	return u, path
}

func TestServer_SCRAM(t *testing.T) {
	users, _ := usersFile(t, map[string]string{"alice": "s3cret pass", "bob": "hunter2"})
	ts := startServer(t, newBlockingEngine(), pgwire.Config{Users: users})
	tests := []struct {
		user, password, code string
	}{
		{"alice", "s3cret pass", ""},
		{"bob", "hunter2", ""},
		{"alice", "hunter2", "28P01"},
		{"mallory", "hunter2", "28P01"},
		{"alice", "", "28P01"},
	}
	for _, tt := range tests {
		t.Run(tt.user+"/"+tt.password, func(t *testing.T) {
			cfg, err := pgx.ParseConfig(ts.url(tt.user, ""))
			if err != nil {
				t.Fatal(err)
			}
			cfg.Password = tt.password
			c, err := pgx.ConnectConfig(ctxT(t), cfg)
			if tt.code == "" {
				if err != nil {
					t.Fatalf("connect: %v", err)
				}
				defer c.Close(ctxT(t))
				var who string
				if err := c.QueryRow(ctxT(t), "SELECT current_user").Scan(&who); err != nil || who != tt.user {
					t.Fatalf("current_user = %q, %v", who, err)
				}
				return
			}
			if got := sqlState(err); got != tt.code {
				t.Fatalf("connect: %v, want SQLSTATE %s", err, tt.code)
			}
			if !strings.Contains(err.Error(), `password authentication failed for user "`+tt.user+`"`) {
				t.Errorf("message: %v", err)
			}
		})
	}
}

func TestServer_SetUsersReloads(t *testing.T) {
	users, _ := usersFile(t, map[string]string{"alice": "old"})
	ts := startServer(t, newBlockingEngine(), pgwire.Config{Users: users})
	newUsers, _ := usersFile(t, map[string]string{"alice": "new"})
	ts.srv.SetUsers(newUsers)
	if _, err := pgx.Connect(ctxT(t), ts.url("alice", "password=old")); sqlState(err) != "28P01" {
		t.Fatalf("old password: %v", err)
	}
	c := connect(t, ts.url("alice", "password=new"))
	c.Close(ctxT(t))
}

func TestServe_RefusesUnauthenticatedNonLoopback(t *testing.T) {
	ln, err := net.Listen("tcp", "0.0.0.0:0")
	if err != nil {
		t.Skipf("cannot listen on all interfaces: %v", err)
	}
	srv := pgwire.NewServer(newBlockingEngine(), pgwire.Config{})
	if err := srv.Serve(ln); !errors.Is(err, pgwire.ErrNoAuthentication) {
		t.Fatalf("Serve = %v, want ErrNoAuthentication", err)
	}
}

// pki is a throwaway CA with a server and a client certificate, as PEM
// files in a temp dir.
type pki struct {
	dir                                                  string
	caFile, serverCert, serverKey, clientCert, clientKey string
}

func newPKI(t testing.TB) *pki {
	t.Helper()
	dir := t.TempDir()
	p := &pki{dir: dir, caFile: filepath.Join(dir, "ca.pem"), serverCert: filepath.Join(dir, "server.pem"),
		serverKey: filepath.Join(dir, "server-key.pem"), clientCert: filepath.Join(dir, "client.pem"), clientKey: filepath.Join(dir, "client-key.pem")}
	caKey, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	caTmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "ccql test CA"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour), IsCA: true,
		KeyUsage: x509.KeyUsageCertSign, BasicConstraintsValid: true}
	caDER, err := x509.CreateCertificate(rand.Reader, caTmpl, caTmpl, &caKey.PublicKey, caKey)
	if err != nil {
		t.Fatal(err)
	}
	ca, _ := x509.ParseCertificate(caDER)
	writePEM(t, p.caFile, "CERTIFICATE", caDER)
	leaf := func(serial int64, cn string, usage x509.ExtKeyUsage, certFile, keyFile string) {
		key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		tmpl := &x509.Certificate{SerialNumber: big.NewInt(serial), Subject: pkix.Name{CommonName: cn},
			NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
			KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{usage}}
		if usage == x509.ExtKeyUsageServerAuth {
			tmpl.DNSNames = []string{"localhost"}
			tmpl.IPAddresses = []net.IP{net.ParseIP("127.0.0.1")}
		}
		der, err := x509.CreateCertificate(rand.Reader, tmpl, ca, &key.PublicKey, caKey)
		if err != nil {
			t.Fatal(err)
		}
		writePEM(t, certFile, "CERTIFICATE", der)
		kder, _ := x509.MarshalPKCS8PrivateKey(key)
		writePEM(t, keyFile, "PRIVATE KEY", kder)
	}
	leaf(2, "localhost", x509.ExtKeyUsageServerAuth, p.serverCert, p.serverKey)
	leaf(3, "alice", x509.ExtKeyUsageClientAuth, p.clientCert, p.clientKey)
	return p
}

func writePEM(t testing.TB, path, typ string, der []byte) {
	t.Helper()
	if err := os.WriteFile(path, pem.EncodeToMemory(&pem.Block{Type: typ, Bytes: der}), 0o600); err != nil {
		t.Fatal(err)
	}
}

func TestServer_TLS(t *testing.T) {
	p := newPKI(t)
	users, _ := usersFile(t, map[string]string{"alice": "pw"})
	cfg, err := pgwire.LoadTLSConfig(p.serverCert, p.serverKey, "")
	if err != nil {
		t.Fatal(err)
	}
	ts := startServer(t, newBlockingEngine(), pgwire.Config{Users: users, TLS: cfg})

	c := connect(t, ts.url("alice", "password=pw sslmode=verify-full sslrootcert="+p.caFile))
	if _, ok := c.PgConn().Conn().(*tls.Conn); !ok {
		t.Errorf("verify-full connection is %T, want *tls.Conn", c.PgConn().Conn())
	}
	// PostgreSQL 17's direct TLS (no SSLRequest first).
	direct := connect(t, ts.url("alice", "password=pw sslmode=verify-full sslnegotiation=direct sslrootcert="+p.caFile))
	if _, ok := direct.PgConn().Conn().(*tls.Conn); !ok {
		t.Errorf("direct TLS connection is %T", direct.PgConn().Conn())
	}
	// Without a client CA, TLS stays optional.
	plain := connect(t, ts.url("alice", "password=pw sslmode=disable"))
	if _, ok := plain.PgConn().Conn().(*tls.Conn); ok {
		t.Error("sslmode=disable got TLS")
	}

	// A reloaded configuration applies to new connections.
	p2 := newPKI(t)
	cfg2, err := pgwire.LoadTLSConfig(p2.serverCert, p2.serverKey, "")
	if err != nil {
		t.Fatal(err)
	}
	ts.srv.SetTLSConfig(cfg2)
	if _, err := pgx.Connect(ctxT(t), ts.url("alice", "password=pw sslmode=verify-full sslrootcert="+p.caFile)); err == nil {
		t.Error("old CA still verifies after reload")
	}
	connect(t, ts.url("alice", "password=pw sslmode=verify-full sslrootcert="+p2.caFile))
}

func TestServer_MutualTLS(t *testing.T) {
	p := newPKI(t)
	cfg, err := pgwire.LoadTLSConfig(p.serverCert, p.serverKey, p.caFile)
	if err != nil {
		t.Fatal(err)
	}
	ts := startServer(t, newBlockingEngine(), pgwire.Config{TLS: cfg})
	if !ts.srv.Authenticated() {
		t.Fatal("mutual TLS does not count as authentication")
	}
	withCert := "sslmode=verify-full sslrootcert=" + p.caFile + " sslcert=" + p.clientCert + " sslkey=" + p.clientKey
	c := connect(t, ts.url("alice", withCert))
	var x string
	if err := c.QueryRow(ctxT(t), "SELECT 'ok'").Scan(&x); err != nil {
		t.Fatal(err)
	}
	if _, err := pgx.Connect(ctxT(t), ts.url("alice", "sslmode=verify-full sslrootcert="+p.caFile)); err == nil {
		t.Error("connected over TLS without a client certificate")
	}
	_, err = pgx.Connect(ctxT(t), ts.url("alice", "sslmode=disable"))
	if sqlState(err) != "28000" {
		t.Errorf("plain connection: %v, want 28000", err)
	}
}

// TestServer_TLSRequired checks that with TLSRequired a client that does
// not use TLS is refused with 28000 and a message saying why, before
// authentication, and one that does is served.
func TestServer_TLSRequired(t *testing.T) {
	p := newPKI(t)
	users, _ := usersFile(t, map[string]string{"alice": "pw"})
	cfg, err := pgwire.LoadTLSConfig(p.serverCert, p.serverKey, "")
	if err != nil {
		t.Fatal(err)
	}
	ts := startServer(t, newBlockingEngine(), pgwire.Config{Users: users, TLS: cfg, TLSRequired: true})

	for _, mode := range []string{"sslmode=verify-full sslrootcert=" + p.caFile, "sslmode=require", "sslmode=prefer",
		"sslmode=verify-full sslnegotiation=direct sslrootcert=" + p.caFile} {
		c := connect(t, ts.url("alice", "password=pw "+mode))
		if _, ok := c.PgConn().Conn().(*tls.Conn); !ok {
			t.Errorf("%s: connection is %T, want *tls.Conn", mode, c.PgConn().Conn())
		}
	}
	// A wrong password over plaintext is refused for the plaintext, not
	// the password: authentication never starts.
	for _, pw := range []string{"pw", "wrong"} {
		_, err := pgx.Connect(ctxT(t), ts.url("alice", "password="+pw+" sslmode=disable"))
		var pe *pgconn.PgError
		if !errors.As(err, &pe) || pe.Code != "28000" || !strings.Contains(pe.Message, "requires TLS") || !strings.Contains(pe.Hint, "sslmode=require") {
			t.Errorf("plaintext with password %q: %v, want 28000 requires TLS", pw, err)
		}
	}
}
