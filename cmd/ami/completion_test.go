package main

import (
	"bytes"
	"context"
	"flag"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/urfave/cli/v2"

	"github.com/ami-cli/ami/completion"
	"github.com/ami-cli/ami/completion/shelltest"
)

// update rewrites golden files, the completion scripts and the man page:
// go test ./cmd/ami -update
var update = flag.Bool("update", false, "rewrite golden files, completion scripts and man/ami.1")

// runAMI runs the app in-process and returns its exit code, stdout and
// stderr.
func runAMI(t *testing.T, ctx context.Context, stdin string, args ...string) (int, string, string) {
	t.Helper()
	var out, errOut bytes.Buffer
	code := run(ctx, append([]string{"ami"}, args...), strings.NewReader(stdin), &out, &errOut)
	return code, out.String(), errOut.String()
}

// TestCompletionScripts fails when the committed scripts in completion/
// differ from a fresh generation from the app (-update rewrites them).
func TestCompletionScripts(t *testing.T) {
	spec := completionSpec(buildApp(strings.NewReader(""), &bytes.Buffer{}, &bytes.Buffer{}))
	for _, sh := range completion.Shells() {
		want, err := completion.Generate(sh, spec)
		if err != nil {
			t.Fatal(err)
		}
		got, err := completion.Script(sh)
		if err != nil {
			t.Fatal(err)
		}
		name, _ := completion.FileName(sh)
		path := filepath.Join("..", "..", "completion", name)
		if *update {
			if err := os.WriteFile(path, []byte(want), 0o644); err != nil {
				t.Fatal(err)
			}
			continue
		}
		if got != want {
			t.Errorf("%s is stale: run go test ./cmd/ami -run TestCompletionScripts -update (and rebuild)", path)
		}
	}
}

func TestCompletionCommand(t *testing.T) {
	ctx := context.Background()
	for _, sh := range completion.Shells() {
		code, out, errOut := runAMI(t, ctx, "", "completion", sh)
		want, _ := completion.Script(sh)
		if code != 0 || out != want {
			t.Errorf("completion %s: exit %d, %d bytes (want %d), stderr %q", sh, code, len(out), len(want), errOut)
		}
	}
	for _, args := range [][]string{{"completion"}, {"completion", "tcsh"}, {"completion", "bash", "extra"}} {
		if code, _, errOut := runAMI(t, ctx, "", args...); code != exitUsage || !strings.Contains(errOut, "ami: ") {
			t.Errorf("%v: exit %d, stderr %q; want exit 2 and a message", args, code, errOut)
		}
	}
}

// TestCompletionSpec checks the parts of the spec the scripts rely on.
func TestCompletionSpec(t *testing.T) {
	spec := completionSpec(buildApp(strings.NewReader(""), &bytes.Buffer{}, &bytes.Buffer{}))
	cmds := map[string]completion.Command{}
	for _, c := range spec.Commands {
		cmds[c.Name] = c
	}
	for _, name := range []string{"send", "list", "listen", "login-check", "command", "mock", "completion"} {
		if _, ok := cmds[name]; !ok {
			t.Errorf("command %s missing from the completion spec", name)
		}
	}
	find := func(cmd, flag string) completion.Flag {
		for _, f := range cmds[cmd].Flags {
			if f.Names[0] == flag {
				return f
			}
		}
		t.Errorf("%s --%s missing", cmd, flag)
		return completion.Flag{}
	}
	if f := find("listen", "event"); f.Value != completion.ValueEvent || !f.Repeatable {
		t.Errorf("listen --event: %+v", f)
	}
	if f := find("listen", "classes"); f.Value != completion.ValueClasses {
		t.Errorf("listen --classes: %+v", f)
	}
	if f := find("list", "output"); !strings.Contains(strings.Join(f.Choices, " "), "table") {
		t.Errorf("list --output: %+v", f)
	}
	if cmds["send"].Arg != completion.ArgAction || cmds["list"].Arg != completion.ArgListAction {
		t.Error("send/list do not complete action names")
	}
}

// TestManPage fails when man/ami.1 differs from a fresh generation
// (-update rewrites it).
func TestManPage(t *testing.T) {
	page, err := manPage()
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join("..", "..", "man", "ami.1")
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(page), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	got, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v: run go test ./cmd/ami -run TestManPage -update", err)
	}
	if string(got) != page {
		t.Errorf("%s is stale: run go test ./cmd/ami -run TestManPage -update", path)
	}
	code, out, _ := runAMI(t, context.Background(), "", "completion", "man")
	if code != 0 || out != page {
		t.Errorf("ami completion man: exit %d, output differs from manPage()", code)
	}
}

// TestHelpHasExamples checks that every visible command has a description
// with two examples, none wider than 70 columns (so that --help and the
// man page fit 80 columns).
func TestHelpHasExamples(t *testing.T) {
	app := buildApp(strings.NewReader(""), &bytes.Buffer{}, &bytes.Buffer{})
	var check func(path string, cmds []*cli.Command)
	check = func(path string, cmds []*cli.Command) {
		for _, c := range cmds {
			if c.Hidden || c.Name == "help" {
				continue
			}
			name := path + " " + c.Name
			if c.Description == "" {
				t.Errorf("%s: no Description", name)
			}
			i := strings.Index(c.Description, "EXAMPLES:")
			if i < 0 {
				t.Errorf("%s: no EXAMPLES", name)
			} else if n := strings.Count(c.Description[i:], "\n   ami ") + strings.Count(c.Description[i:], "ami "); n < 2 {
				t.Errorf("%s: %d examples, want 2 or more", name, n)
			} else {
				for _, l := range strings.Split(c.Description[i:], "\n") {
					if len(l) > 3+70 {
						t.Errorf("%s: example line wider than 70 columns:\n%s", name, l)
					}
				}
			}
			check(name, c.Subcommands)
		}
	}
	check("ami", app.Commands)
	code, out, _ := runAMI(t, context.Background(), "", "listen", "--help")
	if code != 0 || !strings.Contains(out, "EXAMPLES:") || !strings.Contains(out, "--server-filter") {
		t.Errorf("listen --help: exit %d\n%s", code, out)
	}
}

// askShells asks every installed shell what ami's committed completion
// script offers for words; all of them must offer the same. It returns
// nil when no shell is installed.
func askShells(t *testing.T, asker *shelltest.Asker, env []string, words ...string) []string {
	t.Helper()
	var first []string
	firstShell := ""
	for _, sh := range shelltest.Shells() {
		if !shelltest.Available(sh) {
			continue
		}
		script, err := completion.Script(sh)
		if err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
		got, err := asker.Complete(ctx, shelltest.Request{Shell: sh, Script: script, Words: words, Env: env})
		cancel()
		if err != nil {
			t.Fatalf("%s: %v", sh, err)
		}
		if firstShell == "" {
			first, firstShell = got, sh
		} else if !slices.Equal(got, first) {
			t.Errorf("%q: %s offers %v, %s offers %v", strings.Join(words, " "), firstShell, first, sh, got)
		}
	}
	return first
}

// skipWithoutShells skips (saying so) when none of the shells is
// installed, and logs the ones that are missing.
func skipWithoutShells(t *testing.T) {
	t.Helper()
	var have, missing []string
	for _, sh := range shelltest.Shells() {
		if shelltest.Available(sh) {
			have = append(have, sh)
		} else {
			missing = append(missing, sh)
		}
	}
	if len(have) == 0 {
		t.Skip("none of bash, fish, zsh is installed: the completion scripts were NOT tested")
	}
	if len(missing) > 0 {
		t.Logf("NOT tested (not installed): %s", strings.Join(missing, ", "))
	}
}

// TestCompletionOffersWhatCommandsAccept asks each shell what the
// committed script offers for every choice flag of every command, and
// runs the command with each value any command's flag of that name takes
// (and one no flag takes): the values offered must be exactly those the
// command accepts. A command with choice flags needs an entry in succeed.
func TestCompletionOffersWhatCommandsAccept(t *testing.T) {
	skipWithoutShells(t)
	asker, err := shelltest.New()
	if err != nil {
		t.Fatal(err)
	}
	defer asker.Close()

	// Arguments with which each command succeeds (exit 0) with --mock;
	// mock itself runs with a context that is already cancelled.
	succeed := map[string][]string{
		"send":        {"Ping"},
		"list":        {"CoreShowChannels"},
		"command":     {"core show version"},
		"listen":      {"--count", "1"},
		"login-check": {},
		"check":       {"CoreStatus"},
		"doctor":      {"--need", "read"},
		"mock":        {"--listen", "127.0.0.1:0"},
		"calls":       {"--once"},
		"trace":       {"--from", "-"},
		"originate":   {"Local/talk@default", "--app", "Wait", "--data", "0", "--wait"},
	}
	spec := completionSpec(buildApp(strings.NewReader(""), &bytes.Buffer{}, &bytes.Buffer{}))
	values := map[string][]string{} // flag name -> every choice of it anywhere
	for _, c := range append([]completion.Command{{Flags: spec.Flags}}, spec.Commands...) {
		for _, f := range c.Flags {
			for _, ch := range f.Choices {
				if !slices.Contains(values[f.Names[0]], ch) {
					values[f.Names[0]] = append(values[f.Names[0]], ch)
				}
			}
		}
	}
	checked := 0
	for _, c := range spec.Commands {
		for _, f := range c.Flags {
			if f.Value != completion.ValueChoice {
				continue
			}
			base, ok := succeed[c.Name]
			if !ok {
				t.Errorf("%s has the choice flag --%s: add the command to succeed", c.Name, f.Names[0])
				continue
			}
			flag := "--" + f.Names[0]
			offered := askShells(t, asker, os.Environ(), "ami", c.Name, flag, "")
			var accepted []string
			for _, v := range append(values[f.Names[0]], "bogus") {
				args := append([]string{c.Name, flag, v}, base...)
				ctx, cancel := context.WithTimeout(context.Background(), testTimeout)
				if c.Name == "mock" {
					cancel()
				} else {
					args = append([]string{"--mock"}, args...)
				}
				code, out, errOut := runAMI(t, ctx, "", args...)
				cancel()
				switch {
				case code == 0:
					accepted = append(accepted, v)
				case !strings.Contains(out+errOut, v):
					t.Errorf("ami %s %s %s: exit %d without naming the value:\n%s%s", c.Name, flag, v, code, out, errOut)
				}
			}
			sort.Strings(accepted)
			if !slices.Equal(offered, accepted) {
				t.Errorf("ami %s %s: the completion offers %v, the command accepts %v", c.Name, flag, offered, accepted)
			}
			checked++
		}
	}
	if checked < 10 {
		t.Errorf("only %d choice flags checked", checked)
	}
}

// TestCompletionBeforeCommand: before the command the scripts offer the
// flags that work there (the connection flags, --help, --version) and
// none of a command's own (--color, -o); `ami help` offers the commands.
func TestCompletionBeforeCommand(t *testing.T) {
	skipWithoutShells(t)
	asker, err := shelltest.New()
	if err != nil {
		t.Fatal(err)
	}
	defer asker.Close()
	flags := askShells(t, asker, os.Environ(), "ami", "-")
	for _, want := range []string{"--host", "-H", "--profile", "--mock", "--help", "--version"} {
		if !slices.Contains(flags, want) {
			t.Errorf("ami -<TAB> lacks %s: %v", want, flags)
		}
	}
	for _, not := range []string{"--color", "-o", "--output", "--fields", "--event"} {
		if slices.Contains(flags, not) {
			t.Errorf("ami -<TAB> offers %s, which works only after a command", not)
		}
	}
	// Every flag offered is accepted before the command.
	for _, f := range flags {
		if f == "--help" || f == "-h" || f == "--version" || f == "-v" {
			continue
		}
		r := amiRun(t, "", f, "x", "completion", "bash")
		if strings.Contains(r.stderr, "flag provided but not defined") {
			t.Errorf("ami %s: %s", f, r.stderr)
		}
	}
	r := amiRun(t, "", "--help")
	var cmds []string
	for _, c := range buildApp(strings.NewReader(""), &bytes.Buffer{}, &bytes.Buffer{}).VisibleCommands() {
		if !strings.Contains(r.stdout, "\n   "+c.Name+" ") {
			t.Errorf("ami --help does not list %s", c.Name)
		}
		cmds = append(cmds, c.Name)
	}
	sort.Strings(cmds)
	if got := askShells(t, asker, os.Environ(), "ami", "help", ""); !slices.Equal(got, cmds) {
		t.Errorf("ami help <TAB> offers %v, want %v", got, cmds)
	}
	if got := askShells(t, asker, os.Environ(), "ami", "listen", "--classes", "call,system,c"); slices.Contains(got, "call,system,call") || !slices.Contains(got, "call,system,cdr") {
		t.Errorf("--classes call,system,c<TAB>: %v", got)
	}
}

// TestCompletionProfiles: --profile <TAB> offers the section names of the
// config file, which the scripts get from the ami binary on PATH.
func TestCompletionProfiles(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	skipWithoutShells(t)
	dir := t.TempDir()
	build := exec.Command("go", "build", "-o", filepath.Join(dir, "ami"), ".")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	cfg := t.TempDir()
	if err := os.MkdirAll(filepath.Join(cfg, "ami"), 0o700); err != nil {
		t.Fatal(err)
	}
	conf := "# lab and production\n[pbx1]\nhost = pbx1.example.net\n\n[lab]\nhost = 10.0.0.5\n[pbx2]\nhost = pbx2\n"
	if err := os.WriteFile(filepath.Join(cfg, "ami", "config"), []byte(conf), 0o600); err != nil {
		t.Fatal(err)
	}
	env := append(os.Environ(), "PATH="+dir+string(os.PathListSeparator)+os.Getenv("PATH"), "XDG_CONFIG_HOME="+cfg)
	asker, err := shelltest.New()
	if err != nil {
		t.Fatal(err)
	}
	defer asker.Close()
	if got := askShells(t, asker, env, "ami", "--profile", ""); !slices.Equal(got, []string{"lab", "pbx1", "pbx2"}) {
		t.Errorf("ami --profile <TAB>: %v", got)
	}
	if got := askShells(t, asker, env, "ami", "send", "--profile", "pb"); !slices.Equal(got, []string{"pbx1", "pbx2"}) {
		t.Errorf("ami send --profile pb<TAB>: %v", got)
	}
	// No config file: nothing, quietly.
	env = append(env, "XDG_CONFIG_HOME="+t.TempDir())
	if got := askShells(t, asker, env, "ami", "--profile", ""); len(got) != 0 {
		t.Errorf("no config file: ami --profile <TAB>: %v", got)
	}
}
