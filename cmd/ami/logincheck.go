package main

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"net"
	"strings"
	"syscall"
	"time"

	"github.com/urfave/cli/v2"

	"github.com/ami-cli/ami/amiwire"
	"github.com/ami-cli/ami/cmd/ami/internal/check"
	"github.com/ami-cli/ami/cmd/ami/internal/fanin"
	"github.com/ami-cli/ami/format/nagios"
)

// Failure stages named by login-check (also the "stage" JSON field).
const (
	stageRefused = "refused"
	stageDNS     = "DNS"
	stageConnect = "connect"
	stageTLS     = "TLS"
	stageBanner  = "banner"
	stageAuth    = "authentication"
	stageLogin   = "login"
	stageTimeout = "timeout"
	stageAction  = "action"
)

func loginCheckCommand() *cli.Command {
	flags := append(connectionFlags(),
		choiceFlag(&cli.StringFlag{Name: "output", Aliases: []string{"o"}, Value: "text", Category: "Output",
			Usage: "output `FORMAT`: text (Nagios plugin output) or json (one object per host)"}, "text", "json"),
		&cli.BoolFlag{Name: "quiet", Aliases: []string{"q"}, Category: "Output",
			Usage: "print nothing when every host is OK, and no line for a host that is (cron mails only failures)"},
		&cli.StringFlag{Name: "action", Value: "Ping", Category: "Check",
			Usage: "send `ACTION` after login and wait for its reply"},
		&cli.DurationFlag{Name: "warning", Aliases: []string{"w"}, Category: "Check",
			Usage: "WARNING when the check (connect to reply) takes longer than `DURATION` (0: never)"},
		&cli.DurationFlag{Name: "critical", Aliases: []string{"c"}, Category: "Check",
			Usage: "CRITICAL when the check takes longer than `DURATION` (0: never; failures always are)"},
		&cli.StringFlag{Name: "cert-warning", Category: "Check",
			Usage: "with --tls, WARNING when the server's certificate expires within `AGE` (like 30d or 720h), CRITICAL once it has"},
	)
	return &cli.Command{
		Name:      "login-check",
		Usage:     "check that Asterisk accepts a login, as a Nagios/Icinga plugin",
		UsageText: "ami login-check [flags] [HOST[:PORT] ...]",
		Description: `Connects, reads the banner, logs in (Events: off), sends Ping (or --action),
logs off, and prints the result in the Nagios plugin format:

   AMI OK - admin@pbx:5038 (Asterisk Call Manager/11.0.0) login 2.1 ms | connect=0.0004s ...

Several hosts are checked at once. The first line then sums up the worst
state (Nagios shows and mails only that line), one line per host follows in
argument order, and the performance data of every host, each label prefixed
with its host (host:port, or the profile's name for a --profile list or an
@profile line), ends the last line:

   AMI CRITICAL - 1 of 2 hosts down: pbx2:5038 connection refused
   [OK] pbx1:5038 - login 2.1 ms, total 3.0 ms (Asterisk Call Manager/11.0.0)
   [CRITICAL] pbx2:5038 - connection refused | 'pbx1:5038 connect'=0.0004s ...

Text from the server (its banner, an error message) never puts a "|" or a
line break into the output.

A failure to connect, log in or get the reply within --timeout is CRITICAL,
and the line names the stage: refused, DNS, TLS, banner, authentication,
timeout. With several hosts the worst state is the exit status (EXIT CODES
below). Without HOST, the connection flags say where to connect.

--cert-warning AGE (with --tls) makes a certificate that expires within AGE
WARNING, and one that has expired CRITICAL (Dial refuses an expired
certificate anyway, unless it is pinned by --tls-fingerprint).

--timeout bounds the whole run, across all hosts, logging off included:
set it below the monitoring system's own check timeout.

EXAMPLES:
   # a crontab line (user and secret from a profile): mail only
   # when something is wrong
   */5 * * * * ami --profile monitor login-check -q pbx1 pbx2:5038

   # an Icinga/Nagios check with latency thresholds
   ami login-check -u monitor --secret-file /etc/icinga2/ami.secret \
       -w 200ms -c 1s pbx.example.org

   # over TLS, WARNING when the certificate expires within 30 days
   ami login-check --tls --tls-ca /etc/ami/ca.crt --cert-warning 30d \
       pbx.example.org

   # JSON for scripts, one object per host
   ami --mock login-check -o json`,
		Flags:  flags,
		Action: runLoginCheck,
		OnUsageError: func(c *cli.Context, err error, _ bool) error {
			return unknown(c.App.Writer, fmt.Errorf("%v (see 'ami login-check --help')", err))
		},
	}
}

// unknown prints the UNKNOWN line for a usage problem and exits 3.
func unknown(stdout io.Writer, err error) error {
	nagios.Check{Service: "AMI", State: nagios.Unknown, Text: err.Error()}.WriteTo(stdout)
	return exitWith(nagios.Unknown.ExitCode(), nil)
}

// checkResult is the outcome for one host; it is also the JSON object.
type checkResult struct {
	state nagios.State
	// Name is what the lines and labels call the host: the profile's name
	// or host:port, as the user gave it.
	Name     string  `json:"name"`
	Status   string  `json:"status"`
	Code     int     `json:"code"`
	Address  string  `json:"address"`
	Host     string  `json:"host"`
	Port     int     `json:"port"`
	Banner   string  `json:"banner,omitempty"`
	Version  string  `json:"version,omitempty"`
	Action   string  `json:"action"`
	Stage    string  `json:"stage,omitempty"`
	Error    string  `json:"error,omitempty"`
	Connect  float64 `json:"connect_seconds"`
	BannerT  float64 `json:"banner_seconds"`
	Login    float64 `json:"login_seconds"`
	Reply    float64 `json:"action_seconds"`
	Total    float64 `json:"total_seconds"`
	Warning  float64 `json:"warning_seconds,omitempty"`
	Critical float64 `json:"critical_seconds,omitempty"`
	// CertExpires is the TLS certificate's NotAfter (RFC 3339), with
	// --cert-warning.
	CertExpires string   `json:"cert_expires,omitempty"`
	CertDays    *float64 `json:"cert_days_left,omitempty"`

	timeState nagios.State // the state by --warning and --critical alone
	certNote  string       // what --cert-warning found, when not OK
}

type loginCheck struct {
	action      string
	warning     time.Duration
	critical    time.Duration
	certWarning time.Duration // 0: none
	json        bool
	quiet       bool
}

func runLoginCheck(c *cli.Context) error {
	stdout := c.App.Writer
	lc := loginCheck{
		action:   strings.TrimSpace(c.String("action")),
		warning:  c.Duration("warning"),
		critical: c.Duration("critical"),
		quiet:    c.Bool("quiet"),
	}
	switch strings.ToLower(c.String("output")) {
	case "text":
	case "json":
		lc.json = true
	default:
		return unknown(stdout, fmt.Errorf("-o %q: login-check prints text or json", c.String("output")))
	}
	if lc.action == "" || strings.ContainsAny(lc.action, "\r\n") {
		return unknown(stdout, fmt.Errorf("--action %q: want an action name", c.String("action")))
	}
	if lc.warning < 0 || lc.critical < 0 {
		return unknown(stdout, errors.New("--warning and --critical want positive durations"))
	}
	if lc.warning > 0 && lc.critical > 0 && lc.warning > lc.critical {
		return unknown(stdout, fmt.Errorf("--warning %v is above --critical %v", lc.warning, lc.critical))
	}
	if v := c.String("cert-warning"); v != "" {
		age, err := check.ParseAge(v)
		if err != nil {
			return unknown(stdout, fmt.Errorf("--cert-warning %v", err))
		}
		lc.certWarning = age
	}
	ts, err := targetsFrom(c, c.Args().Slice())
	if err != nil {
		return unknown(stdout, err)
	}
	targets := make([]connSettings, len(ts))
	names := make([]string, len(ts))
	anyTLS := false
	for i, t := range ts {
		targets[i] = t.s
		// A profile is named as the user named it, as the other
		// commands name it: its address may be another profile's too.
		names[i] = t.s.Config.Addr
		if t.profile {
			names[i] = t.name
		}
		anyTLS = anyTLS || t.s.Config.TLS != nil
	}
	if lc.certWarning > 0 && !anyTLS {
		return unknown(stdout, errors.New("--cert-warning checks a TLS certificate: add --tls (or an amis:// URL)"))
	}
	base := targets[0]
	parallel, err := parallelOf(c)
	if err != nil {
		return unknown(stdout, err)
	}

	// --timeout bounds the whole run, every host at once, logging off
	// included: a monitoring system kills a check that overruns its own
	// timeout, and it sets ours to fit.
	ctx, cancel := context.WithTimeout(c.Context, base.Timeout)
	defer cancel()
	results := make([]checkResult, len(targets))
	// A check holds its slot to the end: it is short, and --parallel bounds
	// the connections open at once.
	errs := fanin.Run(ctx, len(targets), parallel, func(ctx context.Context, i int, _ func()) error {
		results[i] = lc.check(ctx, targets[i], names[i])
		return nil
	})
	for i, err := range errs {
		if err != nil { // not started: the time was up
			results[i] = lc.failed(checkResult{Name: names[i], Address: targets[i].Display,
				Host: targets[i].Host, Port: targets[i].Port, Action: lc.action}, targets[i], ctx.Err(), "")
		}
	}

	worst := nagios.OK
	for _, r := range results {
		worst = nagios.Worst(worst, r.state)
	}
	if lc.json {
		for _, r := range results {
			if lc.quiet && r.state == nagios.OK {
				continue
			}
			b, _ := json.Marshal(r)
			if _, err := fmt.Fprintf(stdout, "%s\n", b); err != nil && errors.Is(err, syscall.EPIPE) {
				break
			}
		}
	} else if !lc.quiet || worst != nagios.OK {
		lc.report(results).WriteTo(stdout)
	}
	if worst == nagios.OK {
		return nil
	}
	return exitWith(worst.ExitCode(), nil)
}

// check runs the whole conversation with one host, called name in the
// report.
func (lc loginCheck) check(ctx context.Context, s connSettings, name string) checkResult {
	r := checkResult{Name: name, Address: s.Display, Host: s.Host, Port: s.Port, Action: lc.action,
		Warning: lc.warning.Seconds(), Critical: lc.critical.Seconds()}
	cert := peerCert(&s)
	start := time.Now()
	cl, err := s.dial(ctx, "off")
	if err != nil {
		return lc.failed(r, s, err, "")
	}
	defer s.logoff(ctx, cl)
	st := cl.ConnState()
	r.Banner, r.Version = st.Banner, st.Version
	r.Connect, r.BannerT, r.Login = st.ConnectTime.Seconds(), st.BannerTime.Seconds(), st.LoginTime.Seconds()

	replyStart := time.Now()
	_, err = cl.Do(ctx, amiwire.NewAction(lc.action)) // ctx: the whole run's deadline
	if err != nil {
		return lc.failed(r, s, err, lc.action)
	}
	now := time.Now()
	r.Reply, r.Total = now.Sub(replyStart).Seconds(), now.Sub(start).Seconds()
	r.timeState = lc.thresholds().State(r.Total)
	return r.judge(nagios.Worst(r.timeState, lc.judgeCert(&r, cert(), now)))
}

// judgeCert says, with --cert-warning, how soon cert expires: WARNING
// within --cert-warning, CRITICAL once it has expired (a certificate
// pinned by --tls-fingerprint is accepted however old it is).
func (lc loginCheck) judgeCert(r *checkResult, cert *x509.Certificate, now time.Time) nagios.State {
	if lc.certWarning <= 0 || cert == nil {
		return nagios.OK
	}
	left := cert.NotAfter.Sub(now)
	r.CertExpires = cert.NotAfter.UTC().Format(time.RFC3339)
	r.CertDays = nagios.Float(math.Floor(left.Hours()/24*10) / 10)
	date := cert.NotAfter.UTC().Format("2006-01-02")
	switch {
	case left <= 0:
		r.certNote = "TLS certificate expired " + date
		return nagios.Critical
	case left < lc.certWarning:
		r.certNote = fmt.Sprintf("TLS certificate expires in %s (%s)", daysLeft(left), date)
		return nagios.Warning
	}
	return nagios.OK
}

// daysLeft says how long d is in days, or hours below two days.
func daysLeft(d time.Duration) string {
	if d < 48*time.Hour {
		return fmt.Sprintf("%d hours", int(d.Hours()))
	}
	return fmt.Sprintf("%d days", int(d.Hours()/24))
}

// failed fills r for a failure: always CRITICAL, with the stage and a
// message naming it. action is "" while connecting and logging in.
func (lc loginCheck) failed(r checkResult, s connSettings, err error, action string) checkResult {
	r.Stage, r.Error = classifyFailure(err, action, s.Timeout)
	return r.judge(nagios.Critical)
}

// classifyFailure names the stage that failed and says what happened.
func classifyFailure(err error, action string, timeout time.Duration) (stage, msg string) {
	timedOut := errors.Is(err, context.DeadlineExceeded) || isTimeout(err)
	if action != "" {
		var ae *amiwire.ActionError
		switch {
		case errors.As(err, &ae):
			return stageAction, fmt.Sprintf("%s answered Error: %s", action, oneLine(ae.Message))
		case timedOut:
			return stageTimeout, fmt.Sprintf("no reply to %s within %s", action, timeout)
		}
		return stageAction, fmt.Sprintf("%s: %s", action, describeCause(err))
	}
	var ce *amiwire.ConnectError
	if !errors.As(err, &ce) {
		return stageConnect, describeCause(err)
	}
	cause := describeCause(ce.Err)
	if timedOut {
		what := map[string]string{
			amiwire.StageConnect: "connecting",
			amiwire.StageTLS:     "in the TLS handshake",
			amiwire.StageBanner:  "waiting for the banner",
			amiwire.StageLogin:   "waiting for the login reply",
		}[ce.Stage]
		if what == "" {
			what = ce.Stage
		}
		return stageTimeout, fmt.Sprintf("timeout after %s %s", timeout, what)
	}
	var dns *net.DNSError
	switch {
	case errors.As(ce.Err, &dns):
		return stageDNS, "DNS lookup failed: " + cause
	case errors.Is(ce.Err, syscall.ECONNREFUSED):
		return stageRefused, "connection refused"
	case ce.Stage == amiwire.StageTLS || isTLSError(ce.Err):
		return stageTLS, "TLS handshake failed: " + cause
	case ce.Stage == amiwire.StageBanner:
		return stageBanner, "bad banner: " + cause
	case loginRefused(ce.Err) != nil:
		return stageAuth, cause
	case ce.Stage == amiwire.StageLogin:
		return stageLogin, "login failed: " + cause
	}
	return stageConnect, "connect failed: " + cause
}

func isTimeout(err error) bool {
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}

func isTLSError(err error) bool {
	var rh tls.RecordHeaderError
	var ad tls.AlertError
	var cv *tls.CertificateVerificationError
	return errors.As(err, &rh) || errors.As(err, &ad) || errors.As(err, &cv)
}

// judge sets r's state (and its JSON status and code).
func (r checkResult) judge(st nagios.State) checkResult {
	r.state, r.Status, r.Code = st, st.String(), st.ExitCode()
	return r
}

// thresholds are --warning and --critical: the total time may be up to
// each (0: none).
func (lc loginCheck) thresholds() nagios.Thresholds {
	var t nagios.Thresholds
	if lc.warning > 0 {
		t.Warning = nagios.UpTo(lc.warning.Seconds())
	}
	if lc.critical > 0 {
		t.Critical = nagios.UpTo(lc.critical.Seconds())
	}
	return t
}

// report is the plugin output for results: one host's line with its
// perfdata, or for several hosts the summary first, a line per host and
// every host's perfdata (with -q, only the hosts not OK get a line).
func (lc loginCheck) report(results []checkResult) nagios.Check {
	if len(results) == 1 {
		r := results[0]
		text := r.Address + " " + r.Error
		if r.Stage == "" {
			text = fmt.Sprintf("%s (%s) login %s%s", r.Address, r.Banner, ms(r.Login), lc.slowness(r))
		}
		return nagios.Check{Service: "AMI", State: r.state, Text: text, Perf: lc.perf(r)}
	}
	g := nagios.Group{Service: "AMI", Noun: "host", Problem: "down", OnlyProblems: lc.quiet}
	for _, r := range results {
		it := nagios.Item{Name: r.Name, State: r.state, Text: r.Error, Perf: lc.perf(r)}
		if r.Stage == "" {
			slow := strings.TrimPrefix(lc.slowness(r), ", ")
			if r.timeState == nagios.OK {
				slow = strings.TrimSuffix("total "+ms(r.Total)+", "+slow, ", ")
			}
			it.Text = fmt.Sprintf("%s, login %s (%s)", slow, ms(r.Login), r.Banner)
		}
		if r.state != nagios.OK && (r.Stage == "" || r.Stage == stageAction) {
			g.Problem = "" // a slow host, or one that refused the action, is not down
		}
		g.Items = append(g.Items, it)
	}
	return g.Check()
}

// slowness says which threshold r's total time passed, and what
// --cert-warning found, or "".
func (lc loginCheck) slowness(r checkResult) string {
	s := ""
	switch r.timeState {
	case nagios.Critical:
		s = fmt.Sprintf(", total %s > critical %s", ms(r.Total), lc.critical)
	case nagios.Warning:
		s = fmt.Sprintf(", total %s > warning %s", ms(r.Total), lc.warning)
	}
	if r.certNote != "" {
		s += ", " + r.certNote
	}
	return s
}

func ms(seconds float64) string { return fmt.Sprintf("%.1f ms", seconds*1000) }

// perf is r's performance data: the time of each step and the total,
// which carries the thresholds. A host that failed has none (its times
// would be partial).
func (lc loginCheck) perf(r checkResult) []nagios.Perf {
	if r.Stage != "" {
		return nil
	}
	sec := func(label string, v float64) nagios.Perf {
		return nagios.Perf{Label: label, Value: math.Round(v*1e6) / 1e6, Unit: "s"}
	}
	t := lc.thresholds()
	total := sec("total", r.Total)
	total.Warn, total.Crit, total.Min = t.Warning, t.Critical, nagios.Float(0)
	return []nagios.Perf{sec("connect", r.Connect), sec("banner", r.BannerT), sec("login", r.Login),
		sec(perfLabel(r.Action), r.Reply), total}
}

// perfLabel makes a performance data label of an action name: lower case,
// letters and digits only.
func perfLabel(action string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(action) {
		if 'a' <= r && r <= 'z' || '0' <= r && r <= '9' {
			b.WriteRune(r)
		}
	}
	if b.Len() == 0 {
		return "action"
	}
	return b.String()
}
