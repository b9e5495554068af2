package completion

import (
	"context"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"regexp"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/ami-cli/ami/completion/shelltest"
)

// sampleSpec is a small command line shaped like ami's.
func sampleSpec() Spec {
	conn := []Flag{
		{Names: []string{"host", "H"}, Usage: "AMI host [$AMI_HOST]", Value: ValueHost},
		{Names: []string{"port", "p"}, Usage: "AMI port", Value: ValueAny},
		{Names: []string{"secret-file"}, Usage: "read the secret from FILE", Value: ValueFile},
		{Names: []string{"output", "o"}, Usage: "output format: text, json, raw", Value: ValueChoice, Choices: []string{"text", "json", "raw"}},
		{Names: []string{"tls"}, Usage: "use TLS (it's \"amis\")"},
		{Names: []string{"profile"}, Usage: "use profile NAME", Value: ValueDynamic, Dynamic: []string{"completion", "profiles"}},
	}
	listen := append(append([]Flag(nil), conn...),
		Flag{Names: []string{"event", "e"}, Usage: "only events named GLOB: [repeatable]", Value: ValueEvent, Repeatable: true},
		Flag{Names: []string{"classes"}, Usage: "event classes", Value: ValueClasses},
		Flag{Names: []string{"count", "n"}, Usage: "stop after N events", Value: ValueAny},
	)
	list := append(append([]Flag(nil), conn[:3]...),
		Flag{Names: []string{"output", "o"}, Usage: "output format", Value: ValueChoice, Choices: []string{"text", "table"}},
		conn[4], conn[5],
	)
	return Spec{
		Name:  "ami",
		Flags: append(append(append([]Flag(nil), conn[:3]...), conn[4:]...), Flag{Names: []string{"mock"}, Usage: "use a simulated PBX"}),
		Commands: []Command{
			{Name: "send", Aliases: []string{"s"}, Usage: "send actions", Flags: conn, Arg: ArgAction},
			{Name: "listen", Usage: "print events", Flags: listen},
			{Name: "list", Usage: "print a list", Flags: list, Arg: ArgListAction},
			{Name: "login-check", Usage: "Nagios check", Flags: append(append([]Flag(nil), conn...), Flag{Names: []string{"action"}, Usage: "action to send", Value: ValueAction}), Arg: ArgHosts},
			{Name: "completion", Usage: "print a completion script", Arg: ArgChoice, Choices: []string{"bash", "fish", "zsh"}},
			{Name: "help", Aliases: []string{"h"}, Usage: "show help", Arg: ArgChoice, Choices: []string{"send", "listen", "list", "login-check", "completion"}},
		},
	}
}

func TestCatalogueSortedUnique(t *testing.T) {
	check := func(what string, names []string) {
		t.Helper()
		if !sort.SliceIsSorted(names, func(i, j int) bool { return strings.ToLower(names[i]) < strings.ToLower(names[j]) }) {
			t.Errorf("%s: not sorted case-insensitively", what)
		}
		seen := map[string]bool{}
		for _, n := range names {
			if seen[strings.ToLower(n)] {
				t.Errorf("%s: %q twice", what, n)
			}
			seen[strings.ToLower(n)] = true
			if !isChoice(n) {
				t.Errorf("%s: %q is not a plain word", what, n)
			}
		}
	}
	check("actions", ActionNames(false))
	check("events", Events())
	if n := len(ActionNames(false)); n < 150 {
		t.Errorf("catalogue has %d actions, want >= 150", n)
	}
	for _, must := range []string{"Ping", "Login", "Logoff", "Originate", "Hangup", "CoreShowChannels", "CoreStatus",
		"CoreSettings", "Status", "QueueStatus", "QueueSummary", "Command", "DBGet", "DBPut", "GetConfig",
		"UpdateConfig", "Events", "Filter", "UserEvent", "PJSIPShowEndpoints", "SIPpeers"} {
		if !contains(ActionNames(false), must) {
			t.Errorf("action %s missing", must)
		}
	}
	for _, l := range []string{"CoreShowChannels", "Status", "QueueStatus", "DBGet", "PJSIPShowEndpoints"} {
		if !contains(ActionNames(true), l) {
			t.Errorf("list action %s not marked", l)
		}
	}
	for _, e := range []string{"Newchannel", "Hangup", "DialBegin", "DialEnd", "Newstate", "Newexten", "VarSet",
		"FullyBooted", "SuccessfulAuth", "OriginateResponse", "UserEvent", "CoreShowChannel", "QueueMember"} {
		if !contains(Events(), e) {
			t.Errorf("event %s missing", e)
		}
	}
	want := []string{"system", "call", "log", "verbose", "command", "agent", "user", "config", "dtmf", "reporting",
		"cdr", "dialplan", "originate", "agi", "hookresponse", "cc", "aoc", "test", "security", "message", "all"}
	if got := Classes(); !reflect.DeepEqual(got, want) {
		t.Errorf("Classes() = %v", got)
	}
	for _, c := range []struct {
		name string
		ok   bool
	}{{"call", true}, {"CALL", true}, {"all", true}, {"calls", false}, {"", false}, {"on", false}} {
		if got := IsClass(c.name); got != c.ok {
			t.Errorf("IsClass(%q) = %v", c.name, got)
		}
	}
	// The bits of manager.h: EVENT_FLAG_SYSTEM is 1, EVENT_FLAG_SECURITY
	// 1 << 18, EVENT_FLAG_MESSAGE 1 << 30; each class has one of its own.
	for name, bit := range map[string]uint32{"system": 1, "Call": 2, "security": 1 << 18, "message": 1 << 30, "all": 0, "calls": 0} {
		if got := ClassBit(name); got != bit {
			t.Errorf("ClassBit(%q) = %#x, want %#x", name, got, bit)
		}
	}
	var seen uint32
	for _, c := range want[:len(want)-1] {
		b := ClassBit(c)
		if b == 0 || b&(b-1) != 0 || seen&b != 0 {
			t.Errorf("class %s: bit %#x is not a bit of its own", c, b)
		}
		seen |= b
	}
}

func TestActionsIsACopy(t *testing.T) {
	a := Actions()
	a[0].Name = "X"
	if Actions()[0].Name == "X" {
		t.Fatal("Actions shares its backing array")
	}
}

func TestGenerateRejects(t *testing.T) {
	for _, tc := range []struct {
		name string
		mod  func(*Spec)
	}{
		{"program", func(s *Spec) { s.Name = "a b" }},
		{"command", func(s *Spec) { s.Commands[0].Name = "se;nd" }},
		{"flag", func(s *Spec) { s.Flags[0].Names = []string{"ho$t"} }},
		{"choice", func(s *Spec) { s.Commands[4].Choices = []string{"ba'sh"} }},
		{"value mismatch", func(s *Spec) { s.Commands[1].Flags[2].Value = ValueNone }},
		{"flag twice", func(s *Spec) { s.Commands[0].Flags = append(s.Commands[0].Flags, s.Commands[0].Flags[0]) }},
		{"choices without ValueChoice", func(s *Spec) { s.Commands[0].Flags[1].Choices = []string{"a"} }},
		{"dynamic without ValueDynamic", func(s *Spec) { s.Commands[0].Flags[1].Dynamic = []string{"a"} }},
		{"dynamic argument", func(s *Spec) {
			s.Commands[0].Flags[1].Value, s.Commands[0].Flags[1].Dynamic = ValueDynamic, []string{"a;b"}
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := sampleSpec()
			tc.mod(&s)
			if _, err := Generate("bash", s); err == nil {
				t.Fatal("no error")
			}
		})
	}
	if _, err := Generate("tcsh", sampleSpec()); err == nil {
		t.Fatal("tcsh: no error")
	}
	if _, err := Script("tcsh"); err == nil {
		t.Fatal("Script(tcsh): no error")
	}
}

// TestScriptsCarryCatalogue checks that the committed scripts hold every
// name of the catalogue (they are regenerated by cmd/ami's test).
func TestScriptsCarryCatalogue(t *testing.T) {
	for _, sh := range Shells() {
		s, err := Script(sh)
		if err != nil {
			t.Fatal(err)
		}
		words := map[string]bool{}
		for _, w := range strings.FieldsFunc(s, func(r rune) bool { return strings.ContainsRune(" \t\n'\"()|\\:", r) }) {
			words[w] = true
		}
		for _, list := range [][]string{ActionNames(false), Events(), Classes()} {
			for _, n := range list {
				if !words[n] {
					t.Errorf("%s script lacks %q: run go test ./cmd/ami -run TestCompletionScripts -update", sh, n)
				}
			}
		}
	}
}

func TestSyntax(t *testing.T) {
	gen := map[string]string{}
	for _, sh := range Shells() {
		g, err := Generate(sh, sampleSpec())
		if err != nil {
			t.Fatal(err)
		}
		gen[sh] = g
	}
	check := map[string][]string{"bash": {"bash", "-n"}, "zsh": {"zsh", "-n"}, "fish": {"fish", "--no-execute"}}
	for _, sh := range Shells() {
		t.Run(sh, func(t *testing.T) {
			argv := check[sh]
			if _, err := exec.LookPath(argv[0]); err != nil {
				t.Skipf("%s not installed", argv[0])
			}
			committed, err := Script(sh)
			if err != nil {
				t.Fatal(err)
			}
			for name, text := range map[string]string{"generated": gen[sh], "committed": committed} {
				f := filepath.Join(t.TempDir(), "script")
				if err := os.WriteFile(f, []byte(text), 0o644); err != nil {
					t.Fatal(err)
				}
				out, err := exec.Command(argv[0], append(argv[1:], f)...).CombinedOutput()
				if err != nil {
					t.Errorf("%s script: %v\n%s", name, err, out)
				}
			}
		})
	}
}

// fakeProgram puts an executable "ami" on a fresh PATH that prints the
// profile names pbx1 and lab for "completion profiles" (what the scripts
// run for --profile), and returns the environment for the shells.
func fakeProgram(t *testing.T) []string {
	t.Helper()
	dir := t.TempDir()
	prog := "#!/bin/sh\n[ \"$1 $2\" = \"completion profiles\" ] && printf 'pbx1\\nlab\\n'\n"
	if err := os.WriteFile(filepath.Join(dir, "ami"), []byte(prog), 0o755); err != nil {
		t.Fatal(err)
	}
	return []string{"PATH=" + dir + string(os.PathListSeparator) + os.Getenv("PATH"), "HOME=" + t.TempDir(), "TERM=dumb"}
}

// completionCase is a command line (the last word is being completed) and
// what a script must offer for it; other, when set, says what a shell
// offers instead.
type completionCase struct {
	words []string
	want  []string
	other map[string][]string
}

// completionCases are command lines (the last word is being completed)
// and the suggestions every shell's script must offer for sampleSpec.
func completionCases() []completionCase {
	return []completionCase{
		{[]string{"ami", "li"}, []string{"list", "listen"}, nil},
		{[]string{"ami", "lo"}, []string{"login-check"}, nil},
		{[]string{"ami", "-H", "pbx", "se"}, []string{"send"}, nil},
		{[]string{"ami", "--mock", "listen", "--ev"}, []string{"--event"}, nil},
		{[]string{"ami", "listen", "--event", "DialB"}, []string{"DialBegin"}, nil},
		{[]string{"ami", "listen", "--event=DialE"}, []string{"DialEnd"}, nil},
		{[]string{"ami", "listen", "-e", "Newc"}, []string{"Newchannel"}, nil},
		{[]string{"ami", "listen", "--classes", "call,sy"}, []string{"call,system"}, nil},
		{[]string{"ami", "listen", "--classes", "cd"}, []string{"cdr"}, nil},
		// A class already in the list is not offered again.
		{[]string{"ami", "listen", "--classes", "call,system,c"}, []string{"call,system,cc", "call,system,cdr", "call,system,command", "call,system,config"}, nil},
		{[]string{"ami", "listen", "-o", "j"}, []string{"json"}, nil},
		// The same flag offers what each command accepts.
		{[]string{"ami", "send", "-o", ""}, []string{"json", "raw", "text"}, nil},
		{[]string{"ami", "list", "-o", ""}, []string{"table", "text"}, nil},
		{[]string{"ami", "list", "-o", "t"}, []string{"table", "text"}, nil},
		// Before the command: the top-level flags only.
		{[]string{"ami", "--t"}, []string{"--tls"}, nil},
		{[]string{"ami", "--o"}, nil, nil},
		{[]string{"ami", "--profile", ""}, []string{"lab", "pbx1"}, nil},
		{[]string{"ami", "send", "--profile", "p"}, []string{"pbx1"}, nil},
		{[]string{"ami", "send", "CoreSh"}, []string{"CoreShowChannelMap", "CoreShowChannels"}, nil},
		{[]string{"ami", "s", "-H", "pbx", "Orig"}, []string{"Originate"}, nil},
		{[]string{"ami", "send", "Originate", "Ch"}, nil, nil},
		{[]string{"ami", "send", "SIPp"}, []string{"SIPpeers", "SIPpeerstatus"}, nil},
		{[]string{"ami", "list", "Core"}, []string{"CoreShowChannelMap", "CoreShowChannels"}, nil},
		{[]string{"ami", "list", "Pin"}, nil, nil},
		{[]string{"ami", "login-check", "--action", "Pi"}, []string{"Ping"}, nil},
		{[]string{"ami", "completion", ""}, []string{"bash", "fish", "zsh"}, nil},
		// zsh offers the options where nothing else is left.
		{[]string{"ami", "completion", "bash", ""}, nil, map[string][]string{"zsh": {"--help", "-h"}}},
		{[]string{"ami", "help", "l"}, []string{"list", "listen", "login-check"}, nil},
		{[]string{"ami", "listen", "--count", "1"}, nil, nil},
		{[]string{"ami", "listen", "--", "--ev"}, nil, nil},
	}
}

// TestBehaviour asks each shell what the script generated for sampleSpec
// offers.
func TestBehaviour(t *testing.T) {
	env := fakeProgram(t)
	asker, err := shelltest.New()
	if err != nil {
		t.Fatal(err)
	}
	defer asker.Close()
	for _, sh := range shelltest.Shells() {
		t.Run(sh, func(t *testing.T) {
			if !shelltest.Available(sh) {
				t.Skipf("%s is not installed: its completion script was NOT tested", sh)
			}
			script, err := Generate(sh, sampleSpec())
			if err != nil {
				t.Fatal(err)
			}
			for _, tc := range completionCases() {
				t.Run(strings.Join(tc.words, " "), func(t *testing.T) {
					ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
					defer cancel()
					got, err := asker.Complete(ctx, shelltest.Request{Shell: sh, Script: script, Words: tc.words, Env: env})
					if err != nil {
						t.Fatal(err)
					}
					want := append([]string(nil), tc.want...)
					if o, ok := tc.other[sh]; ok {
						want = append([]string(nil), o...)
					}
					sort.Strings(want)
					if strings.Join(got, " ") != strings.Join(want, " ") {
						t.Errorf("got %v, want %v", got, want)
					}
				})
			}
		})
	}
}

// TestZshLoads sources the zsh script after compinit: it must define the
// completion function without errors.
func TestZshLoads(t *testing.T) {
	if _, err := exec.LookPath("zsh"); err != nil {
		t.Skip("zsh is not installed: its completion script was NOT tested")
	}
	for name, get := range map[string]func() (string, error){
		"generated": func() (string, error) { return Generate("zsh", sampleSpec()) },
		"committed": func() (string, error) { return Script("zsh") },
	} {
		script, err := get()
		if err != nil {
			t.Fatal(err)
		}
		f := filepath.Join(t.TempDir(), "_ami")
		if err := os.WriteFile(f, []byte(script), 0o644); err != nil {
			t.Fatal(err)
		}
		prog := "autoload -Uz compinit && compinit -u -d " + sq(filepath.Join(t.TempDir(), "zcompdump")) +
			" && source " + sq(f) + " && whence -w _ami _ami_actions _ami_classes && print ${_comps[ami]}"
		out, err := exec.Command("zsh", "-f", "-c", prog).CombinedOutput()
		if err != nil || !strings.Contains(string(out), "_ami: function") || !strings.HasSuffix(strings.TrimSpace(string(out)), "_ami") {
			t.Errorf("%s: %v\n%s", name, err, out)
		}
	}
}

// TestPlainWordChecks: isName and isChoice accept what the regular
// expressions they replace accept, on hand-picked and random strings.
func TestPlainWordChecks(t *testing.T) {
	nameRE := regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_-]*$`)
	choiceRE := regexp.MustCompile(`^[A-Za-z0-9_.:+-]+$`)
	inputs := []string{"", "a", "A9", "9", "-a", "_a", "a-b_c", "a b", "a.b", "a:b", "a+b", ".", "é", "a\n", "tls-ca", "ami.bash", "x\x00"}
	rng := rand.New(rand.NewPCG(5, 6))
	const alphabet = "aZ09_-.:+ \t\n/é\x00"
	for range 5000 {
		b := make([]byte, rng.IntN(6))
		for i := range b {
			b[i] = alphabet[rng.IntN(len(alphabet))]
		}
		inputs = append(inputs, string(b))
	}
	for _, s := range inputs {
		if got, want := isName(s), nameRE.MatchString(s); got != want {
			t.Errorf("isName(%q) = %v, want %v", s, got, want)
		}
		if got, want := isChoice(s), choiceRE.MatchString(s); got != want {
			t.Errorf("isChoice(%q) = %v, want %v", s, got, want)
		}
	}
}
