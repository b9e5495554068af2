package main

import (
	"errors"
	"fmt"
	"unsafe"

	"github.com/urfave/cli/v2"

	"github.com/ami-cli/ami/amiwire"
	"github.com/ami-cli/ami/cmd/ami/internal/size"
)

// defaultBuffer is the default of --buffer, for listen, list and send.
const defaultBuffer = "64MiB"

// bufferFlag is --buffer, with usage saying what the command holds.
func bufferFlag(usage string) cli.Flag {
	return &cli.StringFlag{Name: "buffer", Value: defaultBuffer, Category: "Flow", Usage: usage}
}

// bufferOf parses --buffer.
func bufferOf(c *cli.Context) (int, error) {
	n, err := size.Parse(c.String("buffer"))
	if err != nil {
		return 0, usageError("--buffer: %v", err)
	}
	return n, nil
}

// heldSize is about what a cloned packet keeps alive while it is held:
// its bytes (Raw, where Clone leaves the strings of its fields, or those
// strings when there is no Raw), its Fields and the Packet itself.
func heldSize(p amiwire.Packet) int {
	n := int(unsafe.Sizeof(p)) + len(p.Fields)*fieldSize
	if p.Raw != nil {
		return n + len(p.Raw)
	}
	for _, f := range p.Fields {
		n += len(f.Key) + len(f.Value)
	}
	return n
}

// fieldSize is the memory of one amiwire.Field.
const fieldSize = int(unsafe.Sizeof(amiwire.Field{}))

// tableRowSize is what a row of -o table holds: the cloned packet of
// its fields and the table's own copy of their slice, with its header.
func tableRowSize(p amiwire.Packet) int {
	return heldSize(p) + len(p.Fields)*fieldSize + tableRowHeader
}

// tableRowHeader is what the table writer adds per row besides the copy of
// the fields: a timestamp string and the slice.
const tableRowHeader = 40

// errHeld is a list that had to hold more than --buffer on this side (the
// rows of -o table, the items of --all): nothing to do with the server.
type errHeld struct {
	what  string // "-o table holds every row to align the columns"
	hint  string // what to do instead
	limit int
	items int
}

func (e *errHeld) Error() string {
	return fmt.Sprintf("%s, and after %d items they passed --buffer %s; %s", e.what, e.items, size.Format(e.limit), e.hint)
}

// overflowText explains, for a command, the end of a connection because
// the items of a list came faster than stdout took them until they held
// --buffer (amiwire.ErrOverflow).
func overflowText(err error, limit int) (string, bool) {
	ile := overflowed(err)
	if ile == nil {
		return "", false
	}
	return fmt.Sprintf("stdout took the items more slowly than they came, and after %d items those waiting passed --buffer %s; gave up rather than hold more (raise --buffer, or read the output faster)",
		ile.Received, size.Format(limit)), true
}

// overflowed returns the list whose items, taken too slowly, ended the
// connection (amiwire.ErrOverflow) when err comes of that, or nil. Another
// list cut short by the same end wraps that list's error in its own: the
// innermost is the one.
func overflowed(err error) *amiwire.IncompleteListError {
	if !errors.Is(err, amiwire.ErrOverflow) {
		return nil
	}
	var found *amiwire.IncompleteListError
	for i := 0; i < 8; i++ { // bounded: a chain is one or two lists deep
		var ile *amiwire.IncompleteListError
		if !errors.As(err, &ile) {
			break
		}
		found, err = ile, ile.Err
	}
	return found
}
