package profile_test

import (
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"

	"github.com/ami-cli/ami/cmd/ami/internal/profile"
)

// FuzzParse: Parse never panics, fails only with a *ParseError, and what it
// reads holds no control characters; written back out (values quoted) it
// reads the same.
func FuzzParse(f *testing.F) {
	for _, s := range []string{
		"[pbx1]\nhost = pbx1.example.net\nusername = admin ; the admin\nsecret_file = pbx1.secret\nauth = md5\n",
		"[lab]\nport = 5039\ntls = true\nsecret = \"a;b\" ; c\n",
		"[x]\nsecret = ab\\;cd\\\\;e\n",
		"[x]\nsecret = 'q\"' ;\n[y] ; c\n# c\n",
		"\uFEFF[x]\r\nuser=a\r\n",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		ps, err := profile.Parse(strings.NewReader(in), "config")
		if err != nil {
			var pe *profile.ParseError
			if !errors.As(err, &pe) {
				t.Fatalf("error %T %v, want *ParseError", err, err)
			}
			return
		}
		var b strings.Builder
		for _, p := range ps {
			for _, s := range []string{p.Name, p.Host, p.Username, p.Secret, p.SecretFile} {
				if strings.ContainsFunc(s, func(r rune) bool { return (r < 0x20 && r != '\t') || r == 0x7f }) {
					t.Fatalf("control character in %q", s)
				}
			}
			if strings.ContainsAny(p.Name, "]") || strings.TrimSpace(p.Name) != p.Name || p.Name == "" {
				// Not written back the same way; nothing more to check.
				return
			}
			fmt.Fprintf(&b, "[%s]\n", p.Name)
			for _, kv := range [][2]string{{"host", p.Host}, {"username", p.Username}, {"secret_file", p.SecretFile}} {
				if kv[1] != "" {
					if !quote(&b, kv[0], kv[1]) {
						return
					}
				}
			}
			if p.HasSecret && !quote(&b, "secret", p.Secret) {
				return
			}
			if p.Port != 0 {
				fmt.Fprintf(&b, "port = %d\n", p.Port)
			}
			if p.TLS {
				b.WriteString("tls = true\n")
			}
			if p.Auth != "" {
				fmt.Fprintf(&b, "auth = %s ; comment\n", p.Auth)
			}
		}
		again, err := profile.Parse(strings.NewReader(b.String()), "config")
		if err != nil {
			t.Fatalf("written back:\n%s\nParse: %v", b.String(), err)
		}
		for i := range again {
			again[i].Line = ps[i].Line
		}
		if !reflect.DeepEqual(again, ps) {
			t.Fatalf("written back:\n%s\nread %+v\nwant %+v", b.String(), again, ps)
		}
	})
}

// quote writes key = "value" (or with ' when the value holds a "); it
// reports false for a value holding both quotes, which no quoting holds.
func quote(b *strings.Builder, key, val string) bool {
	q := `"`
	if strings.Contains(val, q) {
		q = "'"
		if strings.Contains(val, q) {
			return false
		}
	}
	fmt.Fprintf(b, "%s = %s%s%s ; comment\n", key, q, val, q)
	return true
}
