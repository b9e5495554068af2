package main

import (
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/urfave/cli/v2"

	"github.com/ami-cli/ami/cmd/ami/internal/profile"
	"github.com/ami-cli/ami/completion"
)

func completionCommand() *cli.Command {
	var subs []*cli.Command
	for _, sh := range completion.Shells() {
		subs = append(subs, shellCommand(sh))
	}
	subs = append(subs, profilesCommand(), &cli.Command{
		Name:            "man",
		Hidden:          true,
		HideHelpCommand: true,
		Usage:           "print the man page ami(1), generated from the command definitions",
		Action: func(c *cli.Context) error {
			page, err := manPage()
			if err != nil {
				return err
			}
			_, err = io.WriteString(c.App.Writer, page)
			return err
		},
	})
	return &cli.Command{
		Name:      "completion",
		Usage:     "print the shell completion script for bash, zsh or fish",
		UsageText: "ami completion bash|zsh|fish",
		Description: `Prints a completion script. It completes the commands, their flags and
the values each command accepts, AMI action names for send and list (a
built-in catalogue of Asterisk 22's actions), event names for --event, class
names for --classes and profile names for --profile (from the config file,
by running "ami completion profiles").

The catalogue also holds the actions of chan_sip, chan_skinny and
res_monitor (SIPpeers, SKINNYdevices, Monitor, ...), which Asterisk 21
removed, for older servers; zsh and fish show "removed in Asterisk 21"
beside them, bash cannot show descriptions.

EXAMPLES:
   # bash, for the current shell, or for good:
   source <(ami completion bash)
   ami completion bash > ~/.local/share/bash-completion/completions/ami

   # zsh (a directory in $fpath) and fish:
   ami completion zsh > "${fpath[1]}/_ami"
   ami completion fish > ~/.config/fish/completions/ami.fish`,
		Subcommands: subs,
		// urfave/cli would add its shared global help command under
		// these subcommands, and setting that up mutates it into a cycle;
		// --help still works.
		HideHelpCommand: true,
		Action: func(c *cli.Context) error {
			if c.NArg() == 0 {
				return usageError("completion: name a shell: %s", strings.Join(completion.Shells(), ", "))
			}
			return usageError("completion: unknown shell %q (want %s)", c.Args().First(), strings.Join(completion.Shells(), ", "))
		},
	}
}

// shellCommand is `ami completion SHELL`.
func shellCommand(shell string) *cli.Command {
	install := map[string]string{
		"bash": "   source <(ami completion bash)\n   ami completion bash > /usr/share/bash-completion/completions/ami",
		"zsh":  "   source <(ami completion zsh)        # after compinit\n   ami completion zsh > \"${fpath[1]}/_ami\"",
		"fish": "   ami completion fish | source\n   ami completion fish > ~/.config/fish/completions/ami.fish",
	}[shell]
	return &cli.Command{
		Name:        shell,
		Usage:       "print the " + shell + " completion script",
		UsageText:   "ami completion " + shell,
		Description: "Prints the " + shell + " completion script of ami on stdout.\n\nEXAMPLES:\n" + install,
		Action: func(c *cli.Context) error {
			if c.NArg() > 0 {
				return usageError("completion %s: unexpected argument %q", shell, c.Args().First())
			}
			s, err := completion.Script(shell)
			if err != nil {
				return err
			}
			_, err = io.WriteString(c.App.Writer, s)
			return err
		},
	}
}

// completionSpec describes app for completion.Generate: its visible
// commands and flags, with what each flag's value and each command's
// arguments are. The values of a choice flag are its own list
// (choiceFlag), per command: list's -o offers table, send's does not.
func completionSpec(app *cli.App) completion.Spec {
	flags := append(append([]cli.Flag(nil), app.VisibleFlags()...), cli.VersionFlag)
	spec := completion.Spec{Name: app.Name, Flags: specFlags(flags)}
	var names []string
	for _, cmd := range app.VisibleCommands() {
		if cmd.Name == "help" {
			continue
		}
		names = append(names, cmd.Name)
		sc := completion.Command{
			Name:    cmd.Name,
			Aliases: cmd.Aliases,
			Usage:   cmd.Usage,
			Flags:   specFlags(cmd.VisibleFlags()),
		}
		switch cmd.Name {
		case "send":
			sc.Arg = completion.ArgAction
		case "list":
			sc.Arg = completion.ArgListAction
		case "login-check":
			sc.Arg = completion.ArgHosts
		case "completion":
			sc.Arg = completion.ArgChoice
			sc.Choices = completion.Shells()
		}
		spec.Commands = append(spec.Commands, sc)
	}
	// urfave/cli's help command (added as the app starts): ami help COMMAND.
	spec.Commands = append(spec.Commands, completion.Command{
		Name: "help", Aliases: []string{"h"}, Usage: "show the help of a command",
		Arg: completion.ArgChoice, Choices: names,
	})
	return spec
}

// specFlags converts flags for completion.
func specFlags(flags []cli.Flag) []completion.Flag {
	var out []completion.Flag
	for _, f := range flags {
		df, ok := f.(cli.DocGenerationFlag)
		if !ok {
			continue
		}
		sf := completion.Flag{Names: f.Names(), Usage: strings.ReplaceAll(df.GetUsage(), "`", "")}
		if df.TakesValue() {
			sf.Value = flagValue(f.Names()[0])
			if sf.Choices = flagChoices([]cli.Flag{f}, f.Names()[0]); sf.Choices != nil {
				sf.Value = completion.ValueChoice
			}
			if sf.Value == completion.ValueDynamic {
				sf.Dynamic = []string{"completion", "profiles"}
			}
		}
		switch v := f.(type) {
		case *cli.StringSliceFlag:
			sf.Repeatable = true
		case *cli.GenericFlag:
			_, sf.Repeatable = v.Value.(*multiString)
		}
		out = append(out, sf)
	}
	return out
}

// flagValue says what the value of the flag called name is, for the flags
// that are not choice flags.
func flagValue(name string) completion.ValueKind {
	switch name {
	case "host":
		return completion.ValueHost
	case "secret-file", "tls-ca", "replay", "hosts-file":
		return completion.ValueFile
	case "event":
		return completion.ValueEvent
	case "classes":
		return completion.ValueClasses
	case "action":
		return completion.ValueAction
	case "profile":
		return completion.ValueDynamic
	}
	return completion.ValueAny
}

// profilesCommand is `ami completion profiles`, which the completion
// scripts run for --profile: the section names of the config file, one a
// line; nothing (and exit 0) when there is no config file or it does not
// parse, so that completion stays quiet.
func profilesCommand() *cli.Command {
	return &cli.Command{
		Name:            "profiles",
		Hidden:          true,
		HideHelpCommand: true,
		Usage:           "print the profile names of the config file (for the completion scripts)",
		Action: func(c *cli.Context) error {
			path, err := profile.DefaultPath()
			if err != nil {
				return nil
			}
			f, err := os.Open(path)
			if err != nil {
				return nil
			}
			defer f.Close()
			profiles, err := profile.Parse(io.LimitReader(f, profile.MaxFileSize), path)
			if err != nil {
				return nil
			}
			for _, p := range profiles {
				if _, err := fmt.Fprintln(c.App.Writer, p.Name); err != nil {
					return err
				}
			}
			return nil
		},
	}
}
