package completion

import (
	"fmt"
	"strings"
)

// ValueKind says what a flag's value is, so that a script can suggest values.
type ValueKind int

// Value kinds of a Flag.
const (
	ValueNone    ValueKind = iota // a boolean flag: no value
	ValueAny                      // free text: nothing to suggest
	ValueFile                     // a file name
	ValueHost                     // a host name
	ValueChoice                   // one of Flag.Choices
	ValueAction                   // an AMI action name from the catalogue
	ValueEvent                    // an AMI event name from the catalogue
	ValueClasses                  // a comma-separated list of event classes
	ValueDynamic                  // one of the lines the program prints when run with Flag.Dynamic
)

// ArgKind says what a command's positional arguments are.
type ArgKind int

// Argument kinds of a Command.
const (
	ArgNone       ArgKind = iota // nothing to suggest
	ArgAction                    // first argument: any AMI action; then Key=Value
	ArgListAction                // first argument: a list-producing action; then Key=Value
	ArgHosts                     // every argument: a host name
	ArgChoice                    // first argument: one of Command.Choices
)

// Flag describes one flag for completion.
type Flag struct {
	// Names as urfave/cli spells them: "host", "H" (one letter = short).
	Names []string
	// Usage is the one-line help text.
	Usage string
	// Value is the kind of value the flag takes; ValueNone for a boolean.
	Value ValueKind
	// Choices are the accepted values for ValueChoice.
	Choices []string
	// Repeatable is true for a flag that may be given several times.
	Repeatable bool
	// Dynamic are the arguments that make the program print the values
	// of a ValueDynamic flag, one a line (["completion", "profiles"]).
	// The scripts run the program as the user typed its name, with
	// stderr discarded.
	Dynamic []string
}

// Command describes one subcommand for completion.
type Command struct {
	Name    string
	Aliases []string
	Usage   string
	Flags   []Flag
	Arg     ArgKind
	// Choices are the accepted first arguments for ArgChoice.
	Choices []string
}

// Spec describes a whole command line for Generate: the program, its
// top-level flags and its subcommands.
type Spec struct {
	Name     string
	Flags    []Flag
	Commands []Command
}

// isName reports whether s is a plain name ([A-Za-z0-9][A-Za-z0-9_-]*), and
// isChoice whether it is a plain choice ([A-Za-z0-9_.:+-]+). They are loops,
// not regexps: package-level regexps are compiled as every run of ami
// starts, whatever the command (0.15 ms of `ami send Ping`).
func isName(s string) bool {
	return s != "" && isAlnum(s[0]) && strings.Trim(s, nameChars) == ""
}

func isChoice(s string) bool { return s != "" && strings.Trim(s, choiceChars) == "" }

const (
	alnumChars  = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
	nameChars   = alnumChars + "_-"
	choiceChars = alnumChars + "_.:+-"
)

func isAlnum(c byte) bool { return strings.IndexByte(alnumChars, c) >= 0 }

// validate checks that every name a script embeds unquoted is a plain word,
// and that no flag takes a value in one place and none in another.
func (s Spec) validate() error {
	if !isName(s.Name) {
		return fmt.Errorf("completion: bad program name %q", s.Name)
	}
	value := map[string]bool{}
	checkFlags := func(where string, flags []Flag) error {
		here := map[string]bool{}
		for _, f := range flags {
			if len(f.Names) == 0 {
				return fmt.Errorf("completion: %s: flag without a name", where)
			}
			for _, n := range f.Names {
				if !isName(n) {
					return fmt.Errorf("completion: %s: bad flag name %q", where, n)
				}
				if here[n] {
					return fmt.Errorf("completion: %s: flag %q twice", where, n)
				}
				here[n] = true
				takes := f.Value != ValueNone
				if prev, ok := value[n]; ok && prev != takes {
					return fmt.Errorf("completion: flag %q takes a value in one command and none in another", n)
				}
				value[n] = takes
			}
			for _, c := range f.Choices {
				if !isChoice(c) {
					return fmt.Errorf("completion: %s: flag %q: bad choice %q", where, f.Names[0], c)
				}
			}
			if (f.Value == ValueChoice) != (len(f.Choices) > 0) {
				return fmt.Errorf("completion: %s: flag %q: choices without ValueChoice or the other way round", where, f.Names[0])
			}
			if (f.Value == ValueDynamic) != (len(f.Dynamic) > 0) {
				return fmt.Errorf("completion: %s: flag %q: Dynamic without ValueDynamic or the other way round", where, f.Names[0])
			}
			for _, a := range f.Dynamic {
				if !isName(a) {
					return fmt.Errorf("completion: %s: flag %q: bad argument %q", where, f.Names[0], a)
				}
			}
		}
		return nil
	}
	if err := checkFlags("top level", s.Flags); err != nil {
		return err
	}
	for _, c := range s.Commands {
		for _, n := range append([]string{c.Name}, c.Aliases...) {
			if !isName(n) {
				return fmt.Errorf("completion: bad command name %q", n)
			}
		}
		for _, ch := range c.Choices {
			if !isChoice(ch) {
				return fmt.Errorf("completion: command %q: bad choice %q", c.Name, ch)
			}
		}
		if err := checkFlags("command "+c.Name, c.Flags); err != nil {
			return err
		}
	}
	return nil
}

// flagSpelling returns "--name" for a long name and "-n" for a short one.
func flagSpelling(name string) string {
	if len(name) == 1 {
		return "-" + name
	}
	return "--" + name
}

// allFlags returns every flag of the spec, top level first.
func (s Spec) allFlags() []Flag {
	out := append([]Flag(nil), s.Flags...)
	for _, c := range s.Commands {
		out = append(out, c.Flags...)
	}
	return out
}

// valueFlags returns the spellings of every flag that takes a value, in
// first-seen order, without duplicates.
func (s Spec) valueFlags() []string {
	var out []string
	seen := map[string]bool{}
	for _, f := range s.allFlags() {
		if f.Value == ValueNone {
			continue
		}
		for _, n := range f.Names {
			sp := flagSpelling(n)
			if !seen[sp] {
				seen[sp] = true
				out = append(out, sp)
			}
		}
	}
	return out
}

// valueCase is how one flag's value is completed in some commands.
type valueCase struct {
	commands []string // names and aliases; "" is the top level
	flag     Flag
}

// flagValues are the ways one flag's value is completed, by command.
type flagValues struct {
	spellings []string
	cases     []valueCase
}

// sameValues reports whether a and b complete their values the same way.
func sameValues(a, b Flag) bool {
	return a.Value == b.Value && strings.Join(a.Choices, " ") == strings.Join(b.Choices, " ") &&
		strings.Join(a.Dynamic, " ") == strings.Join(b.Dynamic, " ")
}

// flagValues returns, for every flag with values to suggest (in first-seen
// order, by its first name), the commands grouped by how they complete it.
// A flag means one thing per command: list's -o offers table, send's does
// not.
func (s Spec) flagValues() []flagValues {
	var out []flagValues
	add := func(names []string, f Flag) {
		if f.Value == ValueNone || f.Value == ValueAny {
			return
		}
		i := 0
		for i < len(out) && out[i].spellings[0] != flagSpelling(f.Names[0]) {
			i++
		}
		if i == len(out) {
			var sp []string
			for _, n := range f.Names {
				sp = append(sp, flagSpelling(n))
			}
			out = append(out, flagValues{spellings: sp})
		}
		fv := &out[i]
		for j := range fv.cases {
			if sameValues(fv.cases[j].flag, f) {
				fv.cases[j].commands = append(fv.cases[j].commands, names...)
				return
			}
		}
		fv.cases = append(fv.cases, valueCase{commands: append([]string(nil), names...), flag: f})
	}
	for _, f := range s.Flags {
		add([]string{""}, f)
	}
	for _, c := range s.Commands {
		for _, f := range c.Flags {
			add(commandNames(c), f)
		}
	}
	return out
}

// dynamicFlags returns the ValueDynamic flags, one per first name.
func (s Spec) dynamicFlags() []Flag {
	var out []Flag
	for _, fv := range s.flagValues() {
		for _, c := range fv.cases {
			if c.flag.Value == ValueDynamic {
				out = append(out, c.flag)
				break
			}
		}
	}
	return out
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
