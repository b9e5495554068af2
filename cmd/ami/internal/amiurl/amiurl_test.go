package amiurl_test

import (
	"errors"
	"regexp"
	"strings"
	"testing"

	"github.com/ami-cli/ami/cmd/ami/internal/amiurl"
)

func TestParse(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want amiurl.URL
	}{
		{"ami://admin@pbx:5038", amiurl.URL{Host: "pbx", Port: 5038, User: "admin"}},
		{"AMIS://pbx", amiurl.URL{Host: "pbx", TLS: true}},
		{"ami://pbx/", amiurl.URL{Host: "pbx"}},
		{"ami://[::1]:5039", amiurl.URL{Host: "::1", Port: 5039}},
		{"ami://ops%40x@10.0.0.1", amiurl.URL{Host: "10.0.0.1", User: "ops@x"}},
	} {
		got, err := amiurl.Parse(tc.in)
		if err != nil || got != tc.want {
			t.Errorf("Parse(%q) = %+v, %v; want %+v", tc.in, got, err, tc.want)
		}
	}
}

func TestParseErrors(t *testing.T) {
	for _, tc := range []struct {
		in, msg string
		secret  bool
	}{
		{"ami://admin:pw@pbx", "a secret in the URL is visible to other users in ps", true},
		{"ami://admin:@pbx", "a secret in the URL is visible to other users in ps", true},
		{"http://pbx", `"http://pbx": want ami://user@host:port or amis://user@host:port`, false},
		{"pbx:5038", `"pbx:5038": want ami://user@host:port or amis://user@host:port`, false},
		{"amj://admin:s3cret@pbx", `"amj://admin:xxxxx@pbx": want ami://user@host:port or amis://user@host:port`, false},
		{"ami://pbx/x", `"ami://pbx/x": unexpected path, query or fragment`, false},
		{"ami://pbx?a=b", `"ami://pbx?a=b": unexpected path, query or fragment`, false},
		{"ami://pbx#f", `"ami://pbx#f": unexpected path, query or fragment`, false},
		{"ami://pbx:0", `port "0": want 1 to 65535`, false},
		{"ami://pbx:65536", `port "65536": want 1 to 65535`, false},
		{"ami://%zz", `invalid URL escape "%zz"`, false},
		{"ami://admin:s3cret@pbx%zz", `invalid URL escape "%zz"`, false},
		{":s3cret@", `missing protocol scheme`, false},
	} {
		_, err := amiurl.Parse(tc.in)
		var ue *amiurl.Error
		if !errors.As(err, &ue) || err.Error() != tc.msg || errors.Is(err, amiurl.ErrSecret) != tc.secret {
			t.Errorf("Parse(%q) = %v; want *Error %q (secret %v)", tc.in, err, tc.msg, tc.secret)
		}
	}
}

// hasScheme matches what comes before the password of scheme://user:pw@.
var hasScheme = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9+.-]*://[^/?#@]*$`)

// FuzzParse: Parse never panics, never lets a secret through, and never
// puts the secret of a scheme://user:secret@ URL in its error.
func FuzzParse(f *testing.F) {
	for _, s := range []string{"ami://admin@pbx:5038", "amis://[::1]", "ami://u:s3cret@h", "http://x", "ami://h:99999", "%"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		u, err := amiurl.Parse(s)
		if err != nil {
			var ue *amiurl.Error
			if !errors.As(err, &ue) {
				t.Fatalf("Parse(%q): %T %v, not an *Error", s, err, err)
			}
			if i := strings.Index(s, ":s3cret@"); i >= 0 && hasScheme.MatchString(s[:i]) && strings.Contains(err.Error(), "s3cret") && !strings.Contains(s[:i]+s[i+8:], "s3cret") {
				t.Fatalf("Parse(%q): the secret is in the error %q", s, err)
			}
			return
		}
		if u.Port < 0 || u.Port > 65535 {
			t.Fatalf("Parse(%q): port %d", s, u.Port)
		}
		if strings.Contains(u.User, ":") && strings.Contains(s, "@") && !strings.Contains(s, "%3") && !strings.Contains(s, "%3A") {
			t.Fatalf("Parse(%q): user %q may hold a secret", s, u.User)
		}
	})
}
