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
		Description: `Prints a completion script. It completes the commands, their flags, AMI
action names for send and list (a built-in catalogue of Asterisk 22's
actions), event names for --event and class names for --classes.

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
	case "secret-file", "tls-ca", "replay":
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

// manExtra is appended to the man page's DESCRIPTION.
const manExtra = `

# EXIT STATUS

` + "```" + `
%s
` + "```" + `

# ENVIRONMENT

**AMI_HOST**, **AMI_PORT**, **AMI_USERNAME**: where to connect and as whom (like --host, --port, --user).

**AMI_SECRET**: the secret. **AMI_SECRET_FILE**: a file holding it (others may not read it; the group may).

**AMI_PROFILE**: a section of the configuration file (like --profile).

An empty variable counts as unset. **NO_COLOR**: when set, --color auto never colours.

# PRECEDENCE

Each connection setting comes from the first of: the command line (a flag after the command, then one before it, then --url); the profile named by --profile, or else by $AMI\_PROFILE; the AMI\_\* variables; the defaults (127.0.0.1, port 5038, or 5039 with --tls). An explicit choice beats the environment: AMI_PORT=16012 ami --profile pbx1 send Ping uses the profile's port.

A profile's secret (secret or secret_file) is sent only to the host and port the profile names (127.0.0.1 and the default port when it names none). Pointed elsewhere, as in ami --profile pbx1 -H other, ami uses the profile's user and TLS settings, says on stderr that the profile's secret stays home, and takes the secret from --secret-file, --secret, $AMI_SECRET or $AMI_SECRET_FILE, or asks for it. With --mock the simulator's account admin/admin stands in for the profile's and the environment's.

# FILES

**$XDG_CONFIG_HOME/ami/config** (default ~/.config/ami/config): named profiles, [name] sections of key = value lines (host, port, username, secret or secret_file, tls, tls_fingerprint, auth). As in Asterisk's .conf files, ; starts a comment, also after a value (username = admin ; the admin); write \\; for a ; that belongs to the value, or quote the value ("a;b" or 'a;b'), which takes everything between the quotes as it is. A config file that holds a secret or names a secret file, and a secret file, are refused when others can read or write them (the group may read them: mode 0640, owner root, group nagios, is fine); an empty secret is refused.

# SEE ALSO

asterisk(8), manager.conf of Asterisk; ami completion bash|zsh|fish; ami mock.
`

// manPage renders ami(1) from a fresh app, so the page cannot drift from
// the flags: urfave/cli's man output, with each command's description and
// examples, the exit status, environment and files added.
func manPage() (string, error) {
	app := buildApp(strings.NewReader(""), io.Discard, io.Discard)
	// Leave out urfave/cli's help command: it is one global object shared
	// by every app in the process, which in-process runs may have mutated.
	app.HideHelpCommand = true
	app.Setup()
	app.Commands = withoutHelp(app.Commands)
	app.Description += fmt.Sprintf(manExtra, strings.TrimPrefix(exitCodesHelp, "EXIT CODES:\n"))
	for _, cmd := range app.Commands {
		if cmd.Hidden || cmd.Description == "" {
			continue
		}
		cmd.UsageText = strings.TrimSpace(cmd.UsageText) + "\n\n" + strings.TrimSpace(cmd.Description)
	}
	page, err := renderMan(app)
	if err != nil {
		return "", fmt.Errorf("man page: %w", err)
	}
	return page, nil
}

// withoutHelp returns cmds without help commands, recursively, copying
// what it changes.
func withoutHelp(cmds []*cli.Command) []*cli.Command {
	var out []*cli.Command
	for _, c := range cmds {
		if c.Name == "help" {
			continue
		}
		if len(c.Subcommands) > 0 {
			cc := *c
			cc.Subcommands = withoutHelp(c.Subcommands)
			c = &cc
		}
		out = append(out, c)
	}
	return out
}
