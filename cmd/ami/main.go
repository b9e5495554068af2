// Command ami speaks the Asterisk Manager Interface for shell users: it sends
// actions from arguments or stdin, prints responses, list items and live
// events as text, JSON lines, raw AMI or tables, and exits with codes a
// shell `if` can trust.
package main

import (
	"context"
	"os"
)

func main() { os.Exit(run(context.Background(), os.Args, os.Stdin, os.Stdout, os.Stderr)) }
