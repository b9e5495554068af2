package main

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/x509"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"strings"
	"syscall"
	"time"

	"github.com/urfave/cli/v2"

	"github.com/ami-cli/ami/amiwire"
	"github.com/ami-cli/ami/amiwire/amitls"
	"github.com/ami-cli/ami/cmd/ami/internal/doctor"
)

func doctorCommand() *cli.Command {
	return &cli.Command{
		Name:      "doctor",
		Usage:     "walk from the network to events and say what is wrong, with the manager.conf fix",
		UsageText: "ami doctor [flags]",
		Description: `Checks, one step after the other, what stands between this user and a working
AMI session, and prints one line per step (OK, WARN, FAIL, or NOTE for something
missing that --need says is not needed) with, for each failure, the manager.conf
change (or the flag) that would fix it:

   resolve   the host name
   connect   the TCP connection (refused: is AMI enabled, on this port and address?)
   TLS       with --tls: the certificate's subject, issuer, expiry and SHA-256
             fingerprint, and how it was trusted
   banner    that an AMI server answers, and its AMI version
   login     the user and the auth method; a refusal names both causes that
             Asterisk hides behind "Authentication failed": a wrong secret, or
             this address outside the user's permit/deny
   actions   how many actions the user may send (ListCommands)
   read      whether list and status actions run (CoreStatus: Asterisk asks a
             write class, reporting, even of actions that only read)
   write     which write classes work, tried harmlessly: Hangup and Originate
             without a channel, Command "core show version"
   events    a UserEvent sent and received back: proves both the write (user)
             and the read (user) side
   rtt       the round-trip time of Ping

It never changes the server: the only thing it sends that others can see is one
UserEvent named AmiDoctor.

--need read,write,events (default all) says what this user is for: a read-only
monitoring user needs read, a dashboard read and events, a click-to-call tool write.

EXAMPLES:
   ami doctor -H pbx.example.org -u admin
   ami --profile monitor doctor --need read
   ami doctor --tls --tls-ca /etc/ami/ca.crt -H pbx -u admin -o json`,
		Flags: append([]cli.Flag{
			&cli.StringFlag{Name: "need", Value: "read,write,events", Category: "Doctor",
				Usage: "what this user is for: a comma list of `NEEDS` (read, write, events); the rest is a note when missing"},
			choiceFlag(&cli.StringFlag{Name: "output", Aliases: []string{"o"}, Value: "text", Category: "Output",
				Usage: "output `FORMAT`: text (a line per step) or json (one object)"}, "text", "json"),
		}, connectionFlags()...),
		Action: runDoctor,
	}
}

// doctorEvent names the UserEvent doctor sends.
const doctorEvent = "AmiDoctor"

func runDoctor(c *cli.Context) error {
	needs, err := doctor.ParseNeeds(c.String("need"))
	if err != nil {
		return usageError("%v", err)
	}
	asJSON := false
	switch strings.ToLower(c.String("output")) {
	case "text":
	case "json":
		asJSON = true
	default:
		return usageError("-o %q: doctor prints text or json", c.String("output"))
	}
	if c.NArg() > 0 {
		return usageError("doctor takes no arguments (the connection flags say where): %q", c.Args().First())
	}
	ts, err := targetsFrom(c, nil)
	if err != nil {
		return err
	}
	if len(ts) != 1 {
		return usageError("doctor examines one host at a time; %d given", len(ts))
	}
	rep := examine(c.Context, ts[0].s, needs)
	if asJSON {
		b, _ := json.Marshal(rep)
		_, err = fmt.Fprintf(c.App.Writer, "%s\n", b)
	} else {
		err = rep.WriteText(c.App.Writer)
	}
	if err != nil && !errors.Is(err, syscall.EPIPE) {
		return exitWith(exitConn, fmt.Errorf("doctor: %w", err))
	}
	if code := rep.ExitCode(); code != 0 {
		return exitWith(code, nil)
	}
	return nil
}

// examine runs every step against s. Each step is bounded by s.Timeout.
func examine(ctx context.Context, s connSettings, needs doctor.Needs) doctor.Report {
	rep := doctor.Report{Target: s.Display, Needs: needs}
	step := func() (context.Context, context.CancelFunc) { return context.WithTimeout(ctx, s.Timeout) }

	// resolve
	sctx, cancel := step()
	if ip := net.ParseIP(s.Host); ip != nil {
		rep.Add("resolve", doctor.OK, s.Host+" is an address", "")
	} else if addrs, err := net.DefaultResolver.LookupHost(sctx, s.Host); err != nil {
		rep.Add("resolve", doctor.Fail, describeCause(err), "check the host name (-H), or give its address")
		rep.Unreachable = true
		cancel()
		return rep
	} else {
		rep.Add("resolve", doctor.OK, s.Host+" is "+strings.Join(addrs, ", "), "")
	}
	cancel()

	// connect, TLS, banner, login: Dial's steps.
	cert := peerCert(&s)
	sctx, cancel = step()
	cl, err := s.dial(sctx, "system,user")
	cancel()
	if err != nil {
		dialFailed(&rep, s, err, cert())
		return rep
	}
	defer s.logoff(ctx, cl)
	cs := cl.ConnState()
	rep.Add("connect", doctor.OK, fmt.Sprintf("%s in %s", s.Config.Addr, ms(cs.ConnectTime.Seconds())), "")
	tlsStep(&rep, s, cl, cert())
	rep.Add("banner", doctor.OK, fmt.Sprintf("%s (AMI %s)", cs.Banner, cs.Version), "")
	method := "plain (the secret is sent as it is)"
	if s.Config.Challenge {
		method = "md5 (Challenge; the secret is not sent)"
	}
	rep.Add("login", doctor.OK, fmt.Sprintf("user %s, auth %s, in %s", s.Config.Username, method, ms(cs.LoginTime.Seconds())), "")

	user := s.Config.Username
	ask := func(a amiwire.Packet) (*amiwire.Response, error) {
		sctx, cancel := step()
		defer cancel()
		return cl.Do(sctx, a)
	}
	// actions
	if resp, err := ask(amiwire.NewAction("ListCommands")); err != nil {
		rep.Add("actions", doctor.Warn, "ListCommands: "+describeCause(err), "")
	} else if n, err := doctor.CountActions(resp.Packet); err != nil {
		rep.Add("actions", doctor.Warn, err.Error(), "")
	} else {
		rep.Add("actions", doctor.OK, fmt.Sprintf("%d actions allowed (ListCommands lists those this user may send)", n), "")
	}

	// read: CoreStatus stands for the list and status actions.
	switch allowed, err := probe(ask, amiwire.NewAction("CoreStatus")); {
	case err != nil:
		rep.Add("read", doctor.Warn, "CoreStatus: "+describeCause(err), "")
	case allowed:
		rep.Add("read", doctor.OK, "lists and status actions run (CoreStatus answered)", "")
	default:
		rep.Add("read", doctor.Missing(needs.Read), "CoreStatus: Permission denied: lists and status actions (CoreShowChannels, Status, QueueStatus) are refused",
			fmt.Sprintf("manager.conf [%s]: write = reporting (Asterisk asks a write class even of actions that only read), then 'manager reload'", user))
	}

	// write: each class tried with an action that changes nothing.
	probes := []struct {
		class  string
		action amiwire.Packet
	}{
		{"call", amiwire.NewAction("Hangup")},         // no Channel: "No channel specified"
		{"originate", amiwire.NewAction("Originate")}, // no Channel: "Channel not specified"
		{"command", amiwire.NewAction("Command", "Command", "core show version")},
	}
	var may, mayNot []string
	for _, p := range probes {
		allowed, err := probe(ask, p.action)
		switch {
		case err != nil:
			mayNot = append(mayNot, p.class+" ("+describeCause(err)+")")
		case allowed:
			may = append(may, p.class)
		default:
			mayNot = append(mayNot, p.class)
		}
	}
	switch {
	case len(mayNot) == 0:
		rep.Add("write", doctor.OK, "write classes "+strings.Join(may, ", ")+" work (Hangup, Originate, Command tried without effect)", "")
	case len(may) > 0:
		rep.Add("write", doctor.OK, fmt.Sprintf("write classes %s work; %s refused", strings.Join(may, ", "), strings.Join(mayNot, ", ")), "")
	default:
		rep.Add("write", doctor.Missing(needs.Write), "no write class works: Hangup, Originate and Command were refused",
			fmt.Sprintf("manager.conf [%s]: write = call,originate (and command for ami command), then 'manager reload'", user))
	}

	// events: a UserEvent sent and received back.
	eventsStep(ctx, &rep, s, cl, needs)

	// rtt
	var best, worst time.Duration
	for i := 0; i < 3; i++ {
		start := time.Now()
		if _, err := ask(amiwire.NewAction("Ping")); err != nil {
			rep.Add("rtt", doctor.Warn, "Ping: "+describeCause(err), "")
			return rep
		}
		d := time.Since(start)
		if i == 0 || d < best {
			best = d
		}
		worst = max(worst, d)
	}
	rep.Add("rtt", doctor.OK, fmt.Sprintf("Ping %s (best of 3; worst %s)", ms(best.Seconds()), ms(worst.Seconds())), "")
	return rep
}

// probe sends a harmless action and reports whether the user may send
// it: anything but "Permission denied" means the permission check passed.
func probe(ask func(amiwire.Packet) (*amiwire.Response, error), a amiwire.Packet) (bool, error) {
	_, err := ask(a)
	var ae *amiwire.ActionError
	switch {
	case err == nil:
		return true, nil
	case errors.As(err, &ae):
		return !strings.EqualFold(strings.TrimSpace(ae.Message), "Permission denied"), nil
	}
	return false, err
}

// dialFailed records the step at which Dial failed, and the ones before
// it as passed.
func dialFailed(rep *doctor.Report, s connSettings, err error, cert *x509.Certificate) {
	var ce *amiwire.ConnectError
	stage := amiwire.StageConnect
	if errors.As(err, &ce) {
		stage = ce.Stage
	}
	cause := describeCause(err)
	port := fmt.Sprint(s.Port)
	switch stage {
	case amiwire.StageConnect:
		rep.Unreachable = true
		switch {
		case errors.Is(err, syscall.ECONNREFUSED):
			// manager.conf has no TLS port option of its own: the TLS
			// port is part of tlsbindaddr.
			listen := fmt.Sprintf("enabled = yes, port = %s, bindaddr = 0.0.0.0 or this interface's address", port)
			if s.Config.TLS != nil {
				listen = fmt.Sprintf("tlsenable = yes, tlsbindaddr = 0.0.0.0:%s (or this interface's address)", port)
			}
			rep.Add("connect", doctor.Fail, fmt.Sprintf("%s: connection refused: nothing listens there", s.Config.Addr),
				fmt.Sprintf("manager.conf [general]: %s; and let TCP %s through the firewall", listen, port))
		case errors.Is(err, context.DeadlineExceeded) || isTimeout(err):
			rep.Add("connect", doctor.Fail, fmt.Sprintf("%s: no answer within %s", s.Config.Addr, s.Timeout),
				fmt.Sprintf("a firewall drops TCP %s, or the host is down or wrong", port))
		default:
			rep.Add("connect", doctor.Fail, s.Config.Addr+": "+cause, "")
		}
		return
	case amiwire.StageTLS:
		rep.Unreachable = true
		rep.Add("connect", doctor.OK, s.Config.Addr, "")
		fix := ""
		var cerr *amitls.CertificateError
		switch {
		case errors.As(err, &cerr):
			cause = oneLine(cerr.Error()) + "; " + certDates(cerr.Cert)
			fix = certHint(cerr)
		case isMismatch(err):
			cause, fix = oneLine(ce.Err.Error()), mismatchHint(err)
		}
		rep.Add("TLS", doctor.Fail, cause, fix)
		return
	case amiwire.StageBanner:
		rep.Unreachable = true
		rep.Add("connect", doctor.OK, s.Config.Addr, "")
		if s.Config.TLS != nil {
			rep.Add("TLS", doctor.OK, certSummary(cert), "")
		}
		fix := fmt.Sprintf("this port does not speak AMI: manager.conf [general] port (5038) or tlsbindaddr (port 5039) says where AMI listens; %s is something else", s.Config.Addr)
		if isMismatch(err) {
			cause, fix = oneLine(ce.Err.Error()), mismatchHint(err)
		}
		rep.Add("banner", doctor.Fail, cause, fix)
		return
	}
	// The login failed: everything before it worked.
	rep.Add("connect", doctor.OK, s.Config.Addr, "")
	if s.Config.TLS != nil {
		rep.Add("TLS", doctor.OK, certSummary(cert), "")
	}
	rep.Add("banner", doctor.OK, "an AMI server answered", "")
	if af := loginRefused(err); af != nil {
		from := localAddrFor(s.Config.Addr)
		rep.Add("login", doctor.Fail,
			fmt.Sprintf("Asterisk refused user %q (%q), which stands for either cause: the user or its secret is wrong, or this address (%s) is outside the user's permit/deny", af.user, af.refusal.Message, from),
			fmt.Sprintf("manager.conf [%s]: secret = the one ami sends (from --secret-file, the profile or $AMI_SECRET); permit = %s/255.255.255.255 (or its network) after any deny line; then 'manager reload'", af.user, from))
		return
	}
	rep.Add("login", doctor.Fail, cause, "")
}

// localAddrFor returns the address this machine sends from to reach addr,
// as the server sees it (without NAT): what its permit/deny judge. A UDP
// "connection" picks the route and sends nothing.
func localAddrFor(addr string) string {
	c, err := net.Dial("udp", addr)
	if err != nil {
		return "this machine's address"
	}
	defer c.Close()
	if ua, ok := c.LocalAddr().(*net.UDPAddr); ok {
		return ua.IP.String()
	}
	return "this machine's address"
}

// tlsStep records how the connection was protected.
func tlsStep(rep *doctor.Report, s connSettings, cl *amiwire.Client, cert *x509.Certificate) {
	if s.Config.TLS == nil {
		note := "not used: the secret and all traffic cross the network in clear"
		if s.Config.Challenge {
			note = "not used: the secret is hashed (md5), the traffic is in clear"
		}
		rep.Add("TLS", doctor.Note, note, "manager.conf [general]: tlsenable = yes, tlsbindaddr = 0.0.0.0:5039, tlscertfile = ...; then ami --tls")
		return
	}
	how := map[amitls.Check]string{
		amitls.Verified:   "verified",
		amitls.VerifiedCN: "verified (name matched by its CN: no subjectAltName)",
		amitls.Pinned:     "pinned by its fingerprint",
		amitls.NotChecked: "NOT verified (--tls-insecure)",
	}[cl.ConnState().CertCheck]
	st := doctor.OK
	fix := ""
	if cl.ConnState().CertCheck == amitls.NotChecked {
		st, fix = doctor.Warn, "verify it: --tls-ca CA-FILE, or --tls-fingerprint "+fingerprintText(cert)
	}
	if cert != nil {
		if left := time.Until(cert.NotAfter); left <= 0 {
			st, fix = doctor.Fail, "renew the server's certificate (manager.conf [general] tlscertfile)"
		} else if left < 30*24*time.Hour && st == doctor.OK {
			st, fix = doctor.Warn, "renew the server's certificate soon (manager.conf [general] tlscertfile)"
		}
	}
	rep.Add("TLS", st, how+"; "+certSummary(cert), fix)
}

// certDates gives a certificate's issuer and expiry.
func certDates(c *x509.Certificate) string {
	if c == nil {
		return "no certificate seen"
	}
	if left := time.Until(c.NotAfter); left > 0 {
		return fmt.Sprintf("issuer %s, expires %s (in %s)", c.Issuer, c.NotAfter.UTC().Format("2006-01-02"), daysLeft(left))
	}
	return fmt.Sprintf("issuer %s, EXPIRED %s", c.Issuer, c.NotAfter.UTC().Format("2006-01-02"))
}

// certSummary describes a certificate: subject, issuer, expiry and
// SHA-256 fingerprint.
func certSummary(c *x509.Certificate) string {
	if c == nil {
		return "no certificate seen"
	}
	return fmt.Sprintf("subject %s, %s, SHA-256 %s", c.Subject, certDates(c), fingerprintText(c))
}

func fingerprintText(c *x509.Certificate) string {
	if c == nil {
		return "?"
	}
	return amitls.Fingerprint(sha256.Sum256(c.Raw)).String()
}

// eventsStep sends a UserEvent with a random tag and waits for it to come
// back: that proves the write side (class user) and the read side (class
// user, and the session's event mask).
func eventsStep(ctx context.Context, rep *doctor.Report, s connSettings, cl *amiwire.Client, needs doctor.Needs) {
	var tag [6]byte
	rand.Read(tag[:])
	id := hex.EncodeToString(tag[:])
	user := s.Config.Username
	wait := min(s.Timeout, 3*time.Second)
	sctx, cancel := context.WithTimeout(ctx, wait)
	defer cancel()
	start := time.Now()
	_, err := cl.Do(sctx, amiwire.NewAction("UserEvent", "UserEvent", doctorEvent, "Tag", id))
	var ae *amiwire.ActionError
	queued := cl.ConnState().EventsQueued
	switch {
	case errors.As(err, &ae) && strings.EqualFold(strings.TrimSpace(ae.Message), "Permission denied") && queued > 0:
		// FullyBooted (class system) follows the login at once.
		rep.Add("events", doctor.OK, fmt.Sprintf("events arrive (%d since the login, such as FullyBooted); a UserEvent round trip was not tried: sending one needs write class user", queued), "")
		return
	case errors.As(err, &ae) && strings.EqualFold(strings.TrimSpace(ae.Message), "Permission denied"):
		rep.Add("events", doctor.Warn, "not tested: no event came since the login, and sending a UserEvent needs write class user, which this user lacks",
			fmt.Sprintf("to let doctor test events: manager.conf [%s]: write = ...,user; events arrive only with read = ...,user (or the classes wanted)", user))
		return
	case err != nil:
		rep.Add("events", doctor.Warn, "UserEvent: "+describeCause(err), "")
		return
	}
	var batch []amiwire.Packet
	for {
		batch, err = cl.NextEvents(sctx, batch[:0])
		if err != nil {
			break
		}
		for _, ev := range batch {
			if strings.EqualFold(ev.Get("Event"), "UserEvent") && ev.Get("UserEvent") == doctorEvent && ev.Get("Tag") == id {
				rep.Add("events", doctor.OK, fmt.Sprintf("a UserEvent sent and received back in %s", ms(time.Since(start).Seconds())), "")
				return
			}
		}
	}
	rep.Add("events", doctor.Missing(needs.Events), fmt.Sprintf("a UserEvent was sent but did not come back within %s: this user does not read class user", wait),
		fmt.Sprintf("manager.conf [%s]: read = ...,user (and the classes whose events it wants: call, system, ...); check eventfilter lines there too; then 'manager reload'", user))
}
