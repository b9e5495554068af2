package main

import (
	"bytes"
	"context"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/urfave/cli/v2"

	"github.com/ami-cli/ami/completion"
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
