package main

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"os"
	"slices"
	"strings"
	"syscall"

	"github.com/ami-cli/ami/amiwire"
	"github.com/ami-cli/ami/amiwire/amitls"
	"github.com/ami-cli/ami/cmd/ami/internal/cause"
	"github.com/ami-cli/ami/format"
	"github.com/ami-cli/ami/format/nagios"
)

// Exit codes of every subcommand except login-check (which uses the Nagios
// plugin codes). What each command exits with, and why, is exitTable.
const (
	exitOK          = 0   // success
	exitActionError = 1   // the server answered Response: Error
	exitUsage       = 2   // usage error or bad input; nothing was sent
	exitConn        = 3   // connection or protocol failure, incomplete or miscounted list
	exitAuth        = 4   // authentication failed
	exitInterrupted = 130 // stopped by SIGINT/SIGTERM before the work was done
)

// exitRow is one documented exit status: the code, what it means, and the
// commands that exit with it for that reason.
type exitRow struct {
	code     int
	meaning  string
	commands []string
}

// exitTable is the one table of ami's exit statuses, in the order they are
// shown. Each command's --help shows its rows, the app's --help, the man
// page and the README all of them; TestExitCodes runs every command into
// each of its rows and fails on a code that is not in the table, and on a
// command that has no rows (a new command joins here).
func exitTable() []exitRow {
	const (
		send, list, command, listen = "send", "list", "command", "listen"
		loginCheck, mock, compl     = "login-check", "mock", "completion"
		check, doctor               = "check", "doctor"
		originate, callsCmd, trace  = "originate", "calls", "trace"
	)
	return []exitRow{
		{exitOK, "success", []string{send, list, command, compl}},
		{exitOK, "stopped by --count, --duration, SIGINT or SIGTERM, or a closed stdout (its normal end)", []string{listen}},
		{exitOK, "stopped by SIGINT or SIGTERM (its normal end)", []string{mock}},
		{exitOK, "printed the calls (--once), or stopped by SIGINT, SIGTERM, q or a closed stdout (its normal end)", []string{callsCmd}},
		{exitOK, "the call was traced to its end, or listed; live, stopped by SIGINT or SIGTERM (its normal end)", []string{trace}},
		{exitOK, "the call was queued, or with --wait / --until answered (and with --until hangup, ended)", []string{originate}},
		{exitActionError, "the server answered Response: Error", []string{send, list, command, originate, callsCmd}},
		{exitActionError, "the call was not answered: the printed Outcome says why (busy, no-answer, congestion, hangup, failed)", []string{originate}},
		{exitActionError, "no such call: live, no channel up has the ID; --from, none in the capture (or several match --caller/--exten: listed)", []string{trace}},
		{exitUsage, "usage error or bad input (an unknown flag, a value with CR or LF, ...): nothing was sent", []string{send, list, command, listen, originate, callsCmd, trace, mock, compl}},
		{exitConn, "connection or protocol failure: refused, DNS, TLS, timeout, connection lost, malformed stream, a list cut short or with fewer or more items than its ListItems says, more than --buffer waiting for a stdout that takes nothing", []string{send, list, command, listen, callsCmd, trace}},
		{exitConn, "connection failure or lost while waiting, or no OriginateResponse within --ring-timeout plus --timeout", []string{originate}},
		{exitConn, "cannot listen on the --listen address", []string{mock}},
		{exitAuth, "authentication failed", []string{send, list, command, listen, originate, callsCmd, trace}},
		{exitInterrupted, "interrupted by SIGINT or SIGTERM: Logoff was sent and what was printed is whole packets, unless stdout took nothing for a second after the signal (in its first 50 ms a signal ends ami the default way, 143 for SIGTERM)", []string{send, list, command}},
		{exitInterrupted, "interrupted by SIGINT or SIGTERM while waiting (with --hangup-on-exit after hanging up the channel it started)", []string{originate}},
		{nagios.OK.ExitCode(), "OK: logged in (and the --action answered) within --warning", []string{loginCheck}},
		{nagios.Warning.ExitCode(), "WARNING: slower than --warning", []string{loginCheck}},
		{nagios.Critical.ExitCode(), "CRITICAL: a host is down, refused the login or the action, or was slower than --critical", []string{loginCheck}},
		{nagios.OK.ExitCode(), "OK: every host answered and nothing passed a threshold", []string{check}},
		{nagios.Warning.ExitCode(), "WARNING: the count or a --max passed its warning threshold", []string{check}},
		{nagios.Critical.ExitCode(), "CRITICAL: a host is down, refused the login, answered Error, or an item failed --expect, or the count or a --max passed its critical threshold", []string{check}},
		{nagios.Unknown.ExitCode(), "UNKNOWN: usage error or bad flag value", []string{loginCheck, check}},
		{exitOK, "all that --need names works (WARN and NOTE lines pass)", []string{doctor}},
		{exitActionError, "something --need names is wrong: the login was refused, or a permission is missing", []string{doctor}},
		{exitUsage, "usage error or bad flag value: nothing was sent", []string{doctor}},
		{exitConn, "no AMI server could be talked to: DNS, connect, TLS or banner failed", []string{doctor}},
	}
}

// exitRowsOf returns the rows of exitTable for command name.
func exitRowsOf(name string) []exitRow {
	var out []exitRow
	for _, r := range exitTable() {
		for _, c := range r.commands {
			if c == name {
				out = append(out, r)
				break
			}
		}
	}
	return out
}

// exitCommands says which commands row r is for: "" when it is every
// command's, else "send, list, command".
func exitCommands(r exitRow, all []string) string {
	if len(r.commands) == len(all) {
		return ""
	}
	return strings.Join(r.commands, ", ")
}

// exitCommandNames returns the names of the commands that have exit rows,
// in the table's order.
func exitCommandNames() []string {
	var out []string
	for _, r := range exitTable() {
		for _, c := range r.commands {
			if !slices.Contains(out, c) {
				out = append(out, c)
			}
		}
	}
	return out
}

// exitCodesHelp renders rows as the EXIT CODES section of --help, wrapped
// at 88 columns; withCommands adds to each row the commands it is for.
func exitCodesHelp(rows []exitRow, withCommands bool) string {
	var b strings.Builder
	b.WriteString("EXIT CODES:\n")
	all := exitCommandNames()
	for _, r := range rows {
		text := r.meaning
		if cmds := exitCommands(r, all); withCommands && cmds != "" {
			text += " [" + cmds + "]"
		}
		b.WriteString(wrapHanging(fmt.Sprintf("   %-4d %s", r.code, text), strings.Repeat(" ", 8), 88))
		b.WriteByte('\n')
	}
	return strings.TrimSuffix(b.String(), "\n")
}

// exitCodesMarkdown renders the whole table for the README.
func exitCodesMarkdown() string {
	var b strings.Builder
	b.WriteString("| code | meaning | commands |\n|---|---|---|\n")
	all := exitCommandNames()
	for _, r := range exitTable() {
		cmds := exitCommands(r, all)
		if cmds == "" {
			cmds = "all"
		} else {
			cmds = "`" + strings.ReplaceAll(cmds, ", ", "`, `") + "`"
		}
		fmt.Fprintf(&b, "| %d | %s | %s |\n", r.code, strings.ReplaceAll(r.meaning, "|", "\\|"), cmds)
	}
	return b.String()
}

// wrapHanging breaks s at spaces into lines of at most width bytes, each
// line after the first starting with indent.
func wrapHanging(s, indent string, width int) string {
	var b strings.Builder
	line := 0
	for i, w := range strings.Split(s, " ") {
		switch {
		case i == 0:
		case line+1+len(w) > width && line > len(indent):
			b.WriteString("\n" + indent)
			line = len(indent)
		default:
			b.WriteByte(' ')
			line++
		}
		b.WriteString(w)
		line += len(w)
	}
	return b.String()
}

// codeError carries a specific exit code. A nil Err means a silent exit:
// the command has already said what there was to say.
type codeError struct {
	code int
	err  error
}

func (e *codeError) Error() string {
	if e.err == nil {
		return fmt.Sprintf("exit status %d", e.code)
	}
	return e.err.Error()
}

func (e *codeError) Unwrap() error { return e.err }

// exitWith makes a command end with the given exit code. With a nil err
// nothing more is printed.
func exitWith(code int, err error) error { return &codeError{code: code, err: err} }

// authFailure is a login the server refused: amiwire's error, the Login
// action's *amiwire.ActionError inside the *amiwire.ConnectError of Dial
// (StageLogin), with the user it was for, which ami knows and amiwire's
// error does not say. It never holds the secret.
type authFailure struct {
	user    string
	refusal *amiwire.ActionError
}

func (e *authFailure) Error() string {
	return fmt.Sprintf("authentication failed for user %q: %s", e.user, e.refusal.Message)
}

func (e *authFailure) Unwrap() error { return e.refusal }

// withUser gives a refused login's error the user it was for (see
// authFailure); other errors come back as they are.
func withUser(err error, user string) error {
	var ce *amiwire.ConnectError
	var ae *amiwire.ActionError
	if !errors.As(err, &ce) || ce.Stage != amiwire.StageLogin || !errors.As(ce.Err, &ae) || ae.Action != "Login" {
		return err
	}
	return &amiwire.ConnectError{Stage: ce.Stage, Addr: ce.Addr, Err: &authFailure{user: user, refusal: ae}}
}

// loginRefused returns the server's refusal of the login when err is one
// (exit 4, and no retry), or nil.
func loginRefused(err error) *authFailure {
	var af *authFailure
	if errors.As(err, &af) {
		return af
	}
	return nil
}

// usageError is bad usage or bad input: exit 2, nothing was sent.
func usageError(format string, args ...any) error {
	return &codeError{code: exitUsage, err: fmt.Errorf(format, args...)}
}

// exitCode maps an error to the process exit code. The most specific
// classification wins: an explicit code, then authentication, then the
// action, input and connection errors of amiwire.
func exitCode(err error) int {
	if err == nil {
		return exitOK
	}
	var ce *codeError
	if errors.As(err, &ce) {
		return ce.code
	}
	// Interrupted (SIGINT/SIGTERM cancel the context) wins over the
	// connection error that a cancelled dial or read also is.
	if errors.Is(err, context.Canceled) {
		return exitInterrupted
	}
	if loginRefused(err) != nil {
		return exitAuth
	}
	var fe *amiwire.FieldError
	if errors.As(err, &fe) {
		return exitUsage
	}
	var ile *amiwire.IncompleteListError
	if errors.As(err, &ile) {
		return exitConn
	}
	var conn *amiwire.ConnectError
	var pe *amiwire.ProtocolError
	if errors.As(err, &conn) || errors.As(err, &pe) ||
		errors.Is(err, amiwire.ErrClosed) || errors.Is(err, context.DeadlineExceeded) || isNetError(err) {
		return exitConn
	}
	var act *amiwire.ActionError
	if errors.As(err, &act) {
		return exitActionError
	}
	// Anything else (a local file that cannot be read, ...) is bad input.
	return exitUsage
}

func isNetError(err error) bool {
	var ne net.Error
	return errors.As(err, &ne)
}

// isBrokenPipe reports whether err comes from writing to a closed stdout
// (`ami ... | head`), which ends the command quietly with exit 0.
func isBrokenPipe(err error) bool {
	return errors.Is(err, syscall.EPIPE)
}

// errorLine renders err as the one line printed after "ami: ". Connection
// errors name the stage and the address ("connect 127.0.0.1:5038:
// connection refused"); the rest print as they are. Secrets never reach
// here: no error of amiwire or of this package carries one. Text from a
// server (a Message) may be in it, and stderr is usually a terminal:
// control bytes are shown escaped (format.AppendVisible).
func errorLine(err error) string {
	var conn *amiwire.ConnectError
	if errors.As(err, &conn) {
		return visibleLine(fmt.Sprintf("%s %s: %s", conn.Stage, conn.Addr, describeCause(conn.Err)))
	}
	return visibleLine(oneLine(err.Error()))
}

// visibleLine shows the control bytes of a diagnostic line escaped.
func visibleLine(s string) string { return string(format.AppendVisible(nil, s, false)) }

// describeCause shortens the cause of a connection failure to what a user
// needs: "connection refused", "no such host", "timed out", the TLS or
// protocol problem, or the server's authentication message.
func describeCause(err error) string {
	if err == nil {
		return "failed"
	}
	if af := loginRefused(err); af != nil {
		msg := fmt.Sprintf("authentication failed for user %q", af.user)
		if m := af.refusal.Message; m != "" && !strings.EqualFold(m, "Authentication failed") {
			msg += ": " + m
		}
		return msg
	}
	var cert *amitls.CertificateError
	if errors.As(err, &cert) {
		return oneLine(cert.Error()) + "; " + certHint(cert)
	}
	if isMismatch(err) {
		var ce *amiwire.ConnectError
		if errors.As(err, &ce) {
			err = ce.Err
		}
		return oneLine(err.Error()) + ": " + mismatchHint(err)
	}
	if errors.Is(err, context.Canceled) {
		return "interrupted"
	}
	if errors.Is(err, context.DeadlineExceeded) {
		return "timed out"
	}
	var dns *net.DNSError
	if errors.As(err, &dns) {
		if dns.IsNotFound {
			return fmt.Sprintf("no such host %q", dns.Name)
		}
		return "DNS: " + dns.Err
	}
	// A system error says what happened ("connection timed out"); other
	// timeouts say it shortly. amiwire drops the layers around either.
	var se *os.SyscallError
	var ne net.Error
	if !errors.As(err, &se) && errors.As(err, &ne) && ne.Timeout() {
		return "timed out"
	}
	return oneLine(cause.Short(err))
}

// oneLine keeps an error message on one line whatever a server put in it.
func oneLine(s string) string {
	if !strings.ContainsAny(s, "\r\n") {
		return s
	}
	return strings.NewReplacer("\r\n", " ", "\r", " ", "\n", " ").Replace(strings.TrimRight(s, "\r\n"))
}

// certHint says what a user can do about a refused certificate, in terms
// of ami's flags.
func certHint(e *amitls.CertificateError) string {
	const pin = "check its fingerprint on the server (openssl x509 -noout -fingerprint -sha256 -in CERT) and pin it with --tls-fingerprint"
	switch e.Reason {
	case amitls.Untrusted:
		return "to trust it, give --tls-ca the certificate of the CA that signed it (ast_tls_cert's ca.crt), or " + pin
	case amitls.WrongName:
		if name := certName(e.Cert); name != "" {
			return fmt.Sprintf("if this is the right server, use --tls-server-name %s, or %s", name, pin)
		}
		return "if this is the right server, " + pin
	case amitls.Expired:
		return "renew it on the server, or " + pin + " (dates are not checked then)"
	case amitls.PinMismatch:
		return "if the server's certificate was replaced, check the new one's fingerprint on the server and pass it to --tls-fingerprint; if not, someone may be intercepting the connection"
	}
	return "if this is the right server, " + pin
}

// certName returns a host name the certificate is for, to suggest with
// --tls-server-name: its first DNS name, or its CN when it has no DNS
// or address names; "" when it has none that could be typed safely.
func certName(c *x509.Certificate) string {
	name := c.Subject.CommonName
	if len(c.DNSNames) > 0 {
		name = c.DNSNames[0]
	} else if len(c.IPAddresses) > 0 {
		return ""
	}
	if name == "" || strings.HasPrefix(name, "*") || strings.ContainsFunc(name, func(r rune) bool {
		return !(r == '.' || r == '-' || r == ':' || r >= '0' && r <= '9' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z')
	}) {
		return ""
	}
	return name
}

// isMismatch reports whether err is Dial's finding that the server speaks
// the other protocol: TLS to a plain dial, or plain text to a TLS one.
func isMismatch(err error) bool {
	return errors.Is(err, amiwire.ErrServerTLS) || errors.Is(err, amiwire.ErrServerPlain)
}

// mismatchHint names the likely cause when the server speaks the other
// protocol (isMismatch).
func mismatchHint(err error) string {
	var rh tls.RecordHeaderError
	switch {
	case errors.Is(err, amiwire.ErrServerTLS):
		return "this looks like a TLS port: try --tls"
	case errors.As(err, &rh) && strings.HasPrefix("Asterisk Call Manager/", string(rh.RecordHeader[:])): // the start of a plain AMI banner
		return "this looks like a plain AMI port: drop --tls, or use the TLS port (tlsbindaddr in manager.conf, usually 5039)"
	}
	return "the server does not speak TLS on this port"
}
