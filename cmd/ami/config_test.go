package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestParseConfig(t *testing.T) {
	in := `# comment
; another
[pbx1]
host = pbx1.example.net
username = monitor
secret_file = ~/.config/ami/pbx1.secret
auth = MD5

[lab]
host=10.0.0.5
port = 5039
tls = true
user = admin
secret = "admin"
`
	ps, err := parseConfig(strings.NewReader(in), "config")
	if err != nil {
		t.Fatal(err)
	}
	if len(ps) != 2 {
		t.Fatalf("%d profiles", len(ps))
	}
	p1, p2 := ps[0], ps[1]
	if p1.Name != "pbx1" || p1.Host != "pbx1.example.net" || p1.Username != "monitor" || p1.SecretFile != "~/.config/ami/pbx1.secret" || p1.Auth != "md5" || p1.hasSecret {
		t.Errorf("pbx1 = %+v", p1)
	}
	if p2.Name != "lab" || p2.Port != 5039 || !p2.TLS || p2.Username != "admin" || p2.Secret != "admin" || !p2.hasSecret {
		t.Errorf("lab = %+v", p2)
	}

	bad := []struct{ in, want string }{
		{"host = x\n", "outside a [section]"},
		{"[a\n", "without ]"},
		{"[]\n", "empty section"},
		{"[a]\nport = 0\n", "port"},
		{"[a]\nport = x\n", "port"},
		{"[a]\ntls = maybe\n", "tls"},
		{"[a]\nauth = rsa\n", "auth"},
		{"[a]\ncolour = red\n", `unknown key "colour"`},
		{"[a]\njust words\n", "config:2"},
	}
	for _, b := range bad {
		_, err := parseConfig(strings.NewReader(b.in), "config")
		if err == nil || !strings.Contains(err.Error(), b.want) {
			t.Errorf("parseConfig(%q) = %v, want %q", b.in, err, b.want)
		}
		if exitCode(err) != exitUsage {
			t.Errorf("parseConfig(%q): exit %d", b.in, exitCode(err))
		}
	}
}

func TestLoadProfilePermissions(t *testing.T) {
	dir := t.TempDir()
	t.Setenv("XDG_CONFIG_HOME", dir)
	path := filepath.Join(dir, "ami", "config")
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		t.Fatal(err)
	}
	write := func(text string, mode os.FileMode) {
		t.Helper()
		if err := os.WriteFile(path, []byte(text), mode); err != nil {
			t.Fatal(err)
		}
		if err := os.Chmod(path, mode); err != nil {
			t.Fatal(err)
		}
	}

	write("[a]\nhost = h\nsecret = s\n", 0o644)
	_, err := loadProfile("a")
	if err == nil || !strings.Contains(err.Error(), "chmod 600 "+path) || exitCode(err) != exitUsage {
		t.Fatalf("world-readable config with secret: %v", err)
	}
	write("[a]\nhost = h\nsecret_file = s.secret\n", 0o640)
	if _, err := loadProfile("a"); err == nil || !strings.Contains(err.Error(), "chmod 600") {
		t.Fatalf("group-readable config with secret_file: %v", err)
	}
	write("[a]\nhost = h\n", 0o644) // no secret: readable is fine
	if p, err := loadProfile("a"); err != nil || p.Host != "h" {
		t.Fatalf("config without secret: %+v, %v", p, err)
	}
	write("[a]\nhost = h\nsecret_file = s.secret\n", 0o600)
	p, err := loadProfile("a")
	if err != nil {
		t.Fatal(err)
	}
	if want := filepath.Join(dir, "ami", "s.secret"); p.SecretFile != want {
		t.Errorf("relative secret_file = %q, want %q", p.SecretFile, want)
	}
	if _, err := loadProfile("nope"); err == nil || !strings.Contains(err.Error(), "no section [nope]") {
		t.Errorf("missing section: %v", err)
	}
	os.Remove(path)
	if _, err := loadProfile("a"); err == nil || !strings.Contains(err.Error(), "no config file") {
		t.Errorf("missing file: %v", err)
	}
}

func TestReadSecretFile(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "s")
	os.WriteFile(path, []byte("s3cret\n"), 0o600)
	if s, err := readSecretFile(path); err != nil || s != "s3cret" {
		t.Fatalf("= %q, %v", s, err)
	}
	os.Chmod(path, 0o604)
	if _, err := readSecretFile(path); err == nil || !strings.Contains(err.Error(), "chmod 600 "+path) {
		t.Fatalf("others-readable: %v", err)
	}
	os.WriteFile(filepath.Join(dir, "two"), []byte("a\nb\n"), 0o600)
	if _, err := readSecretFile(filepath.Join(dir, "two")); err == nil {
		t.Fatal("two-line secret accepted")
	}
	if _, err := readSecretFile(filepath.Join(dir, "missing")); err == nil || exitCode(err) != exitUsage {
		t.Fatalf("missing: %v", err)
	}
}
