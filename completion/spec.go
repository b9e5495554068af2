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
		for _, f := range flags {
			if len(f.Names) == 0 {
				return fmt.Errorf("completion: %s: flag without a name", where)
			}
			for _, n := range f.Names {
				if !isName(n) {
					return fmt.Errorf("completion: %s: bad flag name %q", where, n)
				}
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

// valueGroup is a set of flag spellings that complete their value the same
// way.
type valueGroup struct {
	spellings []string
	kind      ValueKind
	choices   []string
}

// valueGroups merges the value-taking flags by spelling: the same flag in
// several commands completes the union of its choices.
func (s Spec) valueGroups() []valueGroup {
	var groups []valueGroup
	index := map[string]int{} // first spelling -> group
	for _, f := range s.allFlags() {
		if f.Value == ValueNone || f.Value == ValueAny {
			continue
		}
		key := flagSpelling(f.Names[0])
		i, ok := index[key]
		if !ok {
			var sp []string
			for _, n := range f.Names {
				sp = append(sp, flagSpelling(n))
			}
			groups = append(groups, valueGroup{spellings: sp, kind: f.Value})
			i = len(groups) - 1
			index[key] = i
		}
		for _, c := range f.Choices {
			if !contains(groups[i].choices, c) {
				groups[i].choices = append(groups[i].choices, c)
			}
		}
	}
	return groups
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
