package main

import (
	"io"
	"os"
	"strings"

	"github.com/urfave/cli/v2"

	"github.com/ami-cli/ami/format"
)

// Output format names accepted by -o.
const (
	fmtText  = "text"
	fmtJSON  = "json"
	fmtRaw   = "raw"
	fmtTable = "table"
)

// outputFlags returns -o/--output and --color. withTable adds the table
// format (only list accepts it).
func outputFlags(withTable bool) []cli.Flag {
	formats := []string{fmtText, fmtJSON, fmtRaw}
	if withTable {
		formats = append(formats, fmtTable)
	}
	return []cli.Flag{
		choiceFlag(&cli.StringFlag{Name: "output", Aliases: []string{"o"}, Value: fmtText, Category: "Output",
			Usage: "output `FORMAT`: " + orList(formats)}, formats...),
		choiceFlag(&cli.StringFlag{Name: "color", Value: "auto", Category: "Output",
			Usage: "`WHEN` to colour keys in text output: auto (only on a terminal, not with $NO_COLOR), always or never"},
			"auto", "always", "never"),
	}
}

// outputName returns the -o value, checked against what the command
// accepts.
func outputName(c *cli.Context) (string, error) {
	name, err := choiceValue(c, "output")
	if err != nil && strings.EqualFold(c.String("output"), fmtTable) {
		return "", usageError("-o table is only for list; use %s", orList(flagChoices(c.Command.Flags, "output")))
	}
	return name, err
}

// useColor decides --color: always, never, or auto (stdout is a terminal
// and $NO_COLOR is empty).
func useColor(c *cli.Context, stdout io.Writer) (bool, error) {
	when, err := choiceValue(c, "color")
	if err != nil {
		return false, err
	}
	switch when {
	case "always":
		return true, nil
	case "never":
		return false, nil
	}
	if os.Getenv("NO_COLOR") != "" {
		return false, nil
	}
	return onTerminal(stdout), nil
}

// onTerminal reports whether w is a terminal.
func onTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	return ok && isTerminal(f)
}

// newOutput returns the format.Writer for -o, --color and (when the
// command has it) --fields, writing to stdout.
func newOutput(c *cli.Context, stdout io.Writer) (format.Writer, error) {
	return newOutputHiding(c, stdout, nil)
}

// newOutputHiding is newOutput whose table leaves out the keys in hide
// (see format.Options.Hide).
func newOutputHiding(c *cli.Context, stdout io.Writer, hide []string) (format.Writer, error) {
	name, err := outputName(c)
	if err != nil {
		return nil, err
	}
	return newOutputAs(c, name, stdout, stdout, hide)
}

// newOutputAs returns the writer of format name writing to w. Colour and
// escaping follow term, where the bytes end up: with several hosts w is a
// host's buffer, which is no terminal even when stdout is one.
func newOutputAs(c *cli.Context, name string, term, w io.Writer, hide []string) (format.Writer, error) {
	color, err := useColor(c, term)
	if err != nil {
		return nil, err
	}
	// On a terminal, bytes from the server are shown escaped rather than
	// acted on; pipes and files get them exactly.
	opts := format.Options{Color: color, Fields: fieldsOf(c), Hide: hide, Escape: onTerminal(term)}
	out, err := format.New(name, w, opts)
	if err != nil {
		return nil, usageError("%v", err)
	}
	return out, nil
}

// fieldsOf returns --fields split on commas, nil when the command has no
// such flag or it is empty.
func fieldsOf(c *cli.Context) []string {
	var out []string
	for _, v := range c.StringSlice("fields") {
		for _, f := range strings.Split(v, ",") {
			if f = strings.TrimSpace(f); f != "" {
				out = append(out, f)
			}
		}
	}
	return out
}
