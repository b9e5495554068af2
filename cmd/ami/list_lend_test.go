package main

import (
	"strconv"
	"strings"
	"testing"

	"github.com/ami-cli/ami/amiwire"
	"github.com/ami-cli/ami/amiwire/amitest"
)

// TestListHeldItemsIntact: Stream lends each item only until its callback
// returns, and the memory is reused for later input; what list holds (a
// table's rows, the items of --all) must be copies. 3,000 items of ~300
// bytes span many reused chunks.
func TestListHeldItemsIntact(t *testing.T) {
	const n = 3000
	filler := strings.Repeat("x", 250)
	srv := newServer(t, amitest.Options{})
	srv.Handle("Many", func(s *amitest.Session, a amiwire.Packet) {
		lw := s.StartList(a, "Result will follow")
		for i := range n {
			if lw.Item(amiwire.Packet{Fields: []amiwire.Field{{Key: "Event", Value: "ManyItem"},
				{Key: "Seq", Value: strconv.Itoa(i)}, {Key: "Filler", Value: filler}}}) != nil {
				return
			}
		}
		lw.Complete("ManyComplete")
	})
	t.Run("table", func(t *testing.T) {
		r := amiRun(t, "", with(t, srv, "list", "-o", "table", "--fields", "Seq,Event", "Many")...)
		r.want(t, 0)
		lines := strings.Split(strings.TrimRight(r.stdout, "\n"), "\n")
		if len(lines) != n+1 {
			t.Fatalf("%d lines, want %d", len(lines), n+1)
		}
		for i, l := range lines[1:] {
			if f := strings.Fields(l); len(f) != 2 || f[0] != strconv.Itoa(i) || f[1] != "ManyItem" {
				t.Fatalf("row %d = %q", i, l)
			}
		}
	})
	t.Run("all", func(t *testing.T) {
		r := amiRun(t, "", with(t, srv, "list", "--all", "-o", "text", "Many")...)
		r.want(t, 0)
		packets := strings.Split(strings.TrimRight(r.stdout, "\n"), "\n\n")
		if len(packets) != n+2 {
			t.Fatalf("%d packets, want %d", len(packets), n+2)
		}
		for i, p := range packets[1 : n+1] {
			if !strings.HasPrefix(p, "Event: ManyItem\n") || !strings.Contains(p, "\nSeq: "+strconv.Itoa(i)+"\nFiller: "+filler) {
				t.Fatalf("item %d = %q", i, p)
			}
		}
	})
}
