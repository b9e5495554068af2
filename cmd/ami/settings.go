package main

import (
	"errors"
	"fmt"
	"net"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/urfave/cli/v2"

	"github.com/ami-cli/ami/amiwire"
	"github.com/ami-cli/ami/amiwire/amitls"
	"github.com/ami-cli/ami/cmd/ami/internal/amiurl"
	"github.com/ami-cli/ami/cmd/ami/internal/profile"
)

// connSettings is where and how to connect, resolved from the command
// line, the profile, the environment and the defaults (connSettingsFrom).
type connSettings struct {
	Config  amiwire.Config
	Timeout time.Duration
	Display string // user@host:port, for messages; never holds the secret
	Host    string
	Port    int

	chainPort int // the port without -H's: --port, --url, the profile, $AMI_PORT or the default

	secrets *secretSource // the secret for another host (at)
	notes   *notes        // remarks printed once per address
}

// connSettingsFrom resolves the connection settings of c. Each setting
// comes from the first of these that gives it:
//
//  1. the command line: a flag (after the subcommand, then before it),
//     then --url;
//  2. the profile named by --profile, or else by $AMI_PROFILE;
//  3. the environment: AMI_HOST, AMI_PORT, AMI_USERNAME, AMI_SECRET,
//     AMI_SECRET_FILE (an empty variable counts as unset);
//  4. the defaults (127.0.0.1, port 5038 or 5039 with TLS, plain auth).
//
// The profile's secret is bound to the host and port the profile names
// (127.0.0.1 and the default port when it names none): for another one
// it is not used, and the secret comes from the layers below it (see
// secretSource). --mock points the settings at the built-in simulator,
// whose account admin/admin stands in for the profile's and the
// environment's; only the command line overrides it.
//
// It warns on stderr about --secret and --tls-insecure, refuses secret
// files and config files that others can read, and prompts for the secret
// (echo off) when no source gives one and stdin is a terminal.
func connSettingsFrom(c *cli.Context) (connSettings, error) {
	ts, err := targetsFrom(c, nil)
	if err != nil {
		return connSettings{}, err
	}
	if len(ts) > 1 {
		return connSettings{}, usageError("%s runs against one host; %d were given", c.Command.Name, len(ts))
	}
	return ts[0].s, nil
}

// endpoint says which host the settings are for: the profile to read
// (rather than --profile or $AMI_PROFILE when named), and the host and
// port that stand in for -H (0: the port from the usual sources).
type endpoint struct {
	profile   string
	noProfile bool // read no profile, whatever --profile says
	host      string
	port      int
	ofMany    bool // one profile of several: TLS flags are for those with TLS
}

// settingsFor resolves the connection settings of c for one endpoint (see
// connSettingsFrom for the order of the sources).
func settingsFor(c *cli.Context, at endpoint) (connSettings, error) {
	stderr := c.App.ErrWriter
	var s connSettings

	var prof profile.Profile
	name := at.profile
	if name == "" && !at.noProfile {
		name = profileName(c)
	}
	if name != "" {
		p, err := loadProfile(name)
		if err != nil {
			return s, err
		}
		prof = p
	}
	var u amiurl.URL
	hasURL := false
	if raw := flagString(c, "url"); raw != "" {
		var err error
		if u, err = amiurl.Parse(raw); err != nil {
			return s, urlError(err)
		}
		hasURL = true
	}
	mock := flagBool(c, "mock")

	host := firstOf(at.host, u.Host, prof.Host, os.Getenv(envHost), defaultHost)
	user := firstOf(cmdString(c, "user"), u.User, prof.Username, os.Getenv(envUser))
	if mock {
		user = firstOf(cmdString(c, "user"), u.User, mockUser)
	}
	auth := firstOf(cmdString(c, "auth"), prof.Auth, "plain")
	useTLS := prof.TLS
	if hasURL {
		useTLS = u.TLS
	}
	if isSetAny(c, "tls") {
		useTLS = flagBool(c, "tls")
	}
	port := 0
	switch {
	case isSetAny(c, "port"):
		port = flagInt(c, "port")
		if port <= 0 || port > 65535 {
			return s, usageError("--port %d: want 1 to 65535", port)
		}
	case u.Port != 0:
		port = u.Port
	case prof.Port != 0:
		port = prof.Port
	case os.Getenv(envPort) != "":
		v := os.Getenv(envPort)
		n, err := strconv.Atoi(v)
		if err != nil || n <= 0 || n > 65535 {
			return s, usageError("$%s %q: want 1 to 65535", envPort, v)
		}
		port = n
	}
	defaultPortFor := func(tls bool) int {
		if tls {
			return defaultTLSPort
		}
		return defaultPort
	}
	if port == 0 {
		port = defaultPortFor(useTLS)
	}
	s.chainPort = port
	if at.port != 0 {
		port = at.port
	}

	timeout := flagDuration(c, "timeout")
	if timeout <= 0 {
		return s, usageError("--timeout %v: want a positive duration such as 10 or 10s", timeout)
	}

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
	}

	if user == "" {
		return s, usageError("no user: use --user, --url, a --profile or $%s", envUser)
	}

	var challenge bool
	switch strings.ToLower(auth) {
	case "plain", "":
	case "md5":
		challenge = true
	default:
		return s, usageError("--auth %q: want plain or md5", auth)
	}

	addr := net.JoinHostPort(host, strconv.Itoa(port))
	s.Host, s.Port, s.Timeout = host, port, timeout
	s.Display = user + "@" + addr
	s.Config = amiwire.Config{Addr: addr, Username: user, Challenge: challenge}

	if useTLS {
		if err := tlsSettings(c, &s.Config, host, prof, stderr); err != nil {
			return s, err
		}
	} else if !at.ofMany && (isSetAny(c, "tls-ca") || isSetAny(c, "tls-server-name") || isSetAny(c, "tls-insecure") || isSetAny(c, "tls-fingerprint")) {
		// (With several profiles the TLS flags are for those that use
		// TLS.)
		return s, usageError("--tls-ca, --tls-server-name, --tls-fingerprint and --tls-insecure need --tls (or an amis:// URL)")
	} else if prof.TLSFingerprint != (amitls.Fingerprint{}) {
		return s, usageError("--profile %s: tls_fingerprint needs tls = true (or --tls)", prof.Name)
	}
	s.notes = &notes{w: stderr, seen: map[string]bool{}}

	s.secrets = &secretSource{c: c, prof: prof, mock: mock,
		profHost: firstOf(prof.Host, defaultHost), profPort: prof.Port}
	if s.secrets.profPort == 0 {
		s.secrets.profPort = defaultPortFor(useTLS)
	}
	secret, err := s.secrets.forEndpoint(host, port, s.Display)
	if err != nil {
		return s, err
	}
	s.Config.Secret = secret

	if flagBool(c, "trace") {
		s.Config.Trace = stderr
	}
	return s, nil
}

// at returns s pointed at host:port (login-check's HOST arguments), with
// the secret that may go there.
func (s connSettings) at(host string, port int) (connSettings, error) {
	s.Host, s.Port = host, port
	s.Config.Addr = net.JoinHostPort(host, strconv.Itoa(port))
	s.Display = s.Config.Username + "@" + s.Config.Addr
	if s.secrets != nil {
		secret, err := s.secrets.forEndpoint(host, port, s.Display)
		if err != nil {
			return s, err
		}
		s.Config.Secret = secret
	}
	return s, nil
}

// profileName is the profile to use: --profile, or else $AMI_PROFILE.
func profileName(c *cli.Context) string {
	return firstOf(cmdString(c, "profile"), os.Getenv(envProfile))
}

// cmdString returns the value of a string flag given on the command line
// (after the subcommand, then before it), or "". No connection flag reads
// the environment, so this is the command line alone.
func cmdString(c *cli.Context, name string) string {
	if cc := lookupSet(c, name); cc != nil {
		return cc.String(name)
	}
	return ""
}

// firstOf returns the first of vs that is not empty.
func firstOf(vs ...string) string {
	for _, v := range vs {
		if v != "" {
			return v
		}
	}
	return ""
}

// loadProfile reads the named profile from the config file; every failure
// is a usage error (exit 2).
func loadProfile(name string) (profile.Profile, error) {
	path, err := profile.DefaultPath()
	if err != nil {
		return profile.Profile{}, usageError("--profile %s: %v", name, err)
	}
	p, err := profile.Load(path, name)
	switch {
	case err == nil:
		return p, nil
	case errors.Is(err, profile.ErrNoFile), errors.Is(err, profile.ErrNoProfile):
		return p, usageError("--profile %s: %v", name, err)
	}
	return p, usageError("%v", err)
}

// secretSource finds the secret for an endpoint. By precedence: the
// command line (--secret, --secret-file); the profile's secret or
// secret_file, only for the host and port the profile names; with --mock
// the simulator's; $AMI_SECRET; $AMI_SECRET_FILE; and last a prompt when
// stdin is a terminal. What comes after the profile is found once and
// kept, so that login-check asks at most once for all its hosts.
type secretSource struct {
	c        *cli.Context
	prof     profile.Profile
	profHost string // where the profile's secret may go
	profPort int
	mock     bool

	explicitDone bool
	explicit     string // from the command line, when explicitOK
	explicitOK   bool
	explicitErr  error

	restDone bool
	rest     string
	restErr  error
}

// forEndpoint returns the secret to send to host:port; display names the
// endpoint in a prompt.
func (ss *secretSource) forEndpoint(host string, port int, display string) (string, error) {
	if s, ok, err := ss.fromCommandLine(); ok || err != nil {
		return s, err
	}
	withheld := false
	if ss.prof.HoldsSecret() {
		if strings.EqualFold(host, ss.profHost) && port == ss.profPort {
			if ss.prof.HasSecret {
				return ss.prof.Secret, nil
			}
			s, err := profile.ReadSecretFile(ss.prof.SecretFile)
			if err != nil {
				return "", usageError("profile %s: %v", ss.prof.Name, err)
			}
			return s, nil
		}
		withheld = true
	}
	if withheld {
		fmt.Fprintf(ss.c.App.ErrWriter, "ami: profile %s holds the secret for %s only; it is not sent to %s\n",
			ss.prof.Name, net.JoinHostPort(ss.profHost, strconv.Itoa(ss.profPort)), net.JoinHostPort(host, strconv.Itoa(port)))
	}
	if !ss.restDone {
		ss.restDone = true
		ss.rest, ss.restErr = ss.fromBelowProfile(display)
	}
	if withheld && errors.Is(ss.restErr, errNoSecret) {
		return "", usageError("no secret for %s: give it with --secret-file or $%s, or run on a terminal to be asked",
			net.JoinHostPort(host, strconv.Itoa(port)), envSecret)
	}
	return ss.rest, ss.restErr
}

// errNoSecret is fromBelowProfile's error (wrapped) when nothing gives a
// secret.
var errNoSecret = errors.New("no secret")

// fromCommandLine returns the secret given with --secret (with a warning)
// or --secret-file, and whether one was.
func (ss *secretSource) fromCommandLine() (string, bool, error) {
	if ss.explicitDone {
		return ss.explicit, ss.explicitOK, ss.explicitErr
	}
	ss.explicitDone = true
	c := ss.c
	switch {
	case isSetAny(c, "secret"):
		fmt.Fprintf(c.App.ErrWriter, "ami: warning: --secret is visible to other users in ps; use $%s or --secret-file\n", envSecret)
		ss.explicit, ss.explicitOK = flagString(c, "secret"), true
		if ss.explicit == "" {
			ss.explicitErr = usageError("--secret is empty")
		}
	case isSetAny(c, "secret-file"):
		ss.explicit, ss.explicitErr = readSecretFile("--secret-file", flagString(c, "secret-file"))
		ss.explicitOK = ss.explicitErr == nil
	}
	return ss.explicit, ss.explicitOK, ss.explicitErr
}

// fromBelowProfile finds the secret where the profile gives none (or
// none for this endpoint): the simulator's, the environment, a prompt.
func (ss *secretSource) fromBelowProfile(display string) (string, error) {
	c := ss.c
	if ss.mock {
		return mockSecret, nil
	}
	if v := os.Getenv(envSecret); v != "" {
		return v, nil
	}
	if f := os.Getenv(envSecretFile); f != "" {
		return readSecretFile("$"+envSecretFile, f)
	}
	if f, ok := c.App.Reader.(*os.File); ok && isTerminal(f) {
		return promptSecret(c.Context, f, c.App.ErrWriter, display)
	}
	return "", usageError("%w: set $%s or $%s, use --secret-file or a --profile, or run on a terminal to be asked", errNoSecret, envSecret, envSecretFile)
}

// readSecretFile reads the secret file path, named by the flag or
// variable from, as a usage error (exit 2) when it cannot.
func readSecretFile(from, path string) (string, error) {
	if path == "" {
		return "", usageError("%s is empty: give the path of a file holding the secret", from)
	}
	s, err := profile.ReadSecretFile(path)
	if err != nil {
		return "", usageError("%s: %v", from, err)
	}
	return s, nil
}
