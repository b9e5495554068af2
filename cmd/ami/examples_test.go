package main

import (
	"bytes"
	"errors"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/ami-cli/ami/amiwire"
	"github.com/ami-cli/ami/amiwire/amitest"
	"github.com/ami-cli/ami/format"
	"github.com/urfave/cli/v2"
)

// fixturePackets returns every packet the server sent in the recording
// name (the banner skipped).
func fixturePackets(t *testing.T, name string) []amiwire.Packet {
	t.Helper()
	data, err := amitest.Fixture(name)
	if err != nil {
		t.Fatal(err)
	}
	r := amiwire.NewReader(bytes.NewReader(data))
	if _, err := r.ReadBanner(); err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	var out []amiwire.Packet
	for {
		p, err := r.ReadPacket()
		if errors.Is(err, io.EOF) {
			return out
		}
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		out = append(out, p)
	}
}

// listItems returns the item events of the list answered to action in the
// recordings: the events between the response with EventList: start and
// the completion event of the same ActionID.
func listItems(t *testing.T, action string) []amiwire.Packet {
	t.Helper()
	recordings := map[string]string{
		"corestatus":       "",
		"coreshowchannels": "core-show-channels-3.server.ami",
		"status":           "status-3.server.ami",
		"queuestatus":      "queue-status.server.ami",
	}
	name := recordings[strings.ToLower(action)]
	if name == "" {
		t.Fatalf("an example lists %s, which no recording answers: check it against a real Asterisk and add a recording", action)
	}
	var items []amiwire.Packet
	id := ""
	for _, p := range fixturePackets(t, name) {
		switch {
		case strings.EqualFold(p.Get("EventList"), "start"):
			id = p.Get("ActionID")
		case id != "" && p.Get("ActionID") == id && strings.EqualFold(p.Get("EventList"), "Complete"):
			return items
		case id != "" && p.Get("ActionID") == id && p.Get("Event") != "":
			items = append(items, p)
		}
	}
	t.Fatalf("%s: no complete list", name)
	return nil
}

// exampleTexts returns every help text of the app and the README, named.
func exampleTexts(t *testing.T) map[string]string {
	t.Helper()
	app := buildApp(strings.NewReader(""), io.Discard, io.Discard)
	texts := map[string]string{"ami --help": app.Description}
	for _, c := range app.VisibleCommands() {
		texts["ami "+c.Name+" --help"] = c.UsageText + "\n" + c.Description
		for _, f := range c.VisibleFlags() {
			if df, ok := f.(cli.DocGenerationFlag); ok {
				texts["ami "+c.Name+" --help"] += "\n" + df.GetUsage()
			}
		}
	}
	readme, err := os.ReadFile(filepath.Join("..", "..", "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	texts["README.md"] = string(readme)
	return texts
}

// TestExamplesMatchRecordings checks the examples of --help and the README
// against what Asterisk 22 really sends (the recordings): every --fields
// of a list names keys its items have; a bare --fields names keys some
// recorded list item has; Message and banner texts quoted are real.
func TestExamplesMatchRecordings(t *testing.T) {
	listFields := regexp.MustCompile(`\blist (\w+)\b[^\n]*?(?:\\\n[^\n]*?)*--fields[ =]([\w,-]+)`)
	anyFields := regexp.MustCompile(`--fields[ =]([A-Z][\w-]*(?:,[\w-]+)+)`)
	all := map[string]bool{}
	for _, a := range []string{"CoreShowChannels", "Status", "QueueStatus"} {
		for _, it := range listItems(t, a) {
			for _, f := range it.Fields {
				all[f.Key] = true
			}
		}
	}
	checked := 0
	for where, text := range exampleTexts(t) {
		for _, m := range listFields.FindAllStringSubmatch(text, -1) {
			items := listItems(t, m[1])
			for _, key := range strings.Split(m[2], ",") {
				found := false
				for _, it := range items {
					if _, ok := it.Lookup(key); ok {
						found = true
					}
				}
				if !found {
					t.Errorf("%s: ami list %s --fields %s: the items of %s have no %s (recorded: %s)", where, m[1], m[2], m[1], key, keysOf(items))
				}
				checked++
			}
		}
		for _, m := range anyFields.FindAllStringSubmatch(text, -1) {
			for _, key := range strings.Split(m[1], ",") {
				if !all[key] {
					t.Errorf("%s: --fields %s: no recorded list item has %s", where, m[1], key)
				}
				checked++
			}
		}
	}
	if checked < 5 {
		t.Errorf("only %d --fields keys checked: the examples moved?", checked)
	}

	// Texts the README quotes from a server.
	var everything strings.Builder
	for _, n := range amitest.FixtureNames() {
		if strings.HasSuffix(n, ".server.ami") {
			data, _ := amitest.Fixture(n)
			everything.Write(data)
		}
	}
	readme := exampleTexts(t)["README.md"]
	for _, quoted := range regexp.MustCompile(`\((Asterisk Call Manager/[\d.]+)\)|# (Originate successfully queued)`).FindAllStringSubmatch(readme, -1) {
		q := quoted[1] + quoted[2]
		if !strings.Contains(everything.String(), q) {
			t.Errorf("README.md quotes %q, which no recording holds", q)
		}
	}
}

// TestReadmeOutputExamples: the README's text and JSON examples are what
// ami prints for a Hangup event recorded from Asterisk 22.
func TestReadmeOutputExamples(t *testing.T) {
	var hangup amiwire.Packet
	for _, p := range fixturePackets(t, "call-lifecycle.listener.server.ami") {
		if p.Get("Event") == "Hangup" && strings.HasSuffix(p.Get("Channel"), ";2") {
			hangup = p
			break
		}
	}
	if hangup.Get("Event") == "" {
		t.Fatal("no Hangup of a ;2 channel recorded")
	}
	readme := exampleTexts(t)["README.md"]
	for _, name := range []string{"text", "json"} {
		var b bytes.Buffer
		w, err := format.New(name, &b, format.Options{})
		if err != nil {
			t.Fatal(err)
		}
		if err := w.WritePacket(hangup); err != nil {
			t.Fatal(err)
		}
		if err := w.Flush(); err != nil {
			t.Fatal(err)
		}
		block := "```" + map[string]string{"text": "", "json": "json"}[name] + "\n" + strings.TrimRight(b.String(), "\n") + "\n```"
		if !strings.Contains(readme, block) {
			t.Errorf("README.md lacks ami's -o %s of the recorded Hangup:\n%s", name, block)
		}
	}
}

func keysOf(items []amiwire.Packet) string {
	if len(items) == 0 {
		return "no items"
	}
	var keys []string
	for _, f := range items[0].Fields {
		keys = append(keys, f.Key)
	}
	return strings.Join(keys, ",")
}
