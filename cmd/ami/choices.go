package main

import (
	"strings"

	"github.com/urfave/cli/v2"
)

// choiceFlag returns f as a flag that accepts only choices (compared
// case-insensitively). The list is the one that the completion scripts
// offer (completionSpec) and that choiceValue checks, so what the shells
// suggest for a command is what it accepts; f's Usage should name every
// choice (TestChoiceFlags checks both).
func choiceFlag(f *cli.StringFlag, choices ...string) cli.Flag {
	return &stringFlag{StringFlag: f, names: flagNames(f.Name, f.Aliases), choices: choices}
}

// flagChoices returns the choices of the flag named name among flags, nil
// when there is no such choice flag.
func flagChoices(flags []cli.Flag, name string) []string {
	for _, f := range flags {
		if sf, ok := f.(*stringFlag); ok && sf.Name == name {
			return sf.choices
		}
	}
	return nil
}

// choiceValue returns the value of the choice flag name of c's command
// (or of the app, for a flag given before the command), lower-cased, or a
// usage error naming the flag and what it accepts.
func choiceValue(c *cli.Context, name string) (string, error) {
	var choices []string
	if c.Command != nil {
		choices = flagChoices(c.Command.Flags, name)
	}
	if choices == nil && c.App != nil {
		choices = flagChoices(c.App.Flags, name)
	}
	v := flagString(c, name)
	for _, ch := range choices {
		if strings.EqualFold(v, ch) {
			return ch, nil
		}
	}
	return "", usageError("%s %q: want %s", flagSpelling(c, name), v, orList(choices))
}

// flagSpelling returns how messages name flag name: "-o" when it has a
// one-letter alias, else "--name".
func flagSpelling(c *cli.Context, name string) string {
	var flags []cli.Flag
	if c.Command != nil {
		flags = c.Command.Flags
	}
	for _, f := range flags {
		names := f.Names()
		if names[0] != name {
			continue
		}
		for _, n := range names[1:] {
			if len(n) == 1 {
				return "-" + n
			}
		}
	}
	return "--" + name
}

// orList joins words as "a, b or c".
func orList(words []string) string {
	switch len(words) {
	case 0:
		return "nothing"
	case 1:
		return words[0]
	}
	return strings.Join(words[:len(words)-1], ", ") + " or " + words[len(words)-1]
}
