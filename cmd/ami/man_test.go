package main

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// renderMan renders the committed man/ami.1 with groff as man(1) shows it
// on an 80-column terminal and returns the text a reader sees (bold and
// underline removed) and troff's warnings.
func renderMan(t *testing.T) (text, warnings string) {
	t.Helper()
	groff, err := exec.LookPath("groff")
	if err != nil {
		t.Skip("groff is not installed: the man page was NOT rendered or checked (apt-get install groff-base)")
	}
	cmd := exec.Command(groff, "-man", "-Tutf8", "-ww", "-rLL=74n", "-P-c", filepath.Join("..", "..", "man", "ami.1"))
	cmd.Env = append(os.Environ(), "LC_ALL=C.UTF-8", "GROFF_NO_SGR=1")
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	if err := cmd.Run(); err != nil {
		t.Fatalf("groff: %v\n%s", err, errOut.String())
	}
	// Overstrike: "X\bX" is bold X, "_\bX" underlined X.
	plain := regexp.MustCompile(".\b").ReplaceAllString(out.String(), "")
	// Drop the running header and footer.
	ls := strings.Split(strings.Trim(plain, "\n"), "\n")
	if len(ls) > 2 {
		ls = ls[1 : len(ls)-1]
	}
	return strings.Join(ls, "\n") + "\n", errOut.String()
}

// manSection returns the text of section name of a rendered page.
func manSection(page, name string) string {
	i := strings.Index(page, "\n"+name+"\n")
	if i < 0 {
		return ""
	}
	rest := page[i+len(name)+2:]
	if j := regexp.MustCompile(`\n[A-Z][A-Z ]+\n`).FindStringIndex(rest); j != nil {
		rest = rest[:j[0]]
	}
	return rest
}

// squash collapses runs of white space, so that text wrapped by troff
// compares with the source.
func squash(s string) string { return strings.Join(strings.Fields(s), " ") }

// TestManPageRenders renders ami(1) and checks what a reader sees: no
// troff warnings, flags and their environment variables as written, every
// example on a line of its own, the exit status table, nothing left over
// from a markdown conversion.
func TestManPageRenders(t *testing.T) {
	page, warnings := renderMan(t)
	if warnings != "" {
		t.Errorf("troff warns:\n%s", warnings)
	}
	// Lines of sample output (indented, outside EXAMPLES) are shown as they
	// are, however long; everything else fits 80 columns.
	app := buildApp(strings.NewReader(""), &bytes.Buffer{}, &bytes.Buffer{})
	texts := []string{app.Description}
	for _, c := range app.VisibleCommands() {
		texts = append(texts, c.Description)
	}
	samples := map[string]bool{}
	for _, text := range texts {
		before, _, _ := strings.Cut(text, "EXAMPLES:")
		for _, l := range strings.Split(before, "\n") {
			if isIndented(l) {
				samples[strings.TrimSpace(l)] = true
			}
		}
	}
	lines := map[string]bool{}
	for _, l := range strings.Split(page, "\n") {
		lines[strings.TrimSpace(l)] = true
		if n := len([]rune(l)); n > 80 && !samples[strings.TrimSpace(l)] {
			t.Errorf("line of %d columns:\n%s", n, l)
		}
	}
	for _, bad := range []string{"⟨", "⟩", "Usage:", "‐", "−", `\-`, `\f`} {
		if strings.Contains(page, bad) {
			t.Errorf("the page shows %q", bad)
		}
	}
	for _, sec := range []string{"NAME", "SYNOPSIS", "DESCRIPTION", "CONNECTION FLAGS", "COMMANDS", "EXIT STATUS", "ENVIRONMENT", "FILES", "SEE ALSO"} {
		if manSection(page, sec) == "" {
			t.Errorf("no section %s", sec)
		}
	}
	if s := squash(manSection(page, "SEE ALSO")); s != "asterisk(8), the manager.conf of Asterisk, ami completion bash|zsh|fish, ami mock." {
		t.Errorf("SEE ALSO: %q", s)
	}
	flags := squash(manSection(page, "CONNECTION FLAGS"))
	for _, want := range []string{
		"--host HOST, -H HOST AMI server HOST[:PORT]; repeat it or give a comma list to run on several hosts at once. Default: 127.0.0.1. Environment: AMI_HOST.",
		"--port PORT, -p PORT AMI server PORT. Default: 5038, or 5039 with --tls. Environment: AMI_PORT.",
		"--auth METHOD Login METHOD: plain or md5 (challenge-response). Default: plain.",
		"--version, -v Print the version.",
	} {
		if !strings.Contains(flags, want) {
			t.Errorf("CONNECTION FLAGS lacks %q:\n%s", want, flags)
		}
	}
	cmds := squash(manSection(page, "COMMANDS"))
	for _, want := range []string{
		"--classes CLASSES Ask only for events of CLASSES (comma-separated:",
		"--output FORMAT, -o FORMAT Output FORMAT: text, json, raw or table. Default: text.",
	} {
		if !strings.Contains(cmds, want) {
			t.Errorf("COMMANDS lacks %q", want)
		}
	}
	// A list broken at its commas reads whole.
	if !strings.Contains(strings.ReplaceAll(cmds, ", ", ","), "system,call,log,verbose,command,agent,user,config,dtmf,reporting,cdr,dialplan,originate,agi,hookresponse,cc,aoc,test,security,message,all") {
		t.Error("the class list of --classes is not whole")
	}
	// Every example (and every indented line of a description) is a line
	// of its own, not run into the text around it.
	n := 0
	for _, text := range texts {
		for _, l := range strings.Split(text, "\n") {
			if isIndented(l) {
				n++
				if !lines[strings.TrimSpace(l)] {
					t.Errorf("not a line of its own in the page: %q", strings.TrimSpace(l))
				}
			}
		}
	}
	if n < 20 {
		t.Errorf("only %d example lines found", n)
	}
	exit := squash(manSection(page, "EXIT STATUS"))
	for _, r := range exitTable() {
		want := strconv.Itoa(r.code)
		if c := exitCommands(r, exitCommandNames()); c != "" {
			want += " (" + c + ")"
		}
		want += " " + r.meaning
		if !strings.Contains(exit, want) {
			t.Errorf("EXIT STATUS lacks %q", want)
		}
	}
}

// TestReadmeExitCodes fails when the README's exit code table differs
// from exitTable (-update rewrites it).
func TestReadmeExitCodes(t *testing.T) {
	const begin, end = "<!-- exit-codes: generated -->\n", "<!-- /exit-codes -->"
	path := filepath.Join("..", "..", "README.md")
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	readme := string(data)
	i, j := strings.Index(readme, begin), strings.Index(readme, end)
	if i < 0 || j < i {
		t.Fatalf("README.md lacks the markers %q and %q", begin, end)
	}
	i += len(begin)
	want := exitCodesMarkdown()
	if readme[i:j] == want {
		return
	}
	if *update {
		if err := os.WriteFile(path, []byte(readme[:i]+want+readme[j:]), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	t.Errorf("the exit codes in README.md are stale: run go test ./cmd/ami -run TestReadmeExitCodes -update\nwant:\n%s", want)
}
