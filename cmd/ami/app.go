package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"sync"

	"github.com/urfave/cli/v2"
)

// version is stamped at link time: -ldflags "-X main.version=v1.2.3".
var version = "dev"

// run builds the app, runs it with args (args[0] is the program name) and
// returns the exit code. It writes only to stdout and stderr, never to
// os.Stdout, so tests run it in-process with buffers. An error prints as one
// line "ami: <error>" on stderr; a closed stdout (EPIPE) ends quietly with
// exit 0. Cancelling ctx (main does on SIGINT and SIGTERM) is what each
// command treats as "stop cleanly".
func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()

	// The client's --trace and the commands' warnings may write to stderr
	// from different goroutines.
	stderr = &lockedWriter{w: stderr}
	app := newApp(args, stdin, stdout, stderr)
	err := app.RunContext(ctx, reorderArgs(app, args))
	cancel()
	runCleanups(app)
	return reportError(stderr, err)
}

// reportError prints err (when it says something) and returns its exit code.
func reportError(stderr io.Writer, err error) int {
	if err == nil || isBrokenPipe(err) {
		return exitOK
	}
	code := exitCode(err)
	var ce *codeError
	if errors.As(err, &ce) && ce.err == nil {
		return code
	}
	fmt.Fprintf(stderr, "ami: %s\n", errorLine(err))
	return code
}

// commandDef is one of ami's commands, by the name it is called with and
// its constructor.
type commandDef struct {
	name  string
	build func() *cli.Command
}

// commandDefs lists ami's commands in help order.
func commandDefs() []commandDef {
	return []commandDef{
		{"send", sendCommand},
		{"list", listCommand},
		{"command", commandCommand},
		{"listen", listenCommand},
		{"originate", originateCommand},
		{"calls", callsCommand},
		{"trace", traceCommand},
		{"login-check", loginCheckCommand},
		{"check", checkCommand},
		{"doctor", doctorCommand},
		{"mock", mockCommand},
		{"completion", completionCommand},
	}
}

// buildApp returns the ami application writing to stdout and stderr and
// reading actions (and a prompted secret) from stdin, with every command.
func buildApp(stdin io.Reader, stdout, stderr io.Writer) *cli.App {
	return newApp(nil, stdin, stdout, stderr)
}

// newApp is buildApp for running args (args[0] is the program name),
// trimmed for that run (see startup.go: commandsFor, trimForRun).
func newApp(args []string, stdin io.Reader, stdout, stderr io.Writer) *cli.App {
	flags := appConnectionFlags()
	defs, only := commandsFor(commandDefs(), flags, args)
	commands := make([]*cli.Command, len(defs))
	for i, d := range defs {
		commands[i] = d.build()
	}
	app := &cli.App{
		Name:      "ami",
		Usage:     "the Asterisk Manager Interface for shell users",
		UsageText: "ami [connection flags] COMMAND [flags] [arguments...]",
		Description: `ami logs in to Asterisk's manager interface (AMI) and sends actions from arguments
or stdin, prints responses, list items and live events as text, JSON lines, raw AMI or
tables, and exits with codes a shell "if" can trust. Data goes to stdout, diagnostics
to stderr.

The connection flags work before and after the command name:
   ami -H pbx -u admin send Ping
   ami send -H pbx -u admin Ping

The secret comes from --secret-file, a --profile, $AMI_SECRET or a prompt.
Each connection setting comes from the command line, else the profile, else
the environment, else the defaults. A profile's secret goes only to the host
and port the profile names.

With --tls the server's certificate is verified. Asterisk's ast_tls_cert makes a
private CA (ca.crt) and a server certificate with only a CN and no subjectAltName:
give --tls-ca the CA, and such a certificate is matched by its CN (said on stderr);
or pin the server's certificate by its SHA-256 fingerprint, as ssh pins host keys:
   ami --tls --tls-ca /etc/asterisk/keys/ca.crt -H pbx send Ping
   ami --tls --tls-fingerprint "$(openssl x509 -noout -fingerprint -sha256 -in asterisk.crt)" -H pbx send Ping`,
		Version:         version,
		Compiled:        notCompiled, // see startup.go
		Reader:          stdin,
		Writer:          stdout,
		ErrWriter:       stderr,
		HideHelpCommand: false,
		Flags:           flags,

		Commands:       commands,
		Metadata:       map[string]any{cleanupKey: &cleanups{}},
		ExitErrHandler: func(*cli.Context, error) {}, // run maps errors to codes
		OnUsageError: func(c *cli.Context, err error, _ bool) error {
			return usageError("%v (see 'ami --help')", longFlagNames(err, c.App.Flags))
		},
		Action: func(c *cli.Context) error {
			if c.NArg() > 0 {
				return usageError("unknown command %q (see 'ami --help')", c.Args().First())
			}
			_ = cli.ShowAppHelp(c)
			return exitWith(exitUsage, nil)
		},
	}
	for _, cmd := range app.Commands {
		withSeconds(cmd)
		setUsageErrors(cmd, "ami "+cmd.Name)
	}
	if args == nil || mayShowHelp(args) || only == "" {
		addExitCodesHelp(app)
	}
	if len(defs) == 1 && !mayShowHelp(args) {
		trimForRun(app)
	}
	return app
}

// addExitCodesHelp ends the app's help and each command's with its rows
// of exitTable.
func addExitCodesHelp(app *cli.App) {
	app.CustomAppHelpTemplate = cli.AppHelpTemplate + "\n" + exitCodesHelp(exitTable(), true) + "\n"
	for _, cmd := range app.Commands {
		if rows := exitRowsOf(cmd.Name); rows != nil {
			cmd.CustomHelpTemplate = cli.CommandHelpTemplate + "\n" + exitCodesHelp(rows, false) + "\n"
		}
	}
}

// setUsageErrors makes flag parsing errors of cmd and its subcommands usage
// errors (exit 2) that point at the command's help, and, for every
// command, name the flag as a user writes it (longFlagNames).
func setUsageErrors(cmd *cli.Command, path string) {
	if cmd.OnUsageError == nil {
		cmd.OnUsageError = func(c *cli.Context, err error, _ bool) error {
			return usageError("%s: %v (see '%s --help')", cmd.Name, err, path)
		}
	}
	own := cmd.OnUsageError
	cmd.OnUsageError = func(c *cli.Context, err error, sub bool) error {
		return own(c, longFlagNames(err, cmd.Flags, c.App.Flags), sub)
	}
	for _, sub := range cmd.Subcommands {
		setUsageErrors(sub, path+" "+sub.Name)
	}
}

// cleanups are functions to run when the app has finished (stopping a
// --mock simulator), kept in App.Metadata so nothing is global.
type cleanups struct{ fns []func() }

const cleanupKey = "ami.cleanups"

// addCleanup registers f to run after the command has finished.
func addCleanup(c *cli.Context, f func()) {
	if f == nil {
		return
	}
	if cl, ok := c.App.Metadata[cleanupKey].(*cleanups); ok {
		cl.fns = append(cl.fns, f)
		return
	}
	f() // no registry: nothing would run it later
}

// runCleanups runs the registered cleanups, last first.
func runCleanups(app *cli.App) {
	cl, ok := app.Metadata[cleanupKey].(*cleanups)
	if !ok {
		return
	}
	for i := len(cl.fns) - 1; i >= 0; i-- {
		cl.fns[i]()
	}
	cl.fns = nil
}

// reorderArgs moves a subcommand's flags in front of its positional
// arguments, so `ami list CoreShowChannels -o table` works as well as
// `ami list -o table CoreShowChannels` (the flag package stops at the first
// positional argument). Everything after "--" stays positional. Commands
// with subcommands are left alone.
func reorderArgs(app *cli.App, args []string) []string {
	if len(args) < 2 {
		return args
	}
	i := skipFlags(app.Flags, args, 1)
	if i >= len(args) {
		return args
	}
	cmd := findCommand(app.Commands, args[i])
	if cmd == nil || len(cmd.Subcommands) > 0 || cmd.SkipFlagParsing {
		return args
	}
	var flags, pos []string
	rest := args[i+1:]
	for j := 0; j < len(rest); j++ {
		a := rest[j]
		switch {
		case a == "--":
			pos = append(pos, rest[j+1:]...)
			j = len(rest)
		case len(a) > 1 && a[0] == '-':
			flags = append(flags, a)
			if takesValue(cmd.Flags, a) && !strings.Contains(a, "=") && j+1 < len(rest) {
				j++
				flags = append(flags, rest[j])
			}
		default:
			pos = append(pos, a)
		}
	}
	out := make([]string, 0, len(args)+1)
	out = append(out, args[:i+1]...)
	out = append(out, flags...)
	if len(pos) > 0 {
		out = append(out, "--")
		out = append(out, pos...)
	}
	return out
}

// skipFlags returns the index of the first argument from i on that is not
// a flag of flags or a flag's value.
func skipFlags(flags []cli.Flag, args []string, i int) int {
	for i < len(args) {
		a := args[i]
		if a == "--" || len(a) < 2 || a[0] != '-' {
			return i
		}
		if takesValue(flags, a) && !strings.Contains(a, "=") {
			i++
		}
		i++
	}
	return i
}

// takesValue reports whether the flag written as arg ("-o", "--output",
// "--output=json") is one of flags and takes a value.
func takesValue(flags []cli.Flag, arg string) bool {
	name := strings.TrimLeft(arg, "-")
	if k := strings.IndexByte(name, '='); k >= 0 {
		name = name[:k]
	}
	for _, f := range flags {
		for _, n := range f.Names() {
			if n == name {
				if df, ok := f.(cli.DocGenerationFlag); ok {
					return df.TakesValue()
				}
				return false
			}
		}
	}
	return false
}

// findCommand returns the command named name (or with that alias).
func findCommand(cmds []*cli.Command, name string) *cli.Command {
	for _, c := range cmds {
		if c.HasName(name) {
			return c
		}
	}
	return nil
}

// lockedWriter serialises writes to w.
type lockedWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (l *lockedWriter) Write(b []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(b)
}
