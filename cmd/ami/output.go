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
// format to the usage text (only list accepts it).
func outputFlags(withTable bool) []cli.Flag {
	formats := "text, json or raw"
	if withTable {
		formats = "text, json, raw or table"
	}
	return withNames([]cli.Flag{
		&cli.StringFlag{Name: "output", Aliases: []string{"o"}, Value: fmtText, Category: "Output",
			Usage: "output `FORMAT`: " + formats},
		&cli.StringFlag{Name: "color", Value: "auto", Category: "Output",
			Usage: "colour keys in text output: auto (only on a terminal, not with $NO_COLOR), always or never"},
	})
}

// outputName returns the -o value, checked against what the command
// accepts: table only for list.
func outputName(c *cli.Context) (string, error) {
	name := strings.ToLower(c.String("output"))
	switch name {
	case fmtText, fmtJSON, fmtRaw:
		return name, nil
	case fmtTable:
		if c.Command != nil && c.Command.Name == "list" {
			return name, nil
		}
		return "", usageError("-o table is only for list; use text, json or raw")
	}
	return "", usageError("-o %q: want text, json, raw or table", c.String("output"))
}

// useColor decides --color: always, never, or auto (stdout is a terminal
// and $NO_COLOR is empty).
func useColor(c *cli.Context, stdout io.Writer) (bool, error) {
	switch strings.ToLower(c.String("color")) {
	case "always":
		return true, nil
	case "never":
		return false, nil
	case "auto", "":
		if os.Getenv("NO_COLOR") != "" {
			return false, nil
		}
		return onTerminal(stdout), nil
	}
	return false, usageError("--color %q: want auto, always or never", c.String("color"))
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
	color, err := useColor(c, stdout)
	if err != nil {
		return nil, err
	}
	// On a terminal, bytes from the server are shown escaped rather than
	// acted on; pipes and files get them exactly.
	opts := format.Options{Color: color, Fields: fieldsOf(c), Hide: hide, Escape: onTerminal(stdout)}
	w, err := format.New(name, stdout, opts)
	if err != nil {
		return nil, usageError("%v", err)
	}
	return w, nil
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
