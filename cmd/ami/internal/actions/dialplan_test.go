package actions_test

import (
	"strings"
	"testing"

	"github.com/ami-cli/ami/cmd/ami/internal/actions"
)

func TestParseExtension(t *testing.T) {
	for _, tc := range []struct {
		in, exten, context, priority, err string
	}{
		{in: "100", exten: "100", context: "default", priority: "1"},
		{in: "100@from-internal", exten: "100", context: "from-internal", priority: "1"},
		{in: "100@from-internal:3", exten: "100", context: "from-internal", priority: "3"},
		{in: "s@ivr:start", exten: "s", context: "ivr", priority: "start"},
		{in: "100@", exten: "100", context: "default", priority: "1"},
		{in: "100@:2", exten: "100", context: "default", priority: "2"},
		{in: "100@ctx:", err: "empty PRIORITY after ':'"},
		{in: "", err: "want EXTEN[@CONTEXT[:PRIORITY]]"},
		{in: "@ctx", err: "want EXTEN[@CONTEXT[:PRIORITY]]"},
	} {
		e, c, p, err := actions.ParseExtension(tc.in)
		if tc.err != "" {
			if err == nil || err.Error() != tc.err {
				t.Errorf("ParseExtension(%q) = %q %q %q, %v; want error %q", tc.in, e, c, p, err, tc.err)
			}
			continue
		}
		if err != nil || e != tc.exten || c != tc.context || p != tc.priority {
			t.Errorf("ParseExtension(%q) = %q %q %q, %v; want %q %q %q", tc.in, e, c, p, err, tc.exten, tc.context, tc.priority)
		}
	}
}

// FuzzParseExtension: never a panic; what it accepts has an extension,
// a context and a priority, each taken from the input or the defaults.
func FuzzParseExtension(f *testing.F) {
	for _, s := range []string{"100", "100@ctx:2", "@", ":", "a@b:c:d", "a@@b"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		e, c, p, err := actions.ParseExtension(s)
		if err != nil {
			return
		}
		if e == "" || c == "" || p == "" || strings.Contains(e, "@") {
			t.Fatalf("ParseExtension(%q) = %q %q %q", s, e, c, p)
		}
		if !strings.HasPrefix(s, e) || (c != "default" && !strings.Contains(s, c)) || (p != "1" && !strings.HasSuffix(s, p)) {
			t.Fatalf("ParseExtension(%q) = %q %q %q: not from the input", s, e, c, p)
		}
	})
}
