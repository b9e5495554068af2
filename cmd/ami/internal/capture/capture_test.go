package capture

import (
	"bytes"
	"errors"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/ami-cli/ami/amiwire"
	"github.com/ami-cli/ami/amiwire/amitest"
	"github.com/ami-cli/ami/format"
)

// recorded returns the events of a recording, as listen prints them.
func recorded(t testing.TB, name string) []amiwire.Packet {
	raw := amitest.MustFixture(name)
	r := amiwire.NewReader(bytes.NewReader(raw))
	if _, err := r.ReadBanner(); err != nil {
		t.Fatal(err)
	}
	var out []amiwire.Packet
	for {
		p, err := r.ReadPacket()
		if err != nil {
			return out
		}
		if p.Has("Event") {
			out = append(out, p.Clone())
		}
	}
}

// readAll reads a whole capture.
func readAll(t *testing.T, in string) ([]amiwire.Packet, []time.Time, string) {
	t.Helper()
	r := NewReader(strings.NewReader(in))
	var ps []amiwire.Packet
	var ts []time.Time
	for i := 0; ; i++ {
		if i > 1e5 {
			t.Fatal("no end")
		}
		p, at, err := r.Next()
		if errors.Is(err, io.EOF) {
			return ps, ts, r.Format()
		}
		if err != nil {
			t.Fatalf("packet %d: %v", i, err)
		}
		ps = append(ps, p)
		ts = append(ts, at)
	}
}

// TestRoundTrip writes the call-bridged recording's events as listen does
// in each format, with and without a ReceivedAt, and reads them back.
func TestRoundTrip(t *testing.T) {
	events := recorded(t, "call-bridged.listener.server.ami")
	t0 := time.Date(2026, 12, 5, 9, 0, 0, 123456000, time.UTC)
	for _, name := range []string{"raw", "json", "text"} {
		for _, stamped := range []bool{false, true} {
			var buf bytes.Buffer
			w, err := format.New(name, &buf, format.Options{})
			if err != nil {
				t.Fatal(err)
			}
			for i, p := range events {
				if stamped {
					q := amiwire.Packet{Fields: append([]amiwire.Field{{Key: ReceivedAtKey, Value: t0.Add(time.Duration(i) * time.Millisecond).Format("2006-01-02T15:04:05.000000Z07:00")}}, p.Fields...)}
					if p.Raw != nil {
						q.Raw = append([]byte(ReceivedAtKey+": "+q.Fields[0].Value+"\r\n"), p.Raw...)
					}
					p = q
				}
				if err := w.WritePacket(p); err != nil {
					t.Fatal(err)
				}
			}
			w.Flush()
			got, times, fmtName := readAll(t, buf.String())
			want := FormatAMI
			if name == "json" {
				want = FormatJSON
			}
			if fmtName != want {
				t.Errorf("%s: detected %q", name, fmtName)
			}
			if len(got) != len(events) {
				t.Fatalf("%s stamped=%v: %d packets, want %d", name, stamped, len(got), len(events))
			}
			for i := range got {
				g, e := got[i].Fields, events[i].Fields
				if stamped {
					if !times[i].Equal(t0.Add(time.Duration(i) * time.Millisecond)) {
						t.Errorf("%s: packet %d at %v", name, i, times[i])
					}
					g = g[1:]
				} else if !times[i].IsZero() {
					t.Errorf("%s: packet %d has a time", name, i)
				}
				if len(g) != len(e) {
					t.Fatalf("%s: packet %d: %v, want %v", name, i, g, e)
				}
				for j := range g {
					if g[j] != e[j] {
						t.Errorf("%s: packet %d field %d: %v, want %v", name, i, j, g[j], e[j])
					}
				}
			}
		}
	}
}

func TestParseJSON(t *testing.T) {
	for _, tc := range []struct {
		in, want, err string
	}{
		{`{"Event":"E","V":["a","b"],"@lines":["x: y"],"N":12,"B":true,"Z":null}`, "Event: E\nV: a\nV: b\nx: y\nN: 12\nB: true\nZ: \n", ""},
		{`{}`, "", ""},
		{`[1]`, "", "not a JSON object"},
		{`{"a":{"b":"c"}}`, "", `key "a": a nested object`},
		{`{"a":[["x"]]}`, "", `key "a": an array may hold only`},
		{`{"a":"b"} {"c":"d"}`, "", "more than one"},
		{`{"a":`, "", "bad JSON"},
		{`nope`, "", "not JSON"},
	} {
		p, err := ParseJSON([]byte(tc.in))
		if tc.err != "" {
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Errorf("%s: err %v, want %q", tc.in, err, tc.err)
			}
			continue
		}
		if err != nil {
			t.Errorf("%s: %v", tc.in, err)
			continue
		}
		var b strings.Builder
		for _, f := range p.Fields {
			if f.Key == "" {
				b.WriteString(f.Value + "\n")
				continue
			}
			b.WriteString(f.Key + ": " + f.Value + "\n")
		}
		if b.String() != tc.want {
			t.Errorf("%s: got %q, want %q", tc.in, b.String(), tc.want)
		}
	}
}

// TestBadCaptures: a bad JSON line is named by its number; a banner is
// skipped; empty input is no packet.
func TestBadCaptures(t *testing.T) {
	r := NewReader(strings.NewReader("{\"Event\":\"A\"}\n\n{\"Event\":\n"))
	if _, _, err := r.Next(); err != nil {
		t.Fatal(err)
	}
	_, _, err := r.Next()
	var ce *Error
	if !errors.As(err, &ce) || ce.Line != 3 || errors.Is(err, io.EOF) {
		t.Errorf("err %v, want line 3", err)
	}
	ps, _, f := readAll(t, "Asterisk Call Manager/11.0.0\r\nEvent: A\r\n\r\nEvent: B\r\n\r\n")
	if len(ps) != 2 || ps[0].Get("Event") != "A" || f != FormatAMI {
		t.Errorf("banner capture: %v", ps)
	}
	ps, _, _ = readAll(t, "")
	if len(ps) != 0 {
		t.Errorf("empty: %v", ps)
	}
	long := "{\"a\":\"" + strings.Repeat("x", MaxLine) + "\"}\n"
	_, _, err = NewReader(strings.NewReader(long)).Next()
	if !errors.As(err, &ce) {
		t.Errorf("a line over MaxLine: %v", err)
	}
}

// FuzzReader: any input reads to an end without panicking, in a bounded
// number of packets.
func FuzzReader(f *testing.F) {
	f.Add([]byte("Event: A\r\nChannel: x\r\n\r\n"))
	f.Add([]byte("{\"Event\":\"A\",\"V\":[\"1\",\"2\"]}\n"))
	f.Add([]byte("ReceivedAt: 2026-12-05T09:00:00.000000Z\r\nEvent: A\r\n\r\n"))
	f.Add([]byte("Asterisk Call Manager/11.0.0\r\n"))
	f.Fuzz(func(t *testing.T, in []byte) {
		r := NewReader(bytes.NewReader(in))
		for i := 0; i <= len(in)+1; i++ {
			if _, _, err := r.Next(); err != nil {
				return
			}
		}
		t.Fatalf("more packets than bytes")
	})
}
