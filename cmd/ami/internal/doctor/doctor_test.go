package doctor

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/ami-cli/ami/amiwire"
)

func TestParseNeeds(t *testing.T) {
	tests := []struct {
		in   string
		want Needs
		err  bool
	}{
		{"read,write,events", AllNeeds, false},
		{"all", AllNeeds, false},
		{"read", Needs{Read: true}, false},
		{" Events , READ ", Needs{Read: true, Events: true}, false},
		{"", Needs{}, true},
		{"read,", Needs{}, true},
		{"reed", Needs{}, true},
	}
	for _, tt := range tests {
		got, err := ParseNeeds(tt.in)
		if (err != nil) != tt.err || (!tt.err && got != tt.want) {
			t.Errorf("ParseNeeds(%q) = %+v, %v", tt.in, got, err)
		}
	}
	if s := (Needs{Read: true, Events: true}).String(); s != "read, events" {
		t.Errorf("String: %q", s)
	}
}

func TestExitCode(t *testing.T) {
	var r Report
	r.Add("a", OK, "", "")
	r.Add("b", Note, "", "")
	r.Add("c", Warn, "", "")
	if r.ExitCode() != ExitOK {
		t.Errorf("OK, NOTE, WARN: %d", r.ExitCode())
	}
	r.Add("d", Fail, "", "")
	if r.ExitCode() != ExitNeeded {
		t.Errorf("with FAIL: %d", r.ExitCode())
	}
	r.Unreachable = true
	if r.ExitCode() != ExitUnreachable {
		t.Errorf("unreachable: %d", r.ExitCode())
	}
	if Missing(true) != Fail || Missing(false) != Note {
		t.Error("Missing")
	}
}

func TestWriteText(t *testing.T) {
	r := Report{Target: "admin@pbx:5038", Needs: Needs{Read: true}}
	r.Add("banner", OK, "Evil\r\nBanner\x1b[31m", "")
	r.Add("read", Fail, "CoreStatus: Permission denied", "write = reporting")
	var b strings.Builder
	if err := r.WriteText(&b); err != nil {
		t.Fatal(err)
	}
	want := "ami doctor: admin@pbx:5038 (needs read)\n" +
		`OK    banner   Evil\r\nBanner\x1b[31m` + "\n" +
		"FAIL  read     CoreStatus: Permission denied\n" +
		"               fix: write = reporting\n" +
		"result: something this user needs is wrong\n"
	if b.String() != want {
		t.Errorf("got:\n%s\nwant:\n%s", b.String(), want)
	}
	js, err := json.Marshal(r)
	if err != nil {
		t.Fatal(err)
	}
	wantJSON := `{"target":"admin@pbx:5038","needs":["read"],"result":"failed","code":1,"steps":[` +
		`{"step":"banner","status":"OK","text":"Evil\r\nBanner\u001b[31m"},` +
		`{"step":"read","status":"FAIL","text":"CoreStatus: Permission denied","fix":"write = reporting"}]}`
	if string(js) != wantJSON {
		t.Errorf("JSON:\n%s\nwant:\n%s", js, wantJSON)
	}
}

func TestCountActions(t *testing.T) {
	var ok amiwire.Packet
	ok.Add("Response", "Success")
	ok.Add("ActionID", "1")
	ok.Add("Ping", " (Priv: <none>)")
	ok.Add("Originate", " (Priv: originate,all)")
	if n, err := CountActions(ok); n != 2 || err != nil {
		t.Errorf("got %d, %v", n, err)
	}
	var denied amiwire.Packet
	denied.Add("Response", "Error")
	denied.Add("Message", "Permission denied")
	if _, err := CountActions(denied); err == nil || !strings.Contains(err.Error(), "Permission denied") {
		t.Errorf("error answer: %v", err)
	}
	var other amiwire.Packet
	other.Add("Response", "Success")
	other.Add("Ping", "Pong")
	if _, err := CountActions(other); err != ErrNoList {
		t.Errorf("not a list: %v", err)
	}
}

func FuzzParseNeeds(f *testing.F) {
	for _, s := range []string{"read,write,events", "all", "read", ",", "Events , READ"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		n, err := ParseNeeds(s)
		if err != nil {
			return
		}
		// What it says it needs reads back the same.
		if back, err := ParseNeeds(strings.ReplaceAll(n.String(), " ", "")); n != (Needs{}) && (err != nil || back != n) {
			t.Fatalf("ParseNeeds(%q) = %+v; %q reads back as %+v, %v", s, n, n.String(), back, err)
		}
	})
}
