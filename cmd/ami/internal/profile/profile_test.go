package profile_test

import (
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/ami-cli/ami/amiwire/amitls"
	"github.com/ami-cli/ami/cmd/ami/internal/profile"
)

func TestParse(t *testing.T) {
	in := "\uFEFF# comment\n" +
		"; another\n" +
		"[pbx1]   ; the main one\n" +
		"host = pbx1.example.net\n" +
		"username = admin ; the admin\n" +
		"secret_file = ~/.config/ami/pbx1.secret;no space before the comment\n" +
		"auth = MD5\n" +
		"\n" +
		"  [lab]\n" +
		"HOST=10.0.0.5\n" +
		"port = 5039 ; TLS\n" +
		"tls = true\n" +
		"tls_fingerprint = sha256 Fingerprint=91:31:01:B8:5F:D9:3B:27:5B:95:C4:18:D5:EC:3D:05:A1:AA:4C:D3:A6:50:45:2D:F7:40:97:5C:8D:DE:9B:56 ; openssl's line\n" +
		"user = admin\n" +
		"secret = \"a;b \\; c\" ; quoted: taken as it is\n" +
		"\n" +
		"[escaped]\n" +
		"secret = ab\\;cd#1 ; as manager.conf writes a ';'\n" +
		"username = 'it' ; x\n" +
		"[empty values]\n" +
		"host =\n" +
		"secret = ''\n"
	got, err := profile.Parse(strings.NewReader(in), "config")
	if err != nil {
		t.Fatal(err)
	}
	pin, err := amitls.ParseFingerprint("913101b85fd93b275b95c418d5ec3d05a1aa4cd3a650452df740975c8dde9b56")
	if err != nil {
		t.Fatal(err)
	}
	want := []profile.Profile{
		{Name: "pbx1", Line: 3, Host: "pbx1.example.net", Username: "admin", SecretFile: "~/.config/ami/pbx1.secret", Auth: "md5"},
		{Name: "lab", Line: 9, Host: "10.0.0.5", Port: 5039, TLS: true, TLSFingerprint: pin, Username: "admin", Secret: `a;b \; c`, HasSecret: true},
		{Name: "escaped", Line: 17, Secret: "ab;cd#1", HasSecret: true, Username: "it"},
		{Name: "empty values", Line: 20, HasSecret: true},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Parse:\n got %+v\nwant %+v", got, want)
	}
}

func TestParseErrors(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"host = x\n", `config:1: "host" outside a [section]`},
		{"[a\n", "config:1: section header without ]"},
		{"[]\n", "empty section"},
		{"[a] b\n", `text after the section name: "b"`},
		{"[a]\n[a]\n", "config:2: section [a] again (first at line 1)"},
		{"[a]\nport = 0\n", "port"},
		{"[a]\nhost = pbx:5039\n", `config:2: host "pbx:5039": give the port on a line of its own (port = 5039)`},
		{"[a]\nhost = [::1]:5039\n", "port = 5039"},
		{"[a]\nport = x\n", `port "x"`},
		{"[a]\nport = 5038 5039\n", `port "5038 5039"`},
		{"[a]\ntls = maybe\n", "tls"},
		{"[a]\nauth = rsa\n", "auth"},
		{"[a]\ntls_fingerprint = AB:CD\n", "config:2: tls_fingerprint: "},
		{"[a]\ntls_fingerprint = AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF:01\n", "a SHA-1 fingerprint"},
		{"[a]\ncolour = red\n", `unknown key "colour"`},
		{"[a]\njust words\n", "config:2: want key = value"},
		{"[a]\n = x\n", "empty key"},
		{"[a]\nhost = x\nHost = y\n", "config:3: host given again in [a] (first at line 2)"},
		{"[a]\nuser = x\nusername = y\n", "given again"},
		{"[a]\nsecret = \"abc\n", `secret: no closing "`},
		{"[a]\nsecret = 'abc\" ; x\n", "secret: no closing '"},
		{"[a]\nsecret = \"ab\" cd\n", `text after the closing ": "cd"`},
		{"[a]\nsecret = a\x1bb\n", "control character"},
		{"[a]\nsecret = \"a\rb\"\n", "control character"},
		{"[a\x00]\n", "control character"},
	} {
		_, err := profile.Parse(strings.NewReader(tc.in), "config")
		var pe *profile.ParseError
		if !errors.As(err, &pe) || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("Parse(%q) = %v, want a *ParseError with %q", tc.in, err, tc.want)
		}
	}
}

// writeFile writes text to path with exactly mode (whatever the umask).
func writeFile(t *testing.T, path, text string, mode os.FileMode) {
	t.Helper()
	if err := os.WriteFile(path, []byte(text), mode); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(path, mode); err != nil {
		t.Fatal(err)
	}
}

// TestPermissions: a config file that holds a secret, and a secret file,
// may be read by the owner and the group (0640: root:nagios), not by
// others; a config file without a secret may be read by anyone.
func TestPermissions(t *testing.T) {
	dir := t.TempDir()
	cfg := filepath.Join(dir, "config")
	sf := filepath.Join(dir, "pbx.secret")
	for _, tc := range []struct {
		mode os.FileMode
		ok   bool
	}{
		{0o600, true}, {0o400, true}, {0o640, true}, {0o660, true}, {0o440, true},
		{0o644, false}, {0o604, false}, {0o602, false}, {0o666, false}, {0o606, false},
	} {
		for _, text := range []string{"[a]\nhost = h\nsecret = s3cret\n", "[a]\nhost = h\nsecret_file = pbx.secret\n", "[b]\nsecret = s\n[a]\nhost = h\n"} {
			writeFile(t, cfg, text, tc.mode)
			p, err := profile.Load(cfg, "a")
			var pe *profile.PermissionError
			if tc.ok && (err != nil || p.Host != "h") {
				t.Errorf("config %04o %q: %+v, %v", tc.mode, text, p, err)
			}
			if !tc.ok && (!errors.As(err, &pe) || !strings.Contains(err.Error(), "chmod o-rwx "+cfg)) {
				t.Errorf("config %04o %q: %v, want a *PermissionError saying how to fix it", tc.mode, text, err)
			}
		}
		writeFile(t, sf, "s3cret\n", tc.mode)
		s, err := profile.ReadSecretFile(sf)
		var pe *profile.PermissionError
		switch {
		case tc.ok && (err != nil || s != "s3cret"):
			t.Errorf("secret file %04o: %q, %v", tc.mode, s, err)
		case !tc.ok && !errors.As(err, &pe):
			t.Errorf("secret file %04o: %v, want a *PermissionError", tc.mode, err)
		case !tc.ok && strings.Contains(err.Error(), "s3cret"):
			t.Errorf("the secret is in the error: %v", err)
		}
	}
	// No secret in the file: anyone may read it.
	writeFile(t, cfg, "[a]\nhost = h\n", 0o644)
	if p, err := profile.Load(cfg, "a"); err != nil || p.Host != "h" {
		t.Errorf("config without a secret, 0644: %+v, %v", p, err)
	}
}

func TestLoad(t *testing.T) {
	dir := t.TempDir()
	cfg := filepath.Join(dir, "config")
	writeFile(t, cfg, "[rel]\nsecret_file = pbx.secret\n[abs]\nsecret_file = /etc/ami/x.secret\n[home]\nsecret_file = ~/x.secret\n[empty]\nsecret = ; nothing\n", 0o600)
	for name, want := range map[string]string{
		"rel": filepath.Join(dir, "pbx.secret"), "abs": "/etc/ami/x.secret", "home": profile.ExpandHome("~/x.secret"),
	} {
		p, err := profile.Load(cfg, name)
		if err != nil || p.SecretFile != want || p.Name != name {
			t.Errorf("Load %s: %+v, %v; want secret_file %q", name, p, err, want)
		}
	}
	if _, err := profile.Load(cfg, "empty"); err == nil || !strings.Contains(err.Error(), "[empty]: the secret is empty") {
		t.Errorf("empty secret: %v", err)
	}
	if _, err := profile.Load(cfg, "nope"); !errors.Is(err, profile.ErrNoProfile) || !strings.Contains(err.Error(), "no section [nope] in "+cfg) {
		t.Errorf("missing section: %v", err)
	}
	if _, err := profile.Load(filepath.Join(dir, "missing"), "a"); !errors.Is(err, profile.ErrNoFile) {
		t.Errorf("missing file: %v", err)
	}
	writeFile(t, cfg, "[a]\n"+strings.Repeat("; padding\n", profile.MaxFileSize/10+1), 0o600)
	if _, err := profile.Load(cfg, "a"); err == nil || !strings.Contains(err.Error(), "larger than") {
		t.Errorf("huge file: %v", err)
	}
}

func TestReadSecretFile(t *testing.T) {
	dir := t.TempDir()
	path := func(name, text string) string {
		p := filepath.Join(dir, name)
		writeFile(t, p, text, 0o600)
		return p
	}
	for _, tc := range []struct {
		name, text, want, err string
	}{
		{"lf", "s3cret\n", "s3cret", ""},
		{"crlf", "s3cret\r\n", "s3cret", ""},
		{"no line end", "s3 cr;et ", "s3 cr;et ", ""},
		{"empty", "", "", "empty"},
		{"only a line end", "\n", "", "empty"},
		{"two lines", "a\nb\n", "", "more than one line"},
	} {
		s, err := profile.ReadSecretFile(path(tc.name, tc.text))
		if tc.err == "" && (err != nil || s != tc.want) {
			t.Errorf("%s: %q, %v; want %q", tc.name, s, err, tc.want)
		}
		if tc.err != "" && (err == nil || !strings.Contains(err.Error(), tc.err)) {
			t.Errorf("%s: %q, %v; want an error with %q", tc.name, s, err, tc.err)
		}
	}
	if _, err := profile.ReadSecretFile(filepath.Join(dir, "missing")); err == nil {
		t.Error("missing file accepted")
	}
	if _, err := profile.ReadSecretFile(dir); err == nil || !strings.Contains(err.Error(), "directory") {
		t.Errorf("directory: %v", err)
	}
}

// TestParseIPv6Host: an IPv6 address is a host, not a host and a port.
func TestParseIPv6Host(t *testing.T) {
	for _, host := range []string{"::1", "fe80::1", "2001:db8::5038"} {
		ps, err := profile.Parse(strings.NewReader("[a]\nhost = "+host+"\n"), "config")
		if err != nil || len(ps) != 1 || ps[0].Host != host || ps[0].Port != 0 {
			t.Errorf("host = %s: %+v, %v", host, ps, err)
		}
	}
}
