package main

import (
	"io"
	"slices"
	"strconv"
	"strings"

	"github.com/urfave/cli/v2"
)

// manPage renders the man page ami(1) from a fresh app, so it cannot drift
// from the flags and help texts: the usage, description, flags and exit
// codes are the ones --help shows. It writes man(7) troff itself: the help
// texts are plain text (paragraphs, indented examples), which a markdown
// converter would misread ("[$AMI_HOST] (default: ...)" is a markdown
// link), and it works in every build, with or without urfave/cli's docs.
func manPage() (string, error) {
	app := buildApp(strings.NewReader(""), io.Discard, io.Discard)
	var m manWriter
	m.line(`.TH AMI 1 "" "ami" "User Commands"`)
	// No hyphenation (flag and variable names must not be split) and no
	// justification (long names would leave wide gaps).
	m.line(".nh")
	m.line(".ad l")
	m.section("NAME")
	m.line(manEscape(app.Name) + ` \- ` + manEscape(app.Usage))

	// One usage a line, a long one wrapped with a hanging indent.
	m.section("SYNOPSIS")
	m.line(".in +4n")
	usage := []string{app.UsageText}
	var cmds []*cli.Command
	for _, c := range app.VisibleCommands() {
		if c.Name == "help" {
			continue
		}
		cmds = append(cmds, c)
		usage = append(usage, strings.Split(strings.TrimSpace(c.UsageText), "\n")...)
	}
	for i, u := range usage {
		if i > 0 {
			m.line(".br")
		}
		m.line(".ti -4n")
		prog, rest, _ := strings.Cut(strings.Join(strings.Fields(u), " "), " ")
		m.line(manLine(manBold(prog) + " " + manKeepBrackets(manEscape(rest))))
	}
	m.line(".in")

	m.section("DESCRIPTION")
	m.text(app.Description)

	m.section("CONNECTION FLAGS")
	m.text("These work before the command name and after it; the value given after it wins. " +
		"Every duration flag of every command (--timeout, --duration, --keepalive, --warning, --critical) " +
		"takes a bare number as seconds (--timeout 5, -w 0.2) or a number with a unit (200ms, 1m30s).")
	appFlags := map[string]bool{}
	for _, f := range app.VisibleFlags() {
		for _, n := range f.Names() {
			appFlags[n] = true
		}
	}
	m.flags(append(append([]cli.Flag(nil), app.VisibleFlags()...), cli.HelpFlag, cli.VersionFlag))

	m.section("COMMANDS")
	for _, c := range cmds {
		m.line(".SS " + manQuote("ami "+c.Name))
		m.text(capitalize(c.Usage) + ".")
		m.text(c.Description)
		var own []cli.Flag
		for _, f := range c.VisibleFlags() {
			if !appFlags[f.Names()[0]] {
				own = append(own, f)
			}
		}
		if len(own) > 0 {
			m.text("Flags of ami " + c.Name + " (and the connection flags):")
			m.flags(own)
		}
	}

	m.section("OUTPUT")
	m.text(`Data goes to stdout, diagnostics to stderr. Bytes from the server stay
data: when stdout is a terminal, text output (and the output of ami command)
shows control bytes, bytes that are not UTF-8 and C1 controls visibly escaped
(\x1b, \r, \u009b; a tab stays a tab), so that an event cannot retitle,
recolour or rewrite the terminal. In pipes and files text keeps the exact
bytes. Table cells always escape them, tabs included; -o raw is always
byte-exact; JSON escapes them anyway. Error lines on stderr, which can carry
a server's message, are escaped too.`)

	m.section("EXIT STATUS")
	m.text("Each command's --help shows its own codes.")
	all := exitCommandNames()
	for _, r := range exitTable() {
		m.line(".TP")
		tag := manBold(strconv.Itoa(r.code))
		if cmds := exitCommands(r, all); cmds != "" {
			tag += " (" + manEscape(cmds) + ")"
		}
		m.line(tag)
		m.fill(r.meaning)
	}

	m.section("ENVIRONMENT")
	for _, e := range [][2]string{
		{"AMI_HOST, AMI_PORT, AMI_USERNAME", "where to connect and as whom (like --host, --port, --user)"},
		{"AMI_SECRET", "the secret"},
		{"AMI_SECRET_FILE", "a file holding the secret (like --secret-file; others may not read it, the group may)"},
		{"AMI_PROFILE", "a section of the configuration file (like --profile)"},
		{"NO_COLOR", "when set, --color auto never colours"},
		{"XDG_CONFIG_HOME", "where the configuration file is (see FILES)"},
	} {
		m.line(".TP")
		m.line(manBold(e[0]))
		m.fill(e[1])
	}
	m.text("An empty variable counts as unset.")

	m.section("PRECEDENCE")
	m.text(`Each connection setting comes from the first of: the command line (a flag
after the command, then one before it, then --url); the profile named by
--profile, or else by $AMI_PROFILE; the AMI_* variables; the defaults
(127.0.0.1, port 5038, or 5039 with --tls). An explicit choice beats the
environment:

   AMI_PORT=16012 ami --profile pbx1 send Ping

uses the profile's port.

A profile's secret (secret or secret_file) is sent only to the host and port
the profile names (127.0.0.1 and the default port when it names none).
Pointed elsewhere, as in "ami --profile pbx1 -H other", ami uses the
profile's user and TLS settings, says on stderr that the profile's secret
stays home, and takes the secret from --secret-file, --secret, $AMI_SECRET or
$AMI_SECRET_FILE, or asks for it. With --mock the simulator's account
admin/admin stands in for the profile's and the environment's.`)

	m.section("FILES")
	m.line(".TP")
	m.line(manBold("$XDG_CONFIG_HOME/ami/config") + " (default " + manBold("~/.config/ami/config") + ")")
	m.fill(`Named profiles: [name] sections of key = value lines (host, port, username, secret or secret_file, tls, tls_fingerprint, auth). As in Asterisk's .conf files, ; starts a comment, also after a value (username = admin ; the admin); write \; for a ; that belongs to the value, or quote the value ("a;b" or 'a;b'), which takes everything between the quotes as it is. A config file that holds a secret or names a secret file, and a secret file, are refused when others can read or write them (the group may read them: mode 0640, owner root, group nagios, is fine); an empty secret is refused.`)

	m.section("SEE ALSO")
	m.line(manBold("asterisk") + "(8), the manager.conf of Asterisk, " + manBold("ami completion bash|zsh|fish") + ", " + manBold("ami mock") + ".")
	return m.b.String(), nil
}

// manWriter builds a man(7) page.
type manWriter struct{ b strings.Builder }

func (m *manWriter) line(s string) {
	m.b.WriteString(s)
	m.b.WriteByte('\n')
}

func (m *manWriter) section(name string) { m.line(".SH " + manQuote(name)) }

// fill writes s as filled text, escaped, with a break point after each
// comma that no space follows (long lists such as the event classes would
// not fit a line otherwise).
func (m *manWriter) fill(s string) {
	for _, l := range strings.Split(s, "\n") {
		m.line(manLine(manBreakCommas(manEscape(strings.TrimSpace(l)))))
	}
}

// text renders a help text as --help shows it: paragraphs separated by
// blank lines, indented lines as literal blocks (examples), and a line such
// as "EXAMPLES:" as a bold heading.
func (m *manWriter) text(s string) {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	var para, pre []string
	flushPara := func() {
		if len(para) > 0 {
			m.line(".PP")
			m.fill(strings.Join(para, "\n"))
			para = nil
		}
	}
	flushPre := func() {
		if len(pre) == 0 {
			return
		}
		for len(pre) > 0 && pre[len(pre)-1] == "" {
			pre = pre[:len(pre)-1]
		}
		indent := -1
		for _, l := range pre {
			if l == "" {
				continue
			}
			if n := len(l) - len(strings.TrimLeft(l, " \t")); indent < 0 || n < indent {
				indent = n
			}
		}
		m.line(".RS 2")
		m.line(".nf")
		for _, l := range pre {
			if l == "" {
				m.line("")
				continue
			}
			m.line(manLine(manEscape(strings.TrimRight(l[indent:], " "))))
		}
		m.line(".fi")
		m.line(".RE")
		pre = nil
	}
	for i, l := range lines {
		switch {
		case strings.TrimSpace(l) == "":
			flushPara()
			// A blank line between indented lines stays in the block.
			if len(pre) > 0 && i+1 < len(lines) && isIndented(lines[i+1]) {
				pre = append(pre, "")
			} else {
				flushPre()
			}
		case isIndented(l):
			flushPara()
			if len(pre) == 0 {
				m.line(".PP")
			}
			pre = append(pre, l)
		case isHeading(l):
			flushPara()
			flushPre()
			m.line(".PP")
			m.line(manBold(capitalize(strings.ToLower(strings.TrimSuffix(l, ":"))) + ":"))
		default:
			flushPre()
			para = append(para, l)
		}
	}
	flushPara()
	flushPre()
}

// flags writes flags as a tagged list: names and placeholder, then the
// usage, the default and the environment variables.
func (m *manWriter) flags(flags []cli.Flag) {
	for _, f := range flags {
		df, ok := f.(cli.DocGenerationFlag)
		if !ok {
			continue
		}
		placeholder, usage := unquoteUsage(df.GetUsage())
		// "... [$AMI_HOST]" (the variable named in the usage) reads as
		// the environment variables below.
		env := df.GetEnvVars()
		if rest, name, ok := envInUsage(usage); ok {
			usage = rest
			if !slices.Contains(env, name) {
				env = append(env, name)
			}
		}
		if placeholder == "" && df.TakesValue() {
			placeholder = "VALUE"
		}
		var tags []string
		for _, n := range f.Names() {
			t := manBold(flagDash(n) + n)
			if df.TakesValue() {
				t += " " + manItalic(placeholder)
			}
			tags = append(tags, t)
		}
		m.line(".TP")
		m.line(strings.Join(tags, ", "))
		text := strings.TrimSuffix(capitalize(usage), ".") + "."
		if d := manDefault(df); d != "" {
			text += " Default: " + d + "."
		}
		if len(env) > 0 {
			text += " Environment: " + strings.Join(env, ", ") + "."
		}
		m.fill(text)
	}
}

// envInUsage splits off an environment variable named at the end of a
// flag's usage, as the connection flags name theirs: "... [$AMI_HOST]".
func envInUsage(usage string) (rest, name string, ok bool) {
	i := strings.LastIndex(usage, " [$")
	if i < 0 || !strings.HasSuffix(usage, "]") {
		return usage, "", false
	}
	name = usage[i+3 : len(usage)-1]
	if name == "" || strings.Trim(name, "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_") != "" {
		return usage, "", false
	}
	return usage[:i], name, true
}

// manDefault returns the default a flag's entry shows: none for a boolean
// or a zero value (the usage says what zero means).
func manDefault(df cli.DocGenerationFlag) string {
	if !df.TakesValue() {
		return ""
	}
	d := df.GetDefaultText()
	if u, err := strconv.Unquote(d); err == nil {
		d = u
	}
	switch d {
	case "", "0", "0s", "false", "[]":
		return ""
	}
	return d
}

// unquoteUsage splits a usage text with a `PLACEHOLDER` into the
// placeholder and the text without backquotes, as urfave/cli's help does.
func unquoteUsage(usage string) (string, string) {
	i := strings.IndexByte(usage, '`')
	if i < 0 {
		return "", usage
	}
	j := strings.IndexByte(usage[i+1:], '`')
	if j < 0 {
		return "", usage
	}
	name := usage[i+1 : i+1+j]
	return name, usage[:i] + name + usage[i+2+j:]
}

func flagDash(name string) string {
	if len(name) == 1 {
		return "-"
	}
	return "--"
}

func isIndented(l string) bool { return l != "" && (l[0] == ' ' || l[0] == '\t') }

// isHeading reports whether l is a heading of a help text ("EXAMPLES:").
func isHeading(l string) bool {
	if !strings.HasSuffix(l, ":") || len(l) < 3 {
		return false
	}
	return strings.Trim(l[:len(l)-1], "ABCDEFGHIJKLMNOPQRSTUVWXYZ ") == ""
}

func capitalize(s string) string {
	if s == "" || s[0] < 'a' || s[0] > 'z' {
		return s
	}
	return string(s[0]-'a'+'A') + s[1:]
}

// manEscape escapes s for troff: backslashes, and "-" as \- so that flags
// render as the ASCII hyphen-minus a reader can copy.
func manEscape(s string) string {
	return strings.NewReplacer(`\`, `\e`, `-`, `\-`).Replace(s)
}

// manLine protects a line that would start with a control character.
func manLine(s string) string {
	if strings.HasPrefix(s, ".") || strings.HasPrefix(s, "'") {
		return `\&` + s
	}
	return s
}

// manBreakCommas allows a line break after a comma that no space follows.
func manBreakCommas(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		b.WriteByte(s[i])
		if s[i] == ',' && i+1 < len(s) && s[i+1] != ' ' {
			b.WriteString(`\:`)
		}
	}
	return b.String()
}

// manKeepBrackets makes the spaces inside [...] unbreakable, so that a
// wrapped synopsis keeps "[--calls N]" on one line.
func manKeepBrackets(s string) string {
	var b strings.Builder
	depth := 0
	for _, r := range s {
		switch {
		case r == '[':
			depth++
		case r == ']' && depth > 0:
			depth--
		case r == ' ' && depth > 0:
			b.WriteString(`\ `)
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}

func manBold(s string) string   { return `\fB` + manEscape(s) + `\fR` }
func manItalic(s string) string { return `\fI` + manEscape(s) + `\fR` }

// manQuote quotes a macro argument.
func manQuote(s string) string { return `"` + manEscape(strings.ReplaceAll(s, `"`, `'`)) + `"` }
