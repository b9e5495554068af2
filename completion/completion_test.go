package completion

import (
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"
)

// sampleSpec is a small command line shaped like ami's.
func sampleSpec() Spec {
	conn := []Flag{
		{Names: []string{"host", "H"}, Usage: "AMI host [$AMI_HOST]", Value: ValueHost},
		{Names: []string{"port", "p"}, Usage: "AMI port", Value: ValueAny},
		{Names: []string{"secret-file"}, Usage: "read the secret from FILE", Value: ValueFile},
		{Names: []string{"output", "o"}, Usage: "output format: text, json, raw", Value: ValueChoice, Choices: []string{"text", "json", "raw"}},
		{Names: []string{"tls"}, Usage: "use TLS (it's \"amis\")"},
	}
	listen := append(append([]Flag(nil), conn...),
		Flag{Names: []string{"event", "e"}, Usage: "only events named GLOB: [repeatable]", Value: ValueEvent, Repeatable: true},
		Flag{Names: []string{"classes"}, Usage: "event classes", Value: ValueClasses},
		Flag{Names: []string{"count", "n"}, Usage: "stop after N events", Value: ValueAny},
	)
	list := append(append([]Flag(nil), conn...),
		Flag{Names: []string{"output", "o"}, Usage: "output format", Value: ValueChoice, Choices: []string{"text", "table"}},
	)
	return Spec{
		Name:  "ami",
		Flags: append(append([]Flag(nil), conn...), Flag{Names: []string{"mock"}, Usage: "use a simulated PBX"}),
		Commands: []Command{
			{Name: "send", Aliases: []string{"s"}, Usage: "send actions", Flags: conn, Arg: ArgAction},
			{Name: "listen", Usage: "print events", Flags: listen},
			{Name: "list", Usage: "print a list", Flags: list, Arg: ArgListAction},
			{Name: "login-check", Usage: "Nagios check", Flags: append(append([]Flag(nil), conn...), Flag{Names: []string{"action"}, Usage: "action to send", Value: ValueAction}), Arg: ArgHosts},
			{Name: "completion", Usage: "print a completion script", Arg: ArgChoice, Choices: []string{"bash", "fish", "zsh"}},
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
		for _, w := range strings.FieldsFunc(s, func(r rune) bool { return strings.ContainsRune(" \t\n'\"()|\\", r) }) {
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

// bashComplete sources script in bash, completes the command line words
// (the last one is being completed, as bash splits it) and returns the
// suggestions.
func bashComplete(t *testing.T, script string, words []string) []string {
	t.Helper()
	f := filepath.Join(t.TempDir(), "script")
	if err := os.WriteFile(f, []byte(script), 0o644); err != nil {
		t.Fatal(err)
	}
	var quoted []string
	for _, w := range words {
		quoted = append(quoted, sq(w))
	}
	prog := "source " + sq(f) + "\nCOMP_WORDS=(" + strings.Join(quoted, " ") + ")\nCOMP_CWORD=" +
		strconv.Itoa(len(words)-1) + "\n_ami\nprintf '%s\\n' \"${COMPREPLY[@]}\"\n"
	out, err := exec.Command("bash", "--norc", "--noprofile", "-c", prog).CombinedOutput()
	if err != nil {
		t.Fatalf("bash: %v\n%s", err, out)
	}
	var got []string
	for _, l := range strings.Split(strings.TrimRight(string(out), "\n"), "\n") {
		if l != "" {
			got = append(got, l)
		}
	}
	sort.Strings(got)
	return got
}

func TestBashBehaviour(t *testing.T) {
	if _, err := exec.LookPath("bash"); err != nil {
		t.Skip("bash not installed")
	}
	script, err := Generate("bash", sampleSpec())
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range completionCases() {
		t.Run(strings.Join(tc.words, " "), func(t *testing.T) {
			got := bashComplete(t, script, tc.words)
			want := append([]string(nil), tc.want...)
			sort.Strings(want)
			if len(got) == 0 && len(want) == 0 {
				return
			}
			if !reflect.DeepEqual(got, want) {
				t.Errorf("got %v, want %v", got, want)
			}
		})
	}
}

// completionCases are command lines (the last word is being completed)
// and the suggestions every shell's script must offer for sampleSpec.
func completionCases() []struct {
	words []string
	want  []string
} {
	return []struct {
		words []string
		want  []string
	}{
		{[]string{"ami", "li"}, []string{"list", "listen"}},
		{[]string{"ami", "lo"}, []string{"login-check"}},
		{[]string{"ami", "-H", "pbx", "se"}, []string{"send"}},
		{[]string{"ami", "--mock", "listen", "--ev"}, []string{"--event"}},
		{[]string{"ami", "listen", "--event", "DialB"}, []string{"DialBegin"}},
		{[]string{"ami", "listen", "--event", "=", "DialE"}, []string{"DialEnd"}},
		{[]string{"ami", "listen", "--event", "="}, Events()},
		{[]string{"ami", "listen", "-e", "Newc"}, []string{"Newchannel"}},
		{[]string{"ami", "listen", "--classes", "call,sy"}, []string{"call,system"}},
		{[]string{"ami", "listen", "--classes", "cd"}, []string{"cdr"}},
		{[]string{"ami", "listen", "-o", "j"}, []string{"json"}},
		{[]string{"ami", "list", "-o", "t"}, []string{"table", "text"}},
		{[]string{"ami", "send", "CoreSh"}, []string{"CoreShowChannelMap", "CoreShowChannels"}},
		{[]string{"ami", "s", "-H", "pbx", "Orig"}, []string{"Originate"}},
		{[]string{"ami", "send", "Originate", "Ch"}, nil},
		{[]string{"ami", "list", "Core"}, []string{"CoreShowChannelMap", "CoreShowChannels"}},
		{[]string{"ami", "list", "Pin"}, nil},
		{[]string{"ami", "login-check", "--action", "Pi"}, []string{"Ping"}},
		{[]string{"ami", "completion", ""}, []string{"bash", "fish", "zsh"}},
		{[]string{"ami", "completion", "bash", ""}, nil},
		{[]string{"ami", "listen", "--count", "1"}, nil},
		{[]string{"ami", "listen", "--", "--ev"}, nil},
	}
}

// fishComplete runs fish's own completion on the command line words.
func fishComplete(t *testing.T, script string, words []string) []string {
	t.Helper()
	f := filepath.Join(t.TempDir(), "ami.fish")
	if err := os.WriteFile(f, []byte(script), 0o644); err != nil {
		t.Fatal(err)
	}
	line := strings.Join(words, " ")
	out, err := exec.Command("fish", "--no-config", "-c", "source "+sq(f)+"; complete -C "+sq(line)).CombinedOutput()
	if err != nil {
		t.Fatalf("fish: %v\n%s", err, out)
	}
	// fish falls back to fuzzy (subsequence) matches when nothing has the
	// prefix; the script's job is the candidate list, so keep prefix ones.
	last := words[len(words)-1]
	if i := strings.LastIndexByte(last, ','); i >= 0 {
		last = last[i+1:]
	}
	var got []string
	for _, l := range strings.Split(strings.TrimRight(string(out), "\n"), "\n") {
		w, _, _ := strings.Cut(l, "\t")
		if w == "" {
			continue
		}
		tail := w
		if i := strings.LastIndexByte(w, ','); i >= 0 {
			tail = w[i+1:]
		}
		if strings.HasPrefix(tail, last) {
			got = append(got, w)
		}
	}
	sort.Strings(got)
	return got
}

func TestFishBehaviour(t *testing.T) {
	if _, err := exec.LookPath("fish"); err != nil {
		t.Skip("fish not installed")
	}
	script, err := Generate("fish", sampleSpec())
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range completionCases() {
		words := tc.words
		if contains(words, "=") { // bash's word splitting, not fish's
			continue
		}
		t.Run(strings.Join(words, " "), func(t *testing.T) {
			got := fishComplete(t, script, words)
			want := append([]string(nil), tc.want...)
			sort.Strings(want)
			if strings.Join(got, " ") != strings.Join(want, " ") {
				t.Errorf("got %v, want %v", got, want)
			}
		})
	}
}

// TestZshLoads sources the zsh script after compinit: it must define the
// completion function without errors (zsh's completion itself cannot be
// driven without a terminal).
func TestZshLoads(t *testing.T) {
	if _, err := exec.LookPath("zsh"); err != nil {
		t.Skip("zsh not installed")
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
