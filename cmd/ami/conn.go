package main

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net"
	"net/url"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/urfave/cli/v2"

	"github.com/ami-cli/ami/amiwire"
)

// Default ports of AMI over TCP and over TLS.
const (
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
// use after the subcommand name. They do not read the environment
// themselves: the app-level copies (appConnectionFlags) do, and the
// lineage-aware helpers in flags.go give a value set after the subcommand
// precedence over one set before it or in the environment.
func connectionFlags() []cli.Flag { return makeConnectionFlags(false) }

// appConnectionFlags returns the same flags for the app level, reading
// AMI_HOST, AMI_PORT, AMI_USERNAME, AMI_SECRET_FILE and AMI_PROFILE.
func appConnectionFlags() []cli.Flag { return makeConnectionFlags(true) }

func makeConnectionFlags(app bool) []cli.Flag {
	env := func(name string) []string {
		if app {
			return []string{name}
		}
		return nil
	}
	// The subcommand copies mention the variable in their usage, since they
	// do not list it in EnvVars.
	use := func(text, envName string) string {
		if app || envName == "" {
			return text
		}
		return text + " [$" + envName + "]"
	}
	const cat = "Connection"
	return withNames([]cli.Flag{
		&cli.StringFlag{Name: "host", Aliases: []string{"H"}, Category: cat, Value: "127.0.0.1", EnvVars: env(envHost),
			Usage: use("AMI server `HOST` name or address", envHost)},
		&cli.IntFlag{Name: "port", Aliases: []string{"p"}, Category: cat, EnvVars: env(envPort), DefaultText: "5038, or 5039 with --tls",
			Usage: use("AMI server `PORT`", envPort)},
		&cli.StringFlag{Name: "user", Aliases: []string{"u"}, Category: cat, EnvVars: env(envUser),
			Usage: use("AMI `USERNAME` (manager.conf)", envUser)},
		&cli.StringFlag{Name: "url", Category: cat,
			Usage: "connect to `URL` ami://user@host:port, or amis://user@host:port for TLS"},
		&cli.StringFlag{Name: "secret", Category: cat,
			Usage: "the `SECRET` (visible to other users in ps: prefer $AMI_SECRET or --secret-file)"},
		&cli.StringFlag{Name: "secret-file", Category: cat, EnvVars: env(envSecretFile), TakesFile: true,
			Usage: use("read the secret from `FILE` (must not be readable by group or others)", envSecretFile)},
		&cli.StringFlag{Name: "profile", Category: cat, EnvVars: env(envProfile),
			Usage: use("use section `NAME` of $XDG_CONFIG_HOME/ami/config", envProfile)},
		&cli.BoolFlag{Name: "tls", Category: cat, Usage: "connect with TLS (certificates are verified)"},
		&cli.StringFlag{Name: "tls-ca", Category: cat, TakesFile: true, Usage: "trust the CA certificates in PEM `FILE` instead of the system's"},
		&cli.StringFlag{Name: "tls-server-name", Category: cat, Usage: "expect `NAME` in the server certificate (default: the host)"},
		&cli.BoolFlag{Name: "tls-insecure", Category: cat, Usage: "do not verify the server certificate (insecure; says so on stderr)"},
		&cli.StringFlag{Name: "auth", Category: cat, Value: "plain", Usage: "login method: plain or md5 (challenge-response)"},
		&cli.DurationFlag{Name: "timeout", Category: cat, Value: defaultTimeout, Usage: "connect and per-response `TIMEOUT`"},
		&cli.BoolFlag{Name: "trace", Category: cat, Usage: "print the wire conversation on stderr (secrets masked)"},
		&cli.BoolFlag{Name: "mock", Category: cat, Usage: "run against a built-in simulated Asterisk on a loopback port"},
	})
}

// connSettings is where and how to connect, resolved from flags,
// environment, profile and prompt.
type connSettings struct {
	Config  amiwire.Config
	Timeout time.Duration
	Display string // user@host:port, for messages; never holds the secret
	Host    string
	Port    int
}

// connSettingsFrom resolves the connection settings of c: command-line
// flags (after the subcommand, then before it) win over --url, which wins
// over the environment, then the profile, then the defaults.
//
// It warns on stderr about --secret and --tls-insecure, refuses secret
// files and config files readable by group or others, and prompts for the
// secret (echo off) when no source gives one and stdin is a terminal. With
// --mock it starts the built-in simulator and points the settings at it.
func connSettingsFrom(c *cli.Context) (connSettings, error) {
	stderr := c.App.ErrWriter
	var s connSettings

	// Profile first: everything else overrides it.
	var prof profile
	if name := flagString(c, "profile"); name != "" {
		p, err := loadProfile(name)
		if err != nil {
			return s, err
		}
		prof = p
	}

	host, port, user := "127.0.0.1", 0, ""
	useTLS := false
	auth := "plain"
	if prof.Host != "" {
		host = prof.Host
	}
	if prof.Port != 0 {
		port = prof.Port
	}
	if prof.Username != "" {
		user = prof.Username
	}
	if prof.TLS {
		useTLS = true
	}
	if prof.Auth != "" {
		auth = prof.Auth
	}

	// The environment (read by the app-level flags) and the command line.
	// isSetAny is true for both; the URL sits between them and the
	// explicit flags.
	if raw := flagString(c, "url"); raw != "" {
		u, err := parseAMIURL(raw)
		if err != nil {
			return s, err
		}
		if u.host != "" {
			host = u.host
		}
		if u.port != 0 {
			port = u.port
		}
		if u.user != "" {
			user = u.user
		}
		if u.tls {
			useTLS = true
		}
	}
	if isSetAny(c, "host") {
		host = flagString(c, "host")
	}
	if isSetAny(c, "port") {
		port = flagInt(c, "port")
		if port <= 0 || port > 65535 {
			return s, usageError("--port %d: want 1 to 65535", port)
		}
	}
	if isSetAny(c, "user") {
		user = flagString(c, "user")
	}
	if isSetAny(c, "tls") {
		useTLS = flagBool(c, "tls")
	}
	if isSetAny(c, "auth") {
		auth = flagString(c, "auth")
	}

	timeout := flagDuration(c, "timeout")
	if timeout <= 0 {
		return s, usageError("--timeout %v: want a positive duration such as 10s", timeout)
	}

	mock := flagBool(c, "mock")
	if mock {
		if useTLS {
			return s, usageError("--mock speaks plain TCP; drop --tls")
		}
		addr, stop, err := startMock(c.Context)
		if err != nil {
			return s, fmt.Errorf("mock: %w", err)
		}
		addCleanup(c, stop)
		h, p, err := net.SplitHostPort(addr)
		if err != nil {
			return s, fmt.Errorf("mock: address %q: %w", addr, err)
		}
		host = h
		port, _ = strconv.Atoi(p)
		if user == "" {
			user = mockUser
		}
	}

	if port == 0 {
		port = defaultPort
		if useTLS {
			port = defaultTLSPort
		}
	}
	if host == "" {
		return s, usageError("no host: use --host, --url or $%s", envHost)
	}
	if user == "" {
		return s, usageError("no user: use --user, --url, a --profile or $%s", envUser)
	}

	var method amiwire.AuthMethod
	switch strings.ToLower(auth) {
	case "plain", "":
		method = amiwire.AuthPlain
	case "md5":
		method = amiwire.AuthMD5
	default:
		return s, usageError("--auth %q: want plain or md5", auth)
	}

	addr := net.JoinHostPort(host, strconv.Itoa(port))
	s.Host, s.Port, s.Timeout = host, port, timeout
	s.Display = user + "@" + addr
	s.Config = amiwire.Config{Addr: addr, Username: user, Auth: method}

	if useTLS {
		tc, err := tlsConfig(c, host, stderr)
		if err != nil {
			return s, err
		}
		s.Config.TLS = tc
	} else if isSetAny(c, "tls-ca") || isSetAny(c, "tls-server-name") || isSetAny(c, "tls-insecure") {
		return s, usageError("--tls-ca, --tls-server-name and --tls-insecure need --tls (or an amis:// URL)")
	}

	secret, err := resolveSecret(c, prof, mock, s.Display)
	if err != nil {
		return s, err
	}
	s.Config.Secret = secret

	if flagBool(c, "trace") {
		s.Config.Trace = stderr
	}
	return s, nil
}

// tlsConfig builds the TLS settings: system roots or --tls-ca, the server
// name to verify (--tls-server-name or the host), TLS 1.2 or newer.
func tlsConfig(c *cli.Context, host string, stderr io.Writer) (*tls.Config, error) {
	tc := &tls.Config{MinVersion: tls.VersionTLS12, ServerName: host}
	if name := flagString(c, "tls-server-name"); name != "" {
		tc.ServerName = name
	}
	if file := flagString(c, "tls-ca"); file != "" {
		pem, err := os.ReadFile(file)
		if err != nil {
			return nil, usageError("--tls-ca: %v", err)
		}
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM(pem) {
			return nil, usageError("--tls-ca %s: no PEM certificate found", file)
		}
		tc.RootCAs = pool
	}
	if flagBool(c, "tls-insecure") {
		tc.InsecureSkipVerify = true
		fmt.Fprintln(stderr, "ami: warning: --tls-insecure: the server's certificate is not verified; anyone in the path can read the secret and the traffic")
	}
	return tc, nil
}

// amiURL is a parsed --url.
type amiURL struct {
	host string
	port int
	user string
	tls  bool
}

// parseAMIURL reads ami://user@host:port or amis://user@host:port (TLS).
// A secret in the URL is refused: it would show in ps.
func parseAMIURL(raw string) (amiURL, error) {
	var out amiURL
	u, err := url.Parse(raw)
	if err != nil {
		return out, usageError("--url: %v", err)
	}
	switch strings.ToLower(u.Scheme) {
	case "ami":
	case "amis":
		out.tls = true
	default:
		return out, usageError("--url %q: want ami://user@host:port or amis://user@host:port", raw)
	}
	if u.User != nil {
		if _, has := u.User.Password(); has {
			return out, usageError("--url: a secret in the URL is visible to other users in ps; use $%s or --secret-file", envSecret)
		}
		out.user = u.User.Username()
	}
	if (u.Path != "" && u.Path != "/") || u.RawQuery != "" || u.Fragment != "" {
		return out, usageError("--url %q: unexpected path, query or fragment", redactURL(u))
	}
	out.host = u.Hostname()
	if p := u.Port(); p != "" {
		n, err := strconv.Atoi(p)
		if err != nil || n <= 0 || n > 65535 {
			return out, usageError("--url: port %q: want 1 to 65535", p)
		}
		out.port = n
	}
	return out, nil
}

func redactURL(u *url.URL) string { return u.Redacted() }

// resolveSecret finds the secret: --secret (with a warning), --secret-file,
// $AMI_SECRET, $AMI_SECRET_FILE (read by the app-level --secret-file flag),
// the profile's secret or secret_file, the simulator's default with
// --mock, and last a prompt with echo off when stdin is a terminal.
func resolveSecret(c *cli.Context, prof profile, mock bool, display string) (string, error) {
	stderr := c.App.ErrWriter
	if isSetAny(c, "secret") {
		fmt.Fprintf(stderr, "ami: warning: --secret is visible to other users in ps; use $%s or --secret-file\n", envSecret)
		return flagString(c, "secret"), nil
	}
	// --secret-file on the command line beats $AMI_SECRET, which beats
	// $AMI_SECRET_FILE. Only the app-level flag reads the variable, and a
	// value equal to it names the same file either way.
	if cc := lookupSet(c, "secret-file"); cc != nil {
		if v := cc.String("secret-file"); v != os.Getenv(envSecretFile) {
			return readSecretFile(v)
		}
	}
	if v, ok := os.LookupEnv(envSecret); ok {
		return v, nil
	}
	if f := flagString(c, "secret-file"); f != "" {
		return readSecretFile(f)
	}
	if prof.hasSecret {
		return prof.Secret, nil
	}
	if prof.SecretFile != "" {
		return readSecretFile(prof.SecretFile)
	}
	if mock {
		return mockSecret, nil
	}
	if f, ok := c.App.Reader.(*os.File); ok && isTerminal(f) {
		return promptSecret(f, stderr, display)
	}
	return "", usageError("no secret: set $%s or $%s, use --secret-file or a --profile, or run on a terminal to be asked", envSecret, envSecretFile)
}

// readSecretFile reads a secret file, refusing one readable by group or
// others (as ssh does with keys). Trailing line ends are dropped.
func readSecretFile(path string) (string, error) {
	path = expandHome(path)
	f, err := os.Open(path)
	if err != nil {
		return "", usageError("secret file: %v", err)
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return "", usageError("secret file: %v", err)
	}
	if err := checkPrivate(path, st, "secret file"); err != nil {
		return "", err
	}
	b, err := io.ReadAll(io.LimitReader(f, 64<<10))
	if err != nil {
		return "", usageError("secret file %s: %v", path, err)
	}
	secret := strings.TrimRight(string(b), "\r\n")
	if strings.ContainsAny(secret, "\r\n") {
		return "", usageError("secret file %s: more than one line", path)
	}
	return secret, nil
}

// checkPrivate refuses a file holding secrets that group or others can
// read, saying how to fix it.
func checkPrivate(path string, st os.FileInfo, what string) error {
	if st.Mode().Perm()&0o077 != 0 {
		return usageError("%s %s is readable by group or others (mode %04o): run chmod 600 %s", what, path, st.Mode().Perm(), path)
	}
	return nil
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
	if len(actions) == 0 && !logoff {
		cl, err := amiwire.Dial(ctx, cfg)
		return cl, nil, err
	}
	return amiwire.DialSend(ctx, cfg, actions, logoff)
}

// logoff ends a session politely when it is still alive, bounded by the
// timeout, and closes it in any case.
func (s connSettings) logoff(ctx context.Context, cl *amiwire.Client) {
	select {
	case <-cl.Done():
		cl.Close()
		return
	default:
	}
	// The caller's ctx may be cancelled (SIGINT): log off anyway, briefly.
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), min(s.Timeout, 2*time.Second))
	defer cancel()
	if err := cl.Logoff(ctx); err != nil && !errors.Is(err, amiwire.ErrClosed) {
		_ = err // the session is being closed either way
	}
	cl.Close()
}
