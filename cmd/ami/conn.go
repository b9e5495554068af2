package main

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"os"
	"sync"
	"time"

	"github.com/urfave/cli/v2"

	"github.com/ami-cli/ami/amiwire"
	"github.com/ami-cli/ami/amiwire/amitls"
	"github.com/ami-cli/ami/cmd/ami/internal/amiurl"
	"github.com/ami-cli/ami/cmd/ami/internal/profile"
)

// Default ports of AMI over TCP and over TLS.
const (
	defaultHost    = "127.0.0.1"
	defaultPort    = 5038
	defaultTLSPort = 5039
	defaultTimeout = 10 * time.Second
)

// Environment variables read for the connection settings.
const (
	envHost       = "AMI_HOST"
	envPort       = "AMI_PORT"
	envUser       = "AMI_USERNAME"
	envSecret     = "AMI_SECRET"
	envSecretFile = "AMI_SECRET_FILE"
	envProfile    = "AMI_PROFILE"
)

// mockUser and mockSecret are the account of the built-in simulator that
// --mock logs in with unless --user / a secret say otherwise.
const (
	mockUser   = "admin"
	mockSecret = "admin"
)

// connectionFlags returns the flags every connecting subcommand takes, for
// use after the subcommand name; appConnectionFlags returns the same flags
// for before it. The lineage-aware helpers in flags.go give a value set
// after the subcommand precedence over one set before it.
//
// None of them reads the environment: urfave/cli's IsSet would then be
// true for a value from the environment too, and the command line could
// not be told apart from it. connSettingsFrom reads the AMI_* variables
// itself, below the command line and the profile.
func connectionFlags() []cli.Flag { return makeConnectionFlags() }

// appConnectionFlags returns the connection flags for the app level.
func appConnectionFlags() []cli.Flag { return makeConnectionFlags() }

func makeConnectionFlags() []cli.Flag {
	// The usage names the variable, since the flag does not list it in
	// EnvVars.
	use := func(text, envName string) string { return text + " [$" + envName + "]" }
	const cat = "Connection"
	return withNames([]cli.Flag{
		&cli.StringSliceFlag{Name: "host", Aliases: []string{"H"}, Category: cat, DefaultText: defaultHost,
			Usage: use("AMI server `HOST`[:PORT]; repeat it or give a comma list to run on several hosts at once", envHost)},
		&cli.StringFlag{Name: "hosts-file", Category: cat, TakesFile: true,
			Usage: "run on the hosts listed in `FILE` (- for stdin): host[:port] or @profile, one a line, # comments"},
		&cli.IntFlag{Name: "parallel", Category: cat, Value: defaultParallel,
			Usage: "with several hosts, log in to at most `N` at a time"},
		&cli.IntFlag{Name: "port", Aliases: []string{"p"}, Category: cat, DefaultText: "5038, or 5039 with --tls",
			Usage: use("AMI server `PORT`", envPort)},
		&cli.StringFlag{Name: "user", Aliases: []string{"u"}, Category: cat,
			Usage: use("AMI `USERNAME` (manager.conf)", envUser)},
		&cli.StringFlag{Name: "url", Category: cat,
			Usage: "connect to `URL` ami://user@host:port, or amis://user@host:port for TLS"},
		&cli.StringFlag{Name: "secret", Category: cat,
			Usage: "the `SECRET` (visible to other users in ps: prefer $AMI_SECRET or --secret-file)"},
		&cli.StringFlag{Name: "secret-file", Category: cat, TakesFile: true,
			Usage: use("read the secret from `FILE` (others may not read it; the group may)", envSecretFile)},
		&cli.StringFlag{Name: "profile", Category: cat,
			Usage: use("use section `NAME` of $XDG_CONFIG_HOME/ami/config; a comma list runs on each profile's host", envProfile)},
		&cli.BoolFlag{Name: "tls", Category: cat, Usage: "connect with TLS (certificates are verified)"},
		&cli.StringFlag{Name: "tls-ca", Category: cat, TakesFile: true,
			Usage: "trust the CA certificates in PEM `FILE` instead of the system's; a certificate without subjectAltName (as ast_tls_cert makes) then matches by its CN"},
		&cli.StringFlag{Name: "tls-server-name", Category: cat, Usage: "expect `NAME` in the server certificate (default: the host)"},
		&cli.StringFlag{Name: "tls-fingerprint", Category: cat,
			Usage: "trust exactly the server certificate with this SHA-256 `FINGERPRINT` (as openssl x509 -noout -fingerprint -sha256 prints it); its chain and name are not checked"},
		&cli.BoolFlag{Name: "tls-insecure", Category: cat, Usage: "do not verify the server certificate (insecure; says so on stderr)"},
		choiceFlag(&cli.StringFlag{Name: "auth", Category: cat, Value: "plain", Usage: "login `METHOD`: plain or md5 (challenge-response)"}, "plain", "md5"),
		&cli.DurationFlag{Name: "timeout", Category: cat, Value: defaultTimeout, Usage: "`TIMEOUT` for connecting and logging in, then for each response (plus an action's own Timeout header); login-check and check: the whole run"},
		&cli.BoolFlag{Name: "trace", Category: cat, Usage: "print the wire conversation on stderr (secrets masked)"},
		&cli.BoolFlag{Name: "mock", Category: cat, Usage: "run against a built-in simulated Asterisk on a loopback port"},
	})
}

// tlsSettings fills in cfg's TLS: system roots or --tls-ca, the server
// name to verify (--tls-server-name or the host), TLS 1.2 or newer; a
// pinned certificate (--tls-fingerprint, or the profile's tls_fingerprint
// unless --tls-ca or --tls-insecure say otherwise), or no verification
// (--tls-insecure). With --tls-ca, a certificate without subjectAltName
// may match by its CN: the CA is the user's own, as ast_tls_cert makes it.
func tlsSettings(c *cli.Context, cfg *amiwire.Config, host string, prof profile.Profile, stderr io.Writer) error {
	tc := &tls.Config{MinVersion: tls.VersionTLS12, ServerName: host}
	if name := flagString(c, "tls-server-name"); name != "" {
		tc.ServerName = name
	}
	if isSetAny(c, "tls-fingerprint") {
		if isSetAny(c, "tls-ca") || isSetAny(c, "tls-insecure") {
			return usageError("--tls-fingerprint trusts one certificate as it is: drop --tls-ca and --tls-insecure")
		}
		fp, err := amitls.ParseFingerprint(flagString(c, "tls-fingerprint"))
		if err != nil {
			return usageError("--tls-fingerprint: %v", err)
		}
		cfg.TLSFingerprint = fp
	} else if !isSetAny(c, "tls-ca") && !isSetAny(c, "tls-insecure") {
		cfg.TLSFingerprint = prof.TLSFingerprint
	}
	if file := flagString(c, "tls-ca"); file != "" {
		pem, err := os.ReadFile(file)
		if err != nil {
			return usageError("--tls-ca: %v", err)
		}
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM(pem) {
			return usageError("--tls-ca %s: no PEM certificate found", file)
		}
		tc.RootCAs = pool
		cfg.TLSCommonName = true
	}
	if flagBool(c, "tls-insecure") {
		tc.InsecureSkipVerify = true
		fmt.Fprintln(stderr, "ami: warning: --tls-insecure: the server's certificate is not verified; anyone in the path can read the secret and the traffic")
	}
	cfg.TLS = tc
	return nil
}

// notes prints a remark about a connection once per address, however
// often it is dialled (listen reconnects, login-check dials many hosts).
type notes struct {
	w    io.Writer
	mu   sync.Mutex
	seen map[string]bool
}

// connected remarks on what Dial accepted: a certificate matched by its
// CN because it has no subjectAltName.
func (n *notes) connected(cfg amiwire.Config, cl *amiwire.Client) {
	if n == nil || cl.ConnState().CertCheck != amitls.VerifiedCN {
		return
	}
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.seen[cfg.Addr] {
		return
	}
	n.seen[cfg.Addr] = true
	name := cfg.TLS.ServerName
	fmt.Fprintf(n.w, "ami: note: the certificate of %s has no subjectAltName; %q was matched against its Common Name (CN), as for certificates made by Asterisk's ast_tls_cert\n", cfg.Addr, name)
}

// urlError is the usage error for a --url that amiurl.Parse refused.
func urlError(err error) error {
	var ue *amiurl.Error
	switch {
	case errors.Is(err, amiurl.ErrSecret):
		return usageError("--url: %v; use $%s or --secret-file", err, envSecret)
	case errors.As(err, &ue) && ue.Value != "":
		return usageError("--url %v", err)
	}
	return usageError("--url: %v", err)
}

// eventBuffer is the bound amiwire applies to what a connection holds
// (Config.EventBuffer, its default when unset), for messages and for
// what ami holds itself.
func (s connSettings) eventBuffer() int {
	if s.Config.EventBuffer <= 0 {
		return amiwire.DefaultEventBuffer
	}
	return s.Config.EventBuffer
}

// dial connects, reads the banner and logs in, within s.Timeout. events is
// the login Events header ("off" for request/response commands).
func (s connSettings) dial(ctx context.Context, events string) (*amiwire.Client, error) {
	cl, _, err := s.dialSend(ctx, events, nil, false)
	return cl, err
}

// dialSend is dial that sends actions, and with logoff a Logoff, in the
// Login's write (amiwire.DialSend), saving a round trip; without actions
// or logoff it is dial. It gives amiwire.ErrPipelineTooBig, having dialled
// nothing, for actions too long to go with the Login.
func (s connSettings) dialSend(ctx context.Context, events string, actions []amiwire.Packet, logoff bool) (*amiwire.Client, []*amiwire.Pending, error) {
	cfg := s.Config
	cfg.Events = events
	ctx, cancel := context.WithTimeout(ctx, s.Timeout)
	defer cancel()
	var cl *amiwire.Client
	var pend []*amiwire.Pending
	var err error
	if len(actions) == 0 && !logoff {
		cl, err = amiwire.Dial(ctx, cfg)
	} else {
		cl, pend, err = amiwire.DialSend(ctx, cfg, actions, logoff)
	}
	if err != nil {
		return nil, nil, withUser(err, cfg.Username)
	}
	s.notes.connected(cfg, cl)
	return cl, pend, nil
}

// logoff ends a session politely when it is still alive and closes it in
// any case. The wait for the Goodbye is bounded by the timeout (2 s at
// most) and by ctx's deadline, if it has one (login-check bounds its whole
// run): with no time left it only closes. A cancelled ctx (SIGINT) does
// not stop it: the Logoff is sent anyway.
func (s connSettings) logoff(ctx context.Context, cl *amiwire.Client) {
	select {
	case <-cl.Done():
		cl.Close()
		return
	default:
	}
	wait := min(s.Timeout, 2*time.Second)
	if dl, ok := ctx.Deadline(); ok {
		wait = min(wait, time.Until(dl))
	}
	if wait <= 0 {
		cl.Close()
		return
	}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), wait)
	defer cancel()
	_ = cl.Logoff(ctx) // whatever it says, the session is closed next
	cl.Close()
}
