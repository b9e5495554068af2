package main

import (
	"bytes"
	"context"
	"encoding/json"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/ami-cli/ami/amiwire"
	"github.com/ami-cli/ami/amiwire/amisim"
	"github.com/ami-cli/ami/amiwire/amitest"
	"github.com/ami-cli/ami/format"
)

func TestListGolden(t *testing.T) {
	srv := newServer(t, amitest.Options{})
	tests := []struct {
		golden string
		args   []string
	}{
		{"list.text", []string{"list", "Three", "ActionID=l1"}},
		{"list.json", []string{"list", "Three", "ActionID=l1", "-o", "json"}},
		{"list.raw", []string{"list", "Three", "ActionID=l1", "-o", "raw"}},
		{"list.table", []string{"list", "Three", "ActionID=l1", "-o", "table"}},
		{"list-default.table", []string{"list", "Three", "-o", "table"}},
		{"list-fields.table", []string{"list", "-o", "table", "--fields", "Channel,Duration", "Three", "ActionID=l1"}},
		{"list-fields.json", []string{"list", "Three", "ActionID=l1", "-o", "json", "--fields", "Duration", "--fields", "Channel"}},
		{"list-fields.text", []string{"list", "Three", "ActionID=l1", "-f", "State,Channel"}},
		{"list-all.text", []string{"list", "--all", "Three", "ActionID=l1"}},
		{"list-all.json", []string{"list", "-a", "-o", "json", "Three", "ActionID=l1"}},
	}
	for _, tt := range tests {
		t.Run(tt.golden, func(t *testing.T) {
			r := amiRun(t, "", with(t, srv, tt.args...)...)
			r.want(t, 0)
			if r.stderr != "" {
				t.Errorf("stderr: %q", r.stderr)
			}
			goldenCheck(t, tt.golden, r.stdout)
		})
	}
}

func TestListEmpty(t *testing.T) {
	srv := newServer(t, amitest.Options{})
	for _, f := range []string{"text", "json", "raw", "table"} {
		r := amiRun(t, "", with(t, srv, "list", "-o", f, "Empty")...)
		r.want(t, 0)
		if r.stdout != "" || r.stderr != "" {
			t.Errorf("-o %s: stdout %q stderr %q", f, r.stdout, r.stderr)
		}
	}
	// The simulator's CoreShowChannels with no calls.
	r := amiRun(t, "", with(t, srv, "list", "CoreShowChannels")...)
	r.want(t, 0)
	if r.stdout != "" {
		t.Errorf("stdout %q", r.stdout)
	}
}

func TestListIncomplete(t *testing.T) {
	tests := []struct {
		name   string
		faults []amitest.Fault
		action string
		items  int
		stderr string
	}{
		{name: "connection lost", faults: []amitest.Fault{{Kind: amitest.FaultCloseMidList, Action: "Three", Size: 2}}, action: "Three", items: 2,
			stderr: "ami: list Three incomplete: 2 of an unknown number of items arrived (connection lost)\n"},
		{name: "cancelled", action: "Cancel", items: 2,
			stderr: "ami: list Cancel incomplete: 2 of 6 items arrived (cancelled by the server)\n"},
	}
	for _, tt := range tests {
		for _, f := range []string{"text", "json", "table"} {
			t.Run(tt.name+"/"+f, func(t *testing.T) {
				srv := newServer(t, amitest.Options{Faults: tt.faults})
				r := amiRun(t, "", with(t, srv, "list", "-o", f, tt.action)...)
				r.want(t, exitConn)
				if r.stderr != tt.stderr {
					t.Errorf("stderr %q, want %q", r.stderr, tt.stderr)
				}
				if got := strings.Count(r.stdout, "PJSIP/"); got != tt.items {
					t.Errorf("%d items printed, want %d:\n%s", got, tt.items, r.stdout)
				}
			})
		}
	}
}

func TestListErrorResponse(t *testing.T) {
	srv := newServer(t, amitest.Options{})
	r := amiRun(t, "", with(t, srv, "list", "Fail")...)
	r.want(t, exitActionError, "ami: Fail: No such thing")
	if r.stdout != "" {
		t.Errorf("stdout %q", r.stdout)
	}
	r = amiRun(t, "", with(t, srv, "list", "--all", "Fail")...)
	r.want(t, exitActionError)
	if !strings.Contains(r.stdout, "Response: Error") {
		t.Errorf("--all does not print the error response:\n%s", r.stdout)
	}
}

func TestListUsage(t *testing.T) {
	srv := newServer(t, amitest.Options{})
	amiRun(t, "", with(t, srv, "list")...).want(t, exitUsage, "no ACTION")
	amiRun(t, "", with(t, srv, "list", "Status", "bad")...).want(t, exitUsage, "argument 2")
	if n := len(srv.Requests()); n != 0 {
		t.Fatalf("server received %d actions", n)
	}
}

// TestListSimulator lists the simulator's held calls in each format.
func TestListSimulator(t *testing.T) {
	srv := amitest.NewServer(t, amitest.Options{Users: []amitest.User{{Name: "admin", Secret: testSecret}}})
	if _, err := amisim.New(srv, amisim.Options{Calls: 3}); err != nil {
		t.Fatal(err)
	}
	r := amiRun(t, "", with(t, srv, "list", "CoreShowChannels", "-o", "json")...)
	r.want(t, 0)
	if n := strings.Count(r.stdout, "\n"); n != 6 {
		t.Fatalf("%d json lines, want 6 channels:\n%s", n, r.stdout)
	}
	r = amiRun(t, "", with(t, srv, "list", "Status", "-o", "table", "--fields", "Channel,ChannelStateDesc")...)
	r.want(t, 0)
	if n := strings.Count(r.stdout, "\n"); n != 7 {
		t.Fatalf("%d table lines, want header + 6:\n%s", n, r.stdout)
	}
}

// TestListFieldsMissing: a --fields key that no item has (a typo) is
// named on stderr with the closest key the items have; the list itself is
// printed as asked and exits 0.
func TestListFieldsMissing(t *testing.T) {
	srv := amitest.NewServer(t, amitest.Options{Users: []amitest.User{{Name: "admin", Secret: testSecret}}})
	if _, err := amisim.New(srv, amisim.Options{Calls: 3}); err != nil {
		t.Fatal(err)
	}
	installGoldenHandlers(srv)
	for _, tt := range []struct {
		args   []string
		stderr string
	}{
		{[]string{"list", "Three", "-o", "table", "--fields", "Chanel"},
			"ami: --fields: no item has a field \"Chanel\" (did you mean Channel?)\n"},
		{[]string{"list", "Three", "-o", "json", "--fields", "Channel,Stat,Nothing"},
			"ami: --fields: no item has a field \"Stat\" (did you mean State?)\n" +
				"ami: --fields: no item has a field \"Nothing\"\n"},
		// Status items say ChannelState, not State (Asterisk 22).
		{[]string{"list", "Status", "--fields", "Channel,State"},
			"ami: --fields: no item has a field \"State\" (did you mean ChannelState?)\n"},
		{[]string{"list", "Three", "-o", "table", "--fields", "channel,STATE"}, ""},
		// An empty list has no fields at all: no typo to report.
		{[]string{"list", "Empty", "-o", "table", "--fields", "Chanel"}, ""},
	} {
		r := amiRun(t, "", with(t, srv, tt.args...)...)
		r.want(t, 0)
		if r.stderr != tt.stderr {
			t.Errorf("%q: stderr %q, want %q", tt.args, r.stderr, tt.stderr)
		}
		if tt.args[1] != "Empty" && r.stdout == "" {
			t.Errorf("%q: nothing printed", tt.args)
		}
	}
}

// TestListLarge streams 100,000 items through -o json.
func TestListLarge(t *testing.T) {
	if testing.Short() {
		t.Skip("large list")
	}
	const n = 100_000
	srv := newServer(t, amitest.Options{})
	srv.HandlePerm("Big", "", bigList(n))
	var out countWriter
	ctx := testCtx(t)
	var errOut bytes.Buffer
	code := run(ctx, append([]string{"ami"}, with(t, srv, "list", "-o", "json", "Big")...), strings.NewReader(""), &out, &errOut)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut.String())
	}
	if out.lines != n {
		t.Fatalf("%d lines, want %d", out.lines, n)
	}
}

// countWriter counts lines without keeping them.
type countWriter struct{ lines, bytes int }

func (w *countWriter) Write(b []byte) (int, error) {
	w.lines += bytes.Count(b, []byte("\n"))
	w.bytes += len(b)
	return len(b), nil
}

// TestListInterrupted cancels the run (as SIGINT does) while a list is
// streaming: the output holds complete packets only, Logoff is sent, and
// the exit code is 130.
func TestListInterrupted(t *testing.T) {
	srv := newServer(t, amitest.Options{})
	srv.HandlePerm("Slow", "", func(s *amitest.Session, a amiwire.Packet) {
		// The list never completes; the handler returns so the session
		// goes on reading (and sees the Logoff).
		writeList(s, a, threeItems(a), nil) // hold the list open until the test ends
	})

	ctx, cancel := context.WithTimeout(context.Background(), testTimeout)
	defer cancel()
	out := &cancelWriter{cancel: cancel, after: 3}
	var errOut bytes.Buffer
	code := run(ctx, append([]string{"ami"}, with(t, srv, "list", "-o", "json", "Slow")...), strings.NewReader(""), out, &errOut)
	if code != exitInterrupted {
		t.Fatalf("exit %d, want %d; stderr %s", code, exitInterrupted, errOut.String())
	}
	got := out.String()
	if !strings.HasSuffix(got, "}\n") || strings.Count(got, "\n") != 3 {
		t.Fatalf("output is not 3 complete JSON lines:\n%q", got)
	}
	if !strings.Contains(errOut.String(), "interrupted") {
		t.Errorf("stderr %q", errOut.String())
	}
	wctx := testCtx(t)
	if _, err := srv.WaitAction(wctx, "Logoff"); err != nil {
		t.Fatalf("no Logoff after the interrupt: %v", err)
	}
}

// cancelWriter cancels after it has seen `after` lines.
type cancelWriter struct {
	mu     sync.Mutex
	buf    bytes.Buffer
	cancel func()
	after  int
}

func (w *cancelWriter) Write(b []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.buf.Write(b)
	if strings.Count(w.buf.String(), "\n") >= w.after {
		w.cancel()
	}
	return len(b), nil
}

func (w *cancelWriter) String() string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.buf.String()
}

// TestListBrokenPipe: a closed stdout ends the run quietly with exit 0 and
// the session is logged off.
func TestListBrokenPipe(t *testing.T) {
	srv := newServer(t, amitest.Options{})
	ctx := testCtx(t)
	var errOut bytes.Buffer
	code := run(ctx, append([]string{"ami"}, with(t, srv, "list", "Three")...), strings.NewReader(""), brokenPipeWriter{}, &errOut)
	if code != 0 || errOut.Len() != 0 {
		t.Fatalf("exit %d, stderr %q; want 0 and nothing", code, errOut.String())
	}
	code = run(ctx, append([]string{"ami"}, with(t, srv, "send", "Three")...), strings.NewReader(""), brokenPipeWriter{}, &errOut)
	if code != 0 || errOut.Len() != 0 {
		t.Fatalf("send: exit %d, stderr %q; want 0 and nothing", code, errOut.String())
	}
}

type brokenPipeWriter struct{}

func (brokenPipeWriter) Write([]byte) (int, error) {
	return 0, &errnoWrap{syscall.EPIPE}
}

type errnoWrap struct{ err error }

func (e *errnoWrap) Error() string { return "write /dev/stdout: " + e.err.Error() }
func (e *errnoWrap) Unwrap() error { return e.err }

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

// Replies written by hand in the shapes real servers send (LF line ends;
// the tests serve them with CRLF too). "{ActionID}" becomes the action's
// ActionID.
var oldShapes = map[string]string{
	// chan_iax2's IAXpeers on Asterisk 22.10.1: items without ActionID.
	"IAXpeers": "Response: Success\nActionID: {ActionID}\nEventList: start\nMessage: Peer status list will follow\n\n" +
		"Event: PeerEntry\nChanneltype: IAX2\nObjectName: peer-b\nIPaddress: 127.0.0.1\nStatus: Unmonitored\n\n" +
		"Event: PeerEntry\nChanneltype: IAX2\nObjectName: peer-a\nIPaddress: (null)\nStatus: Unmonitored\n\n" +
		"Event: PeerlistComplete\nActionID: {ActionID}\nEventList: Complete\nListItems: 2\n\n",
	// A list whose items all carry the ActionID.
	"Chans": "Response: Success\nActionID: {ActionID}\nEventList: start\nMessage: Channels will follow\n\n" +
		"Event: CoreShowChannel\nActionID: {ActionID}\nChannel: PJSIP/100-00000001\n\n" +
		"Event: CoreShowChannelsComplete\nActionID: {ActionID}\nEventList: Complete\nListItems: 1\n\n",
	// Items with and without the ActionID in one list.
	"Mixed": "Response: Success\nActionID: {ActionID}\nEventList: start\nMessage: Result will follow\n\n" +
		"Event: Item\nActionID: {ActionID}\nN: 1\n\n" +
		"Event: Item\nN: 2\n\n" +
		"Event: Item\nN: 3\nActionID: {ActionID}\n\n" +
		"Event: ItemsComplete\nActionID: {ActionID}\nEventList: Complete\nListItems: 3\n\n",
	// One item fewer than the completion announces.
	"Short": "Response: Success\nActionID: {ActionID}\nEventList: start\nMessage: Channels will follow\n\n" +
		"Event: CoreShowChannel\nActionID: {ActionID}\nChannel: PJSIP/100-00000001\n\n" +
		"Event: CoreShowChannel\nActionID: {ActionID}\nChannel: PJSIP/200-00000002\n\n" +
		"Event: CoreShowChannelsComplete\nActionID: {ActionID}\nEventList: Complete\nListItems: 3\n\n",
	// Asterisk 11's QueueStatus: no EventList; no ListItems.
	"QueueStatus": "Response: Success\nActionID: {ActionID}\nMessage: Queue status will follow\n\n" +
		"Event: QueueParams\nQueue: support\nStrategy: ringall\nActionID: {ActionID}\n\n" +
		"Event: QueueMember\nQueue: support\nName: Agent/220\nPaused: 0\nActionID: {ActionID}\n\n" +
		"Event: QueueStatusComplete\nActionID: {ActionID}\n\n",
	// The same with no queue: an empty list.
	"QueueStatusEmpty": "Response: Success\nActionID: {ActionID}\nMessage: Queue status will follow\n\n" +
		"Event: QueueStatusComplete\nActionID: {ActionID}\n\n",
	// Asterisk 11's Status: "Channel status will follow", Items.
	"Status": "Response: Success\nActionID: {ActionID}\nMessage: Channel status will follow\n\n" +
		"Event: Status\nPrivilege: Call\nChannel: SIP/100-00000001\nActionID: {ActionID}\n\n" +
		"Event: StatusComplete\nActionID: {ActionID}\nItems: 1\n\n",
	// Command output ended by the empty line, no --END COMMAND--.
	"Command": "Response: Follows\nPrivilege: Command\nActionID: {ActionID}\n" +
		"No such command 'core show hi' (type 'core show help core show hi' for other possible commands)\n\n",
	// Asterisk 11's Queues: the CLI's text, not a packet.
	"Queues": "support has 0 calls (max unlimited) in 'ringall' strategy (0s holdtime, 0s talktime), W:0, C:0, A:0, SL:0.0% within 0s\n" +
		"   Members: \n      Local/hold@default (dynamic) (Not in use) has taken no calls yet\n   No Callers\n\n" +
		"sales has 0 calls (max unlimited) in 'ringall' strategy (0s holdtime, 0s talktime), W:0, C:0, A:0, SL:0.0% within 0s\n" +
		"   No Members\n   No Callers\n\n\n\n",
}

// oldShapesServer is newServer answering the actions of oldShapes with
// their bytes, line ends turned to CRLF when crlf is set.
func oldShapesServer(t *testing.T, crlf bool) *amitest.Server {
	t.Helper()
	srv := newServer(t, amitest.Options{})
	for name, reply := range oldShapes {
		if crlf {
			reply = strings.ReplaceAll(reply, "\n", "\r\n")
		}
		srv.HandlePerm(name, "", amitest.RawReply(reply))
	}
	return srv
}

// jsonLines parses JSON lines output, one object per line.
func jsonLines(t *testing.T, out string) []map[string]any {
	t.Helper()
	var objs []map[string]any
	for _, line := range strings.Split(strings.TrimSuffix(out, "\n"), "\n") {
		if line == "" {
			continue
		}
		var m map[string]any
		if err := json.Unmarshal([]byte(line), &m); err != nil {
			t.Fatalf("not JSON: %q: %v", line, err)
		}
		objs = append(objs, m)
	}
	return objs
}

// column returns key of each object ("" when absent), joined by commas.
func column(objs []map[string]any, key string) string {
	var out []string
	for _, o := range objs {
		s, _ := o[key].(string)
		out = append(out, s)
	}
	return strings.Join(out, ",")
}

func TestOldShapesEndToEnd(t *testing.T) {
	const (
		miscount    = "ami: list Short: server said 3 items, received 2\n"
		sendCount   = "ami: send Short: server said 3 items, received 2\n"
		eventsOnMsg = "ami: send IAXpeers: server said 2 items, received 0 (events are on: the missing items may have arrived as events)\n"
	)
	tests := []struct {
		name   string
		stdin  string
		args   []string
		code   int
		stderr string // exactly
		check  func(t *testing.T, objs []map[string]any)
	}{
		{name: "list items without ActionID", args: []string{"list", "-o", "json", "IAXpeers"},
			check: func(t *testing.T, objs []map[string]any) {
				if got := column(objs, "ObjectName"); got != "peer-b,peer-a" {
					t.Fatalf("items %q", got)
				}
			}},
		{name: "send items without ActionID", args: []string{"send", "-o", "json", "IAXpeers"},
			check: func(t *testing.T, objs []map[string]any) {
				if got := column(objs, "Event"); got != ",PeerEntry,PeerEntry,PeerlistComplete" {
					t.Fatalf("packets %q", got)
				}
			}},
		{name: "stdin: pipelined behind a list, twice, and mixed", args: []string{"send", "-o", "json"},
			stdin: "Action: Chans\n\nAction: IAXpeers\n\nAction: IAXpeers\n\nAction: Mixed\n\nAction: Chans\n",
			check: func(t *testing.T, objs []map[string]any) {
				want := ",CoreShowChannel,CoreShowChannelsComplete,,PeerEntry,PeerEntry,PeerlistComplete,,PeerEntry,PeerEntry,PeerlistComplete," +
					",Item,Item,Item,ItemsComplete,,CoreShowChannel,CoreShowChannelsComplete"
				if got := column(objs, "Event"); got != want {
					t.Fatalf("packets\n%q, want\n%q", got, want)
				}
				if got := column(objs, "N"); got != strings.Repeat(",", 11)+",1,2,3,,,," {
					t.Fatalf("mixed items out of order: %q", got)
				}
			}},
		{name: "stdin: events turned on", args: []string{"send", "-o", "json"},
			stdin: "Action: Events\nEventMask: on\n\nAction: IAXpeers\n", code: exitConn, stderr: eventsOnMsg,
			check: func(t *testing.T, objs []map[string]any) {
				if got := column(objs, "Event"); got != ",,PeerlistComplete" {
					t.Fatalf("packets %q", got)
				}
			}},
		{name: "list ListItems mismatch", args: []string{"list", "-o", "json", "Short"}, code: exitConn, stderr: miscount,
			check: func(t *testing.T, objs []map[string]any) {
				if got := column(objs, "Channel"); got != "PJSIP/100-00000001,PJSIP/200-00000002" {
					t.Fatalf("items %q", got)
				}
			}},
		{name: "send ListItems mismatch, the batch goes on", args: []string{"send", "-o", "json"},
			stdin: "Action: Short\n\nAction: Chans\n", code: exitConn, stderr: sendCount,
			check: func(t *testing.T, objs []map[string]any) {
				if got := column(objs, "Event"); got != ",CoreShowChannel,CoreShowChannel,CoreShowChannelsComplete,,CoreShowChannel,CoreShowChannelsComplete" {
					t.Fatalf("packets %q", got)
				}
			}},
		{name: "list legacy QueueStatus", args: []string{"list", "-o", "json", "QueueStatus"},
			check: func(t *testing.T, objs []map[string]any) {
				if got := column(objs, "Event"); got != "QueueParams,QueueMember" {
					t.Fatalf("items %q", got)
				}
			}},
		{name: "list legacy QueueStatus, empty", args: []string{"list", "QueueStatusEmpty"},
			check: func(t *testing.T, objs []map[string]any) {
				if len(objs) != 0 {
					t.Fatalf("printed %v", objs)
				}
			}},
		{name: "send legacy Status", args: []string{"send", "-o", "json", "Status"},
			check: func(t *testing.T, objs []map[string]any) {
				if got := column(objs, "Event"); got != ",Status,StatusComplete" {
					t.Fatalf("packets %q", got)
				}
			}},
		{name: "Queues answered with text", args: []string{"send", "-o", "json", "Queues"},
			check: func(t *testing.T, objs []map[string]any) {
				if len(objs) != 1 {
					t.Fatalf("%d packets", len(objs))
				}
				lines, _ := objs[0]["Output"].([]any)
				if len(lines) != 8 || lines[0] != "support has 0 calls (max unlimited) in 'ringall' strategy (0s holdtime, 0s talktime), W:0, C:0, A:0, SL:0.0% within 0s" ||
					lines[1] != "   Members: " || lines[4] != "" || lines[7] != "   No Callers" || len(objs[0]) != 1 {
					t.Fatalf("answer %v", objs[0])
				}
			}},
	}
	for _, crlf := range []bool{false, true} {
		srv := oldShapesServer(t, crlf)
		for _, tt := range tests {
			name := tt.name + map[bool]string{false: " (LF)", true: " (CRLF)"}[crlf]
			t.Run(name, func(t *testing.T) {
				r := amiRun(t, tt.stdin, with(t, srv, tt.args...)...)
				if r.code != tt.code || r.stderr != tt.stderr {
					t.Fatalf("exit %d, stderr %q; want %d, %q\nstdout:\n%s", r.code, r.stderr, tt.code, tt.stderr, r.stdout)
				}
				tt.check(t, jsonLines(t, r.stdout))
			})
		}

		t.Run(map[bool]string{false: "command, LF", true: "command, CRLF"}[crlf], func(t *testing.T) {
			r := amiRun(t, "", with(t, srv, "command", "core show hi")...)
			r.want(t, 0)
			if want := "No such command 'core show hi' (type 'core show help core show hi' for other possible commands)\n"; r.stdout != want || r.stderr != "" {
				t.Fatalf("stdout %q, stderr %q", r.stdout, r.stderr)
			}
		})
		t.Run(map[bool]string{false: "Queues as text, LF", true: "Queues as text, CRLF"}[crlf], func(t *testing.T) {
			r := amiRun(t, "", with(t, srv, "send", "Queues")...)
			r.want(t, 0)
			if !strings.HasPrefix(r.stdout, "Output: support has 0 calls") || !strings.Contains(r.stdout, "\nOutput:    No Members\n") || r.stderr != "" {
				t.Fatalf("stdout %q, stderr %q", r.stdout, r.stderr)
			}
		})
	}
}

// heldList answers with a list whose first item is sent at once and whose
// rest, with the completion event, only once release is closed (or the
// session ends, or testTimeout passes: a failing test must not hang the
// server). The items are written one by one, unbuffered, so the first is
// on the wire while the rest is held back.
func heldList(release <-chan struct{}) amitest.Handler {
	return func(s *amitest.Session, a amiwire.Packet) {
		items := threeItems(a)
		s.Respond(a, "Success", "EventList", "start", "Message", "Result will follow")
		s.WritePacket(items[0])
		t := time.NewTimer(testTimeout)
		defer t.Stop()
		select {
		case <-release:
		case <-s.Done():
			return
		case <-t.C:
			return
		}
		for _, it := range items[1:] {
			s.WritePacket(it)
		}
		final := amiwire.Packet{}
		final.Add("Event", "HeldComplete")
		final.Add("ActionID", a.Get("ActionID"))
		final.Add("EventList", "Complete")
		final.Add("ListItems", "3")
		s.WritePacket(final)
	}
}

// signalWriter keeps what is written and closes seen once the output holds
// want.
type signalWriter struct {
	mu   sync.Mutex
	buf  bytes.Buffer
	want string
	seen chan struct{}
	once sync.Once
}

func newSignalWriter(want string) *signalWriter {
	return &signalWriter{want: want, seen: make(chan struct{})}
}

func (w *signalWriter) Write(b []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.buf.Write(b)
	if strings.Contains(w.buf.String(), w.want) {
		w.once.Do(func() { close(w.seen) })
	}
	return len(b), nil
}

func (w *signalWriter) String() string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.buf.String()
}

// TestListStreams proves that ami list streams: the first item reaches
// stdout while the server still holds back the rest of the list and its
// completion event; after the release the whole list is printed and the
// run ends normally.
func TestListStreams(t *testing.T) {
	tests := []struct {
		format      string
		first, last string // the first and last items as they are printed
		lines       int    // lines of the whole output
	}{
		{"text", "Channel: PJSIP/100-00000001\n", "Channel: Local/hold@default-00000003;1\n", 3 * 8},
		{"json", `"Channel":"PJSIP/100-00000001"`, `"Channel":"Local/hold@default-00000003;1"`, 3},
		{"raw", "Channel: PJSIP/100-00000001\r\n", "Channel: Local/hold@default-00000003;1\r\n", 3 * 8},
	}
	for _, tt := range tests {
		t.Run(tt.format, func(t *testing.T) {
			srv := newServer(t, amitest.Options{})
			release := make(chan struct{})
			var releaseOnce sync.Once
			free := func() { releaseOnce.Do(func() { close(release) }) }
			t.Cleanup(free)
			srv.HandlePerm("Held", "", heldList(release))

			ctx := testCtx(t)
			out := newSignalWriter(tt.first)
			var errOut bytes.Buffer
			done := make(chan int, 1)
			go func() {
				done <- run(ctx, append([]string{"ami"}, with(t, srv, "list", "-o", tt.format, "Held", "ActionID=h1")...), strings.NewReader(""), out, &errOut)
			}()

			select {
			case <-out.seen:
			case code := <-done:
				t.Fatalf("exit %d before the first item was printed, with the list still open:\n%s\nstderr: %s", code, out.String(), errOut.String())
			case <-ctx.Done():
				t.Fatalf("the first item was not printed while the end of the list was held back; stdout so far:\n%s", out.String())
			}
			select {
			case code := <-done: // the list is held open: only a run that gave up can end
				t.Fatalf("the first item was printed only when the run ended (exit %d, stderr %q)", code, errOut.String())
			default:
			}
			if got := out.String(); strings.Contains(got, "PJSIP/200") {
				t.Fatalf("the second item was printed before the server sent it:\n%s", got)
			}

			free()
			var code int
			select {
			case code = <-done:
			case <-ctx.Done():
				t.Fatal("ami list did not end after the list completed")
			}
			got := out.String()
			if code != 0 || errOut.Len() != 0 {
				t.Fatalf("exit %d, stderr %q (an idle timeout here means the first item came out only as the run gave up)", code, errOut.String())
			}
			if n := strings.Count(got, "\n"); n != tt.lines || !strings.Contains(got, tt.last) {
				t.Fatalf("%d lines, want %d, ending with the last item:\n%s", n, tt.lines, got)
			}
		})
	}
}

// TestListIdleTimeout: a list that stops arriving ends after --timeout of
// silence with exit 3, and what arrived before is printed.
func TestListIdleTimeout(t *testing.T) {
	srv := newServer(t, amitest.Options{})
	release := make(chan struct{})
	t.Cleanup(func() { close(release) })
	srv.HandlePerm("Held", "", heldList(release))
	args := srvArgs(t, srv)
	for i := range args {
		if args[i] == "--timeout" {
			args[i+1] = "300ms"
		}
	}
	start := time.Now()
	r := amiRun(t, "", append(args, "list", "-o", "json", "Held")...)
	r.want(t, exitConn, "list Held: nothing arrived from", "for 300ms")
	if took := time.Since(start); took < 300*time.Millisecond {
		t.Errorf("gave up after %v, before the 300ms timeout", took)
	}
	if n := strings.Count(r.stdout, "\n"); n != 1 || !strings.Contains(r.stdout, "PJSIP/100-00000001") {
		t.Errorf("stdout holds %d lines, want the first item:\n%s", n, r.stdout)
	}
}

// BenchmarkStreamList measures `ami list` without process start and login:
// one op is streamList of the simulator's CoreShowChannels, 10,000 items,
// over one logged-in client, formatted into a writer that only counts. The
// simulator runs in the same process (it costs about a tenth of the client).
func BenchmarkStreamList(b *testing.B) {
	const calls = 5000
	srv, err := amitest.New(amitest.Options{Users: []amitest.User{{Name: "admin", Secret: "admin"}}})
	if err != nil {
		b.Fatal(err)
	}
	defer srv.Close()
	if _, err := amisim.New(srv, amisim.Options{Calls: calls}); err != nil {
		b.Fatal(err)
	}
	for _, name := range []string{fmtJSON, fmtText, fmtRaw} {
		b.Run(name, func(b *testing.B) {
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
			defer cancel()
			s := connSettings{Config: amiwire.Config{Addr: srv.Addr(), Username: "admin", Secret: "admin", Lend: true}, Timeout: 10 * time.Second} // as runList
			cl, err := s.dial(ctx, "off")
			if err != nil {
				b.Fatal(err)
			}
			defer cl.Close()
			var out countWriter
			w, err := format.New(name, &out, format.Options{})
			if err != nil {
				b.Fatal(err)
			}
			action := amiwire.NewAction("CoreShowChannels")
			if err := streamList(ctx, s, cl, action, w, false, name, &out); err != nil {
				b.Fatal(err)
			}
			b.SetBytes(int64(out.bytes))
			b.ReportAllocs()
			out = countWriter{}
			b.ResetTimer()
			for range b.N {
				if err := streamList(ctx, s, cl, action, w, false, name, &out); err != nil {
					b.Fatal(err)
				}
			}
			b.StopTimer()
			if want := 2 * calls * b.N; out.items(name) != want {
				b.Fatalf("%d items, want %d", out.items(name), want)
			}
			b.ReportMetric(float64(2*calls*b.N)/b.Elapsed().Seconds(), "items/s")
		})
	}
}

// items returns how many list items a countWriter saw in format name: one
// line per item in JSON, 21 lines per CoreShowChannel (20 fields and the
// blank line) in text and raw.
func (w *countWriter) items(name string) int {
	if name == fmtJSON {
		return w.lines
	}
	return w.lines / 21
}
