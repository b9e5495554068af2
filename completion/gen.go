package completion

import (
	"fmt"
	"sort"
	"strings"
)

// header is the comment at the top of every generated script.
const header = `Generated from the %s command definitions and the built-in Asterisk 22
catalogue by: go test ./cmd/ami -run TestCompletionScripts -update
Do not edit by hand.`

// Generate returns the completion script for shell ("bash", "zsh" or
// "fish") describing spec, with the catalogue's action, event and class
// names built in. The committed scripts (see Script) are Generate's output
// for the ami command itself.
func Generate(shell string, spec Spec) (string, error) {
	if err := spec.validate(); err != nil {
		return "", err
	}
	switch shell {
	case "bash":
		return genBash(spec), nil
	case "zsh":
		return genZsh(spec), nil
	case "fish":
		return genFish(spec), nil
	}
	return "", fmt.Errorf("completion: unknown shell %q (want %s)", shell, strings.Join(Shells(), ", "))
}

// comment prefixes each line of text with "# ".
func comment(text string) string {
	var b strings.Builder
	for _, line := range strings.Split(text, "\n") {
		b.WriteString(strings.TrimRight("# "+line, " "))
		b.WriteByte('\n')
	}
	return b.String()
}

// wrapWords joins words with single spaces into lines of at most width
// bytes, each line but the first prefixed with indent.
func wrapWords(words []string, indent string, width int) string {
	var b strings.Builder
	n := 0
	for i, w := range words {
		if i > 0 {
			if n+1+len(w) > width {
				b.WriteString("\n" + indent)
				n = len(indent)
			} else {
				b.WriteByte(' ')
				n++
			}
		}
		b.WriteString(w)
		n += len(w)
	}
	return b.String()
}

// sq quotes s for POSIX shells (bash, zsh) in single quotes.
func sq(s string) string {
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// commandNames returns the name and aliases of c.
func commandNames(c Command) []string {
	return append([]string{c.Name}, c.Aliases...)
}

// flagWords returns the spellings of every flag in flags, plus help.
func flagWords(flags []Flag) []string {
	var out []string
	for _, f := range flags {
		for _, n := range f.Names {
			out = append(out, flagSpelling(n))
		}
	}
	if !contains(out, "--help") {
		out = append(out, "--help", "-h")
	}
	sort.Strings(out)
	return out
}

func genBash(s Spec) string {
	var b strings.Builder
	fn := "_" + strings.ReplaceAll(s.Name, "-", "_")
	v := fn + "_"
	fmt.Fprintf(&b, "# bash completion for %s%s-*- shell-script -*-\n#\n", s.Name, strings.Repeat(" ", 40))
	b.WriteString(comment(fmt.Sprintf(header, s.Name)))
	fmt.Fprintf(&b, "#\n# Install: copy to /usr/share/bash-completion/completions/%s, or put\n# source <(%s completion bash) in ~/.bashrc.\n\n", s.Name, s.Name)

	var cmds []string
	for _, c := range s.Commands {
		cmds = append(cmds, c.Name)
	}
	fmt.Fprintf(&b, "%scommands=%s\n", v, sq(wrapWords(cmds, "", 76)))
	fmt.Fprintf(&b, "%sactions=%s\n", v, sq(wrapWords(ActionNames(false), "", 76)))
	fmt.Fprintf(&b, "%slist_actions=%s\n", v, sq(wrapWords(ActionNames(true), "", 76)))
	fmt.Fprintf(&b, "%sevents=%s\n", v, sq(wrapWords(Events(), "", 76)))
	fmt.Fprintf(&b, "%sclasses=%s\n\n", v, sq(wrapWords(Classes(), "", 76)))

	fmt.Fprintf(&b, "# %svalue_flag FLAG: whether FLAG takes a value (in the next word).\n", v)
	fmt.Fprintf(&b, "%svalue_flag() {\n    case \"$1\" in\n", v)
	if vf := s.valueFlags(); len(vf) > 0 {
		fmt.Fprintf(&b, "    %s) return 0 ;;\n", wrapWords(barred(vf), "    ", 72))
	}
	b.WriteString("    esac\n    return 1\n}\n\n")

	fmt.Fprintf(&b, `# %scommalist WORDS CUR: complete the last item of a comma-separated list,
# leaving out the items already in it.
%scommalist() {
    local pre="" last="$2" w
    if [[ $2 == *,* ]]; then
        pre="${2%%,*},"
        last="${2##*,}"
    fi
    COMPREPLY=()
    for w in $1; do
        if [[ ,$pre != *",$w,"* && $w == "$last"* ]]; then
            COMPREPLY+=("$pre$w")
        fi
    done
    compopt -o nospace 2>/dev/null
    return 0
}

`, v, v)

	fmt.Fprintf(&b, "# %svalue CMD FLAG CUR: complete the value of FLAG of command CMD (\"\" before\n# the command).\n%svalue() {\n    case \"$2\" in\n", v, v)
	for _, fv := range s.flagValues() {
		fmt.Fprintf(&b, "    %s)\n", strings.Join(fv.spellings, "|"))
		if len(fv.cases) == 1 {
			fmt.Fprintf(&b, "        %s ;;\n", bashValue(fv.cases[0].flag, v))
			continue
		}
		b.WriteString("        case \"$1\" in\n")
		for _, c := range fv.cases {
			fmt.Fprintf(&b, "        %s) %s ;;\n", bashPattern(c.commands), bashValue(c.flag, v))
		}
		b.WriteString("        esac ;;\n")
	}
	b.WriteString("    esac\n    return 0\n}\n\n")

	fmt.Fprintf(&b, `%s() {
    local cur="" prev="" cmd="" npos=0 ddash="" i w
    COMPREPLY=()
    cur="${COMP_WORDS[COMP_CWORD]}"
    if (( COMP_CWORD > 0 )); then
        prev="${COMP_WORDS[COMP_CWORD-1]}"
    fi
    # bash splits --flag=value at "=" (COMP_WORDBREAKS).
    if [[ $cur == "=" ]]; then
        cur=""
    elif [[ $prev == "=" ]] && (( COMP_CWORD > 1 )); then
        prev="${COMP_WORDS[COMP_CWORD-2]}"
    fi

    # Find the subcommand and count its positional arguments.
    for (( i = 1; i < COMP_CWORD; i++ )); do
        w="${COMP_WORDS[i]}"
        if [[ -z $ddash && $w == "--" ]]; then
            ddash=1
            continue
        fi
        if [[ -z $ddash && $w == -* ]]; then
            if [[ ${COMP_WORDS[i+1]} == "=" ]]; then
                (( i += 2 ))
            elif %svalue_flag "$w"; then
                (( i++ ))
            fi
            continue
        fi
        if [[ -z $cmd ]]; then
            cmd="$w"
        else
            (( npos++ ))
        fi
    done

    if [[ -z $ddash && $prev == -* ]] && %svalue_flag "$prev"; then
        %svalue "$cmd" "$prev" "$cur"
        return 0
    fi
    if [[ -z $ddash && $cur == -* ]]; then
        case "$cmd" in
`, fn, v, v, v)
	fmt.Fprintf(&b, "        \"\") w=%s ;;\n", sq(wrapWords(flagWords(s.Flags), "", 60)))
	for _, c := range s.Commands {
		fmt.Fprintf(&b, "        %s) w=%s ;;\n", strings.Join(commandNames(c), "|"), sq(wrapWords(flagWords(c.Flags), "", 60)))
	}
	fmt.Fprintf(&b, `        *) w='--help -h' ;;
        esac
        COMPREPLY=($(compgen -W "$w" -- "$cur"))
        return 0
    fi
    if [[ -z $cmd ]]; then
        COMPREPLY=($(compgen -W "$%scommands" -- "$cur"))
        return 0
    fi
    case "$cmd" in
`, v)
	for _, c := range s.Commands {
		var act string
		switch c.Arg {
		case ArgAction:
			act = fmt.Sprintf(`(( npos == 0 )) && COMPREPLY=($(compgen -W "$%sactions" -- "$cur"))`, v)
		case ArgListAction:
			act = fmt.Sprintf(`(( npos == 0 )) && COMPREPLY=($(compgen -W "$%slist_actions" -- "$cur"))`, v)
		case ArgHosts:
			act = `COMPREPLY=($(compgen -A hostname -- "$cur"))`
		case ArgChoice:
			act = fmt.Sprintf(`(( npos == 0 )) && COMPREPLY=($(compgen -W %s -- "$cur"))`, sq(strings.Join(c.Choices, " ")))
		default:
			continue
		}
		fmt.Fprintf(&b, "    %s)\n        %s ;;\n", strings.Join(commandNames(c), "|"), act)
	}
	fmt.Fprintf(&b, "    esac\n    return 0\n}\n\ncomplete -F %s %s\n", fn, s.Name)
	return b.String()
}

// bashValue returns the bash statement that completes the value of f from
// $3 (v is the prefix of the script's names).
func bashValue(f Flag, v string) string {
	switch f.Value {
	case ValueFile:
		return `compopt -o filenames 2>/dev/null; COMPREPLY=($(compgen -f -- "$3"))`
	case ValueHost:
		return `COMPREPLY=($(compgen -A hostname -- "$3"))`
	case ValueChoice:
		return fmt.Sprintf(`COMPREPLY=($(compgen -W %s -- "$3"))`, sq(strings.Join(f.Choices, " ")))
	case ValueAction:
		return fmt.Sprintf(`COMPREPLY=($(compgen -W "$%sactions" -- "$3"))`, v)
	case ValueEvent:
		return fmt.Sprintf(`COMPREPLY=($(compgen -W "$%sevents" -- "$3"))`, v)
	case ValueClasses:
		return fmt.Sprintf(`%scommalist "$%sclasses" "$3"`, v, v)
	case ValueDynamic:
		return fmt.Sprintf(`COMPREPLY=($(compgen -W "$("${COMP_WORDS[0]}" %s 2>/dev/null)" -- "$3"))`, strings.Join(f.Dynamic, " "))
	}
	return "COMPREPLY=()"
}

// bashPattern returns a case pattern matching the command names ("" is
// the top level).
func bashPattern(names []string) string {
	var out []string
	for _, n := range names {
		if n == "" {
			n = `""`
		}
		out = append(out, n)
	}
	return strings.Join(out, "|")
}

// barred joins words with "|" for a case pattern, keeping them as separate
// words so that wrapWords can break lines.
func barred(words []string) []string {
	out := make([]string, len(words))
	for i, w := range words {
		if i < len(words)-1 {
			w += "|"
		}
		out[i] = w
	}
	// A case pattern may not contain a line break: rejoin.
	return []string{strings.Join(out, "")}
}

// zshDesc escapes a description for the inside of [...] in an _arguments
// spec (the result is single-quoted by the caller).
func zshDesc(s string) string {
	r := strings.NewReplacer(`\`, `\\`, `[`, `\[`, `]`, `\]`)
	return r.Replace(s)
}

// zshAction returns the ":message:action" part of an _arguments spec.
func zshAction(f Flag, fn string) string {
	meta := strings.ToLower(f.Names[0])
	switch f.Value {
	case ValueFile:
		return ":" + meta + ":_files"
	case ValueHost:
		return ":host:_hosts"
	case ValueChoice:
		return ":" + meta + ":(" + strings.Join(f.Choices, " ") + ")"
	case ValueAction:
		return ":action:" + fn + "_actions"
	case ValueEvent:
		return ":event:" + fn + "_events"
	case ValueClasses:
		return ":class:" + fn + "_classes"
	case ValueDynamic:
		return ":" + meta + ":" + fn + "_" + zshDynName(f)
	}
	return ":" + meta + ": "
}

// zshDynName names the function that completes the value of the dynamic
// flag f.
func zshDynName(f Flag) string {
	return "dyn_" + strings.ReplaceAll(f.Names[0], "-", "_")
}

// zshFlagSpecs returns one _arguments spec per flag spelling.
func zshFlagSpecs(flags []Flag, fn string) []string {
	var out []string
	for _, f := range flags {
		var sps []string
		for _, n := range f.Names {
			sps = append(sps, flagSpelling(n))
		}
		excl := "(" + strings.Join(sps, " ") + ")"
		if f.Repeatable {
			excl = "*"
		}
		for _, sp := range sps {
			spec := excl + sp
			if f.Value != ValueNone && len(sp) > 2 {
				spec += "="
			}
			spec += "[" + zshDesc(f.Usage) + "]"
			if f.Value != ValueNone {
				spec += zshAction(f, fn)
			}
			out = append(out, sq(spec))
		}
	}
	out = append(out, sq("(- *)"+"--help[show help]"), sq("(- *)"+"-h[show help]"))
	return out
}

func genZsh(s Spec) string {
	var b strings.Builder
	fn := "_" + strings.ReplaceAll(s.Name, "-", "_")
	fmt.Fprintf(&b, "#compdef %s\n", s.Name)
	b.WriteString(comment("zsh completion for " + s.Name + ".\n" + fmt.Sprintf(header, s.Name)))
	fmt.Fprintf(&b, "#\n# Install: copy to a directory in $fpath as %s, or put\n# source <(%s completion zsh) in ~/.zshrc (after compinit).\n\n", fn, s.Name)

	list := func(name, descr string, words []string) {
		fmt.Fprintf(&b, "%s_%s() {\n    local -a items expl\n    items=(\n        %s\n    )\n    _wanted %s expl %s compadd -a items\n}\n\n",
			fn, name, wrapWords(words, "        ", 76), name, sq(descr))
	}
	// Actions go through _describe, which shows the note of a removed one.
	actions := func(name, descr string, listOnly bool) {
		var words []string
		for _, a := range catalogue {
			if listOnly && !a.List {
				continue
			}
			if n := a.Note(); n != "" {
				words = append(words, sq(a.Name+":"+n))
			} else {
				words = append(words, a.Name)
			}
		}
		fmt.Fprintf(&b, "%s_%s() {\n    local -a items\n    items=(\n        %s\n    )\n    _describe -t %s %s items\n}\n\n",
			fn, name, wrapWords(words, "        ", 76), name, sq(descr))
	}
	actions("actions", "AMI action", false)
	actions("list_actions", "AMI list action", true)
	list("events", "AMI event", Events())
	for _, d := range s.dynamicFlags() {
		fmt.Fprintf(&b, "%s_%s() {\n    local -a items expl\n    items=(${(f)\"$(_call_program %s ${(q)_%s_prog} %s 2>/dev/null)\"})\n    _wanted %s expl %s compadd -a items\n}\n\n",
			fn, zshDynName(d), zshDynName(d), fn, strings.Join(d.Dynamic, " "), zshDynName(d), sq(strings.ToLower(d.Names[0])))
	}
	fmt.Fprintf(&b, "%s_classes() {\n    _values -s , 'event class' \\\n        %s\n}\n\n", fn, wrapCont(Classes(), "        ", 76))

	// _FN_prog: the program as typed, for the dynamic value functions
	// (words is shifted once the command is found).
	fmt.Fprintf(&b, "%s() {\n    local curcontext=\"$curcontext\" state state_descr line ret=1\n    local _%s_prog=$words[1]\n    typeset -A opt_args\n\n    _arguments -C -S \\\n", fn, fn)
	for _, sp := range zshFlagSpecs(s.Flags, fn) {
		fmt.Fprintf(&b, "        %s \\\n", sp)
	}
	b.WriteString("        '(-): :->command' \\\n        '(-)*:: :->arg' && ret=0\n\n    case $state in\n    (command)\n        local -a commands\n        commands=(\n")
	for _, c := range s.Commands {
		fmt.Fprintf(&b, "            %s\n", sq(c.Name+":"+c.Usage))
	}
	b.WriteString("        )\n        _describe -t commands 'command' commands && ret=0\n        ;;\n    (arg)\n")
	fmt.Fprintf(&b, "        curcontext=\"${curcontext%%:*:*}:%s-$words[1]:\"\n        case $words[1] in\n", s.Name)
	for _, c := range s.Commands {
		fmt.Fprintf(&b, "        (%s)\n            _arguments -S \\\n", strings.Join(commandNames(c), "|"))
		for _, sp := range zshFlagSpecs(c.Flags, fn) {
			fmt.Fprintf(&b, "                %s \\\n", sp)
		}
		switch c.Arg {
		case ArgAction:
			fmt.Fprintf(&b, "                '1:action:%s_actions' \\\n                '*:key=value: ' \\\n", fn)
		case ArgListAction:
			fmt.Fprintf(&b, "                '1:action:%s_list_actions' \\\n                '*:key=value: ' \\\n", fn)
		case ArgHosts:
			b.WriteString("                '*:host:_hosts' \\\n")
		case ArgChoice:
			fmt.Fprintf(&b, "                %s \\\n", sq("1:"+c.Name+":("+strings.Join(c.Choices, " ")+")"))
		}
		b.WriteString("                && ret=0\n            ;;\n")
	}
	fmt.Fprintf(&b, "        esac\n        ;;\n    esac\n    return ret\n}\n\nif [ \"$funcstack[1]\" = %s ]; then\n    %s \"$@\"\nelse\n    compdef %s %s\nfi\n", sq(fn), fn, fn, s.Name)
	return b.String()
}

// fq quotes s for fish in single quotes.
func fq(s string) string {
	return "'" + strings.NewReplacer(`\`, `\\`, `'`, `\'`).Replace(s) + "'"
}

// fishFlag returns the -s/-l options naming f.
func fishFlag(f Flag) string {
	var parts []string
	for _, n := range f.Names {
		if len(n) == 1 {
			parts = append(parts, "-s "+n)
		} else {
			parts = append(parts, "-l "+n)
		}
	}
	return strings.Join(parts, " ")
}

// fishValue returns the options saying what value f takes.
func fishValue(f Flag, fn string) string {
	switch f.Value {
	case ValueNone:
		return ""
	case ValueFile:
		return " -r -F"
	case ValueHost:
		return " -x -a '(__fish_print_hostnames)'"
	case ValueChoice:
		return " -x -a " + fq(strings.Join(f.Choices, " "))
	case ValueAction:
		return " -x -a '(" + fn + "_actions)'"
	case ValueEvent:
		return " -x -a '(" + fn + "_events)'"
	case ValueClasses:
		return " -x -a '(" + fn + "_classes)'"
	case ValueDynamic:
		return " -x -a '(" + fn + "_run " + strings.Join(f.Dynamic, " ") + ")'"
	}
	return " -x"
}

func genFish(s Spec) string {
	var b strings.Builder
	fn := "__" + strings.ReplaceAll(s.Name, "-", "_")
	b.WriteString(comment("fish completion for " + s.Name + ".\n" + fmt.Sprintf(header, s.Name)))
	fmt.Fprintf(&b, "#\n# Install: copy to ~/.config/fish/completions/%s.fish, or run\n# %s completion fish | source\n\n", s.Name, s.Name)

	fmt.Fprintf(&b, "set -g %s_value_flags %s\n\n", fn, wrapCont(s.valueFlags(), "    ", 76))
	b.WriteString(strings.NewReplacer("FN", fn, "PROG", s.Name).Replace(`# FN_words: the words of the command line before the cursor, program
# name removed, with the values of value-taking flags removed.
function FN_words
    set -l tokens (commandline -opc)
    set -e tokens[1]
    set -l skip 0
    for t in $tokens
        if test $skip -eq 1
            set skip 0
            continue
        end
        switch $t
            case '-*=*'
                continue
            case '-*'
                if contains -- $t $FN_value_flags
                    set skip 1
                end
                continue
        end
        echo $t
    end
end

# FN_using NAME...: whether the subcommand is one of the NAMEs ("PROG"
# stands for none yet).
function FN_using
    set -l words (FN_words)
    if test (count $words) -eq 0
        contains -- PROG $argv
        return
    end
    contains -- $words[1] $argv
end

# FN_arg N NAME...: whether the subcommand is one of the NAMEs and N of its
# arguments are already typed.
function FN_arg
    set -l n $argv[1]
    set -e argv[1]
    set -l words (FN_words)
    test (count $words) -eq (math $n + 1); and contains -- $words[1] $argv
end

# FN_classes: the classes not yet in the comma-separated list being typed.
function FN_classes
    set -l tok (commandline -ct)
    set -l pre (string replace -r '[^,=]*$' '' -- $tok)
    set pre (string replace -r '^-.*=' '' -- $pre)
    set -l have (string split , -- $pre)
    for c in CLASSES
        contains -- $c $have; or echo $pre$c
    end
end

# FN_run ARGS...: what the program (as typed) prints when run with ARGS.
function FN_run
    set -l prog (commandline -opc)[1]
    command $prog $argv 2>/dev/null
end

`))
	out := strings.Replace(b.String(), "CLASSES", wrapCont(Classes(), "            ", 70), 1)
	b.Reset()
	b.WriteString(out)
	for _, x := range []struct {
		name     string
		listOnly bool
	}{{"actions", false}, {"list_actions", true}} {
		var plain []string
		var noted []string
		for _, a := range catalogue {
			if x.listOnly && !a.List {
				continue
			}
			if n := a.Note(); n != "" {
				noted = append(noted, fmt.Sprintf("    printf '%%s\\t%%s\\n' %s %s\n", a.Name, fq(n)))
			} else {
				plain = append(plain, a.Name)
			}
		}
		fmt.Fprintf(&b, "function %s_%s\n    printf '%%s\\n' \\\n        %s\n%send\n\n", fn, x.name, wrapCont(plain, "        ", 70), strings.Join(noted, ""))
	}
	fmt.Fprintf(&b, "function %s_events\n    printf '%%s\\n' \\\n        %s\nend\n\n", fn, wrapCont(Events(), "        ", 70))

	b.WriteString("complete -c " + s.Name + " -f\n")
	top := fmt.Sprintf("-n '%s_using %s'", fn, s.Name)
	for _, c := range s.Commands {
		fmt.Fprintf(&b, "complete -c %s %s -a %s -d %s\n", s.Name, top, c.Name, fq(c.Usage))
	}
	for _, f := range withHelp(s.Flags) {
		fmt.Fprintf(&b, "complete -c %s %s %s%s -d %s\n", s.Name, top, fishFlag(f), fishValue(f, fn), fq(f.Usage))
	}
	for _, c := range s.Commands {
		names := strings.Join(commandNames(c), " ")
		b.WriteString("\n")
		cond := fmt.Sprintf("-n '%s_using %s'", fn, names)
		for _, f := range withHelp(c.Flags) {
			fmt.Fprintf(&b, "complete -c %s %s %s%s -d %s\n", s.Name, cond, fishFlag(f), fishValue(f, fn), fq(f.Usage))
		}
		switch c.Arg {
		case ArgAction:
			fmt.Fprintf(&b, "complete -c %s -n '%s_arg 0 %s' -a '(%s_actions)'\n", s.Name, fn, names, fn)
		case ArgListAction:
			fmt.Fprintf(&b, "complete -c %s -n '%s_arg 0 %s' -a '(%s_list_actions)'\n", s.Name, fn, names, fn)
		case ArgHosts:
			fmt.Fprintf(&b, "complete -c %s %s -a '(__fish_print_hostnames)'\n", s.Name, cond)
		case ArgChoice:
			fmt.Fprintf(&b, "complete -c %s -n '%s_arg 0 %s' -a %s\n", s.Name, fn, names, fq(strings.Join(c.Choices, " ")))
		}
	}
	return b.String()
}

// withHelp returns flags with --help/-h added when they lack it (every
// command of urfave/cli has it).
func withHelp(flags []Flag) []Flag {
	for _, f := range flags {
		if contains(f.Names, "help") {
			return flags
		}
	}
	return append(append([]Flag(nil), flags...), Flag{Names: []string{"help", "h"}, Usage: "show help"})
}

// wrapCont is wrapWords with a shell line continuation (" \\") at the end
// of every line but the last.
func wrapCont(words []string, indent string, width int) string {
	return strings.ReplaceAll(wrapWords(words, indent, width), "\n", " \\\n")
}
