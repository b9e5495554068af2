// Package shelltest asks a real shell what a completion script offers: it
// loads the script into bash, zsh or fish, completes a command line the
// way the shell's own completion does, and returns the candidates. Tests
// of generated completion scripts use it, like httptest for handlers.
//
// Each shell runs as a child process without the user's configuration,
// bounded by the caller's context. bash is driven through the function
// that `complete -p` names for the program (COMP_WORDS, COMP_CWORD,
// COMP_LINE and COMP_POINT as readline would set them); fish through
// `complete -C`; zsh through its line editor on a pseudo-terminal (the
// zsh/zpty module), with compadd wrapped to record what the completion
// functions add.
package shelltest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
)

// Shells are the shells Complete drives.
func Shells() []string { return []string{"bash", "fish", "zsh"} }

// Available reports whether shell is installed (on PATH).
func Available(shell string) bool {
	_, err := exec.LookPath(shell)
	return err == nil
}

// Request is one completion to ask a shell for.
type Request struct {
	// Shell is "bash", "fish" or "zsh".
	Shell string
	// Script is the completion script to load.
	Script string
	// Words is the command line up to the cursor, split into words as a
	// user types them, program name first; the last word is the one being
	// completed ("" after a space). Words may not contain spaces, quotes
	// or backslashes. bash is given them split at "=" as readline splits
	// them (COMP_WORDBREAKS).
	Words []string
	// Env is the environment of the shell (nil: the test process's own).
	// The script may run programs found on its PATH.
	Env []string
}

// Asker asks shells for completions. It keeps what can be reused between
// requests (zsh's compinit dump, which takes a second or more to make) in
// a temporary directory that Close removes.
type Asker struct {
	dir string
}

// New returns an Asker.
func New() (*Asker, error) {
	dir, err := os.MkdirTemp("", "shelltest")
	if err != nil {
		return nil, fmt.Errorf("shelltest: %w", err)
	}
	return &Asker{dir: dir}, nil
}

// Close removes the Asker's files.
func (a *Asker) Close() error { return os.RemoveAll(a.dir) }

// Complete returns what the shell offers for req, sorted, each candidate
// as the whole of the word being completed would read once it is chosen,
// from after its last "=": "--classes call,sy" offers "call,system" in
// every shell, and "--event=Dial" offers "DialBegin". fish's fuzzy
// fallback (candidates that only contain the typed text) is left out:
// what is tested is the script's candidate list, which every shell
// filters by prefix.
func (a *Asker) Complete(ctx context.Context, req Request) ([]string, error) {
	if len(req.Words) < 2 {
		return nil, errors.New("shelltest: want the program name and the word being completed")
	}
	for _, w := range req.Words {
		if strings.ContainsAny(w, " \t\n'\"\\") {
			return nil, fmt.Errorf("shelltest: word %q: spaces, quotes and backslashes are not supported", w)
		}
	}
	dir, err := os.MkdirTemp(a.dir, "req")
	if err != nil {
		return nil, fmt.Errorf("shelltest: %w", err)
	}
	defer os.RemoveAll(dir)
	script := filepath.Join(dir, "script")
	if err := os.WriteFile(script, []byte(req.Script), 0o644); err != nil {
		return nil, fmt.Errorf("shelltest: %w", err)
	}
	var got []string
	switch req.Shell {
	case "bash":
		got, err = bash(ctx, req, script)
	case "fish":
		got, err = fish(ctx, req, script)
	case "zsh":
		got, err = zsh(ctx, req, script, dir, filepath.Join(a.dir, "zcompdump"))
	default:
		return nil, fmt.Errorf("shelltest: unknown shell %q", req.Shell)
	}
	if err != nil {
		return nil, err
	}
	sort.Strings(got)
	return dedupe(got), nil
}

// sq quotes s for a POSIX shell.
func sq(s string) string { return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'" }

// run runs argv with env and returns its stdout; a failure includes the
// output.
func run(ctx context.Context, env []string, argv ...string) (string, error) {
	cmd := exec.CommandContext(ctx, argv[0], argv[1:]...)
	cmd.Env = env
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	if err := cmd.Run(); err != nil {
		return "", fmt.Errorf("shelltest: %s: %w\nstdout:\n%s\nstderr:\n%s", argv[0], err, out.String(), errOut.String())
	}
	return out.String(), nil
}

// lines splits s into its non-empty lines.
func lines(s string) []string {
	var out []string
	for _, l := range strings.Split(s, "\n") {
		if l = strings.TrimRight(l, "\r"); l != "" {
			out = append(out, l)
		}
	}
	return out
}

func dedupe(sorted []string) []string {
	out := sorted[:0]
	for i, s := range sorted {
		if i == 0 || s != sorted[i-1] {
			out = append(out, s)
		}
	}
	return out
}

// afterEq returns s from after its last "=".
func afterEq(s string) string {
	if i := strings.LastIndexByte(s, '='); i >= 0 {
		return s[i+1:]
	}
	return s
}

// bashWords splits words at "=" as readline does (each "=" a word of its
// own).
func bashWords(words []string) []string {
	var out []string
	for i, w := range words {
		if i == 0 || !strings.Contains(w, "=") {
			out = append(out, w)
			continue
		}
		parts := strings.Split(w, "=")
		for j, p := range parts {
			if j > 0 {
				out = append(out, "=")
			}
			if p != "" || j == len(parts)-1 {
				out = append(out, p)
			}
		}
	}
	return out
}

func bash(ctx context.Context, req Request, script string) ([]string, error) {
	words := bashWords(req.Words)
	var quoted []string
	for _, w := range words {
		quoted = append(quoted, sq(w))
	}
	line := strings.Join(req.Words, " ")
	cword := len(words) - 1
	prev := ""
	if cword > 0 {
		prev = words[cword-1]
	}
	// The function bash would call is the one `complete -p` names.
	prog := "source " + sq(script) + "\n" +
		"spec=$(complete -p " + sq(req.Words[0]) + ") || exit 3\n" +
		`fn=${spec##*-F }; fn=${fn%% *}` + "\n" +
		"COMP_WORDS=(" + strings.Join(quoted, " ") + ")\n" +
		"COMP_CWORD=" + strconv.Itoa(cword) + "\n" +
		"COMP_LINE=" + sq(line) + "\nCOMP_POINT=" + strconv.Itoa(len(line)) + "\n" +
		"COMP_TYPE=9 COMP_KEY=9\n" +
		`"$fn" ` + sq(req.Words[0]) + " " + sq(words[cword]) + " " + sq(prev) + "\n" +
		`printf '%s\n' "${COMPREPLY[@]}"` + "\n"
	out, err := run(ctx, req.Env, "bash", "--norc", "--noprofile", "-c", prog)
	if err != nil {
		return nil, err
	}
	return lines(out), nil
}

func fish(ctx context.Context, req Request, script string) ([]string, error) {
	line := strings.Join(req.Words, " ")
	out, err := run(ctx, req.Env, "fish", "--no-config", "-c", "source "+sq(script)+"; complete -C "+sq(line))
	if err != nil {
		return nil, err
	}
	last := req.Words[len(req.Words)-1]
	typed := last
	if i := strings.LastIndexAny(typed, ",="); i >= 0 {
		typed = typed[i+1:]
	}
	var got []string
	for _, l := range lines(out) {
		w, _, _ := strings.Cut(l, "\t")
		tail := w
		if i := strings.LastIndexAny(w, ",="); i >= 0 {
			tail = w[i+1:]
		}
		if !strings.HasPrefix(tail, typed) {
			continue // fish's fuzzy fallback
		}
		got = append(got, afterEq(w))
	}
	return got, nil
}

// zshDriver is run by zsh -f: it starts an interactive zsh on a
// pseudo-terminal, loads compinit (with the dump file $4, made by the
// first run) and the script, wraps compadd to append
// every match it adds (with the ignored prefix, as the word will read) to
// the file $2, types the line $3 and a TAB, and ends when the completion
// has run (comppostfuncs exits that shell). Reads from the pty block; the
// marker READY is printed split in two so that the echo of the command
// does not match it.
const zshDriver = `zmodload zsh/zpty || exit 3
script=$1 out=$2 line=$3 dump=$4
zpty z zsh -f -i
zpty -w z "unsetopt prompt_cr prompt_sp; unset zle_bracketed_paste; PROMPT=''; RPROMPT=''; __out=${(q)out}"
if [[ -s $dump ]]; then
  zpty -w z "autoload -Uz compinit; compinit -u -C -d ${(q)dump}; source ${(q)script}"
else
  zpty -w z "autoload -Uz compinit; compinit -u -d ${(q)dump}; source ${(q)script}"
fi
zpty -w z 'zstyle ":completion:*" insert-tab false; comppostfuncs=(__cap_end); __cap_end() { print -r -- END >> $__out; exit }'
zpty -w z 'compadd() { if [[ ${@[1,(i)(-|--)]} == *-(O|A|D)\ * ]]; then builtin compadd "$@"; return; fi; local -a __h; builtin compadd -O __h "$@"; (( $#__h )) && print -rl -- "C $IPREFIX"${^__h} >> $__out; builtin compadd "$@" }'
zpty -w z 'print -r -- RE""ADY'
local l
while zpty -r z l; do [[ $l == *READY* && $l != *print* ]] && break; done
zpty -w -n z "$line"$'\t'
while zpty -r z l; do :; done
zpty -d z 2>/dev/null
exit 0
`

func zsh(ctx context.Context, req Request, script, dir, dump string) ([]string, error) {
	driver := filepath.Join(dir, "driver.zsh")
	if err := os.WriteFile(driver, []byte(zshDriver), 0o644); err != nil {
		return nil, fmt.Errorf("shelltest: %w", err)
	}
	outFile := filepath.Join(dir, "matches")
	line := strings.Join(req.Words, " ")
	if _, err := run(ctx, req.Env, "zsh", "-f", driver, script, outFile, line, dump); err != nil {
		return nil, err
	}
	data, err := os.ReadFile(outFile)
	if err != nil {
		return nil, fmt.Errorf("shelltest: zsh recorded nothing: %w", err)
	}
	ls := lines(string(data))
	if len(ls) == 0 || ls[len(ls)-1] != "END" {
		return nil, fmt.Errorf("shelltest: zsh did not finish the completion:\n%s", data)
	}
	var got []string
	for _, l := range ls {
		if m, ok := strings.CutPrefix(l, "C "); ok {
			got = append(got, afterEq(m))
		}
	}
	return got, nil
}
