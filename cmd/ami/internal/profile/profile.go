// Package profile reads ami's connection profiles and the secret files
// they name.
//
// # The config file
//
// $XDG_CONFIG_HOME/ami/config (see DefaultPath) holds named sections of
// "key = value" lines, in the style of Asterisk's own .conf files:
//
//	[pbx1]                       ; the section's name is the profile's
//	host = pbx1.example.net
//	username = monitor           ; a comment after a value
//	secret_file = pbx1.secret    ; relative to the config file's folder
//
// Keys: host, port, username (or user), secret, secret_file (or
// secret-file), tls (true or false), tls_fingerprint (or tls-fingerprint:
// the server certificate's SHA-256 fingerprint, as amitls.ParseFingerprint
// reads it) and auth (plain or md5); key names are
// case-insensitive, and a key given twice in one section is an error, as
// is a section given twice.
//
// Comments: a line whose first non-blank character is ';' or '#' is a
// comment. After a value, ';' starts a comment, as in Asterisk's .conf
// files; write "\;" for a ';' that is part of the value (as manager.conf
// itself needs), so a secret line copied from manager.conf means the same
// here. A value may instead be quoted, "..." or '...': everything between
// the quotes is taken as it is, ';' and '\' included, and only blanks or a
// comment may follow the closing quote. Blanks around an unquoted value are
// dropped. A '#' after a value is part of it. A value may not hold control
// characters other than tab.
package profile

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/ami-cli/ami/amiwire/amitls"
)

// Profile is one [name] section of the config file. A field the section
// does not set is the zero value.
type Profile struct {
	Name       string
	Line       int // of the section's [name] line
	Host       string
	Port       int
	Username   string
	Secret     string
	HasSecret  bool   // a secret line was given (Load refuses an empty one)
	SecretFile string // as written; Load makes it absolute
	TLS        bool
	// TLSFingerprint pins the server's certificate (tls_fingerprint); zero
	// when not given.
	TLSFingerprint amitls.Fingerprint
	Auth           string // "plain", "md5" or ""
}

// HoldsSecret reports whether the profile gives a secret or names a file
// holding one.
func (p Profile) HoldsSecret() bool { return p.HasSecret || p.SecretFile != "" }

// ParseError is a line of a config file that could not be read.
type ParseError struct {
	Path string
	Line int // 0 when the error is about the whole file
	Msg  string
}

func (e *ParseError) Error() string {
	if e.Line == 0 {
		return fmt.Sprintf("config %s: %s", e.Path, e.Msg)
	}
	return fmt.Sprintf("config %s:%d: %s", e.Path, e.Line, e.Msg)
}

// MaxFileSize is the largest config file read; a longer one is refused
// rather than read in part.
const MaxFileSize = 1 << 20

// DefaultPath returns $XDG_CONFIG_HOME/ami/config, or ~/.config/ami/config
// when XDG_CONFIG_HOME is unset or not absolute (as the XDG specification
// says to treat it).
func DefaultPath() (string, error) {
	if dir := os.Getenv("XDG_CONFIG_HOME"); dir != "" && filepath.IsAbs(dir) {
		return filepath.Join(dir, "ami", "config"), nil
	}
	home, err := os.UserHomeDir()
	if err != nil {
		return "", fmt.Errorf("config: %w", err)
	}
	return filepath.Join(home, ".config", "ami", "config"), nil
}

// ErrNoFile is Load's error (wrapped) when the config file does not exist.
var ErrNoFile = errors.New("no config file")

// ErrNoProfile is Load's error (wrapped) when the file has no section of
// the name asked for.
var ErrNoProfile = errors.New("no such profile")

// Load reads the config file at path and returns its section name. A file
// in which any section holds a secret (see HoldsSecret) must be private
// (see CheckPrivate). The profile's secret_file is made absolute: a
// leading "~/" is the home folder, and a relative path is taken from the
// config file's folder. An empty secret is refused.
func Load(path, name string) (Profile, error) {
	f, err := os.Open(path)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return Profile{}, fmt.Errorf("%w %s", ErrNoFile, path)
		}
		return Profile{}, fmt.Errorf("config: %w", err)
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return Profile{}, fmt.Errorf("config: %w", err)
	}
	b, err := io.ReadAll(io.LimitReader(f, MaxFileSize+1))
	if err != nil {
		return Profile{}, fmt.Errorf("config %s: %w", path, err)
	}
	if len(b) > MaxFileSize {
		return Profile{}, &ParseError{Path: path, Msg: fmt.Sprintf("larger than %d bytes", MaxFileSize)}
	}
	profiles, err := Parse(bytes.NewReader(b), path)
	if err != nil {
		return Profile{}, err
	}
	for _, p := range profiles {
		if p.HoldsSecret() {
			if err := CheckPrivate(path, st, "config file"); err != nil {
				return Profile{}, err
			}
			break
		}
	}
	for _, p := range profiles {
		if p.Name != name {
			continue
		}
		if p.HasSecret && p.Secret == "" {
			return Profile{}, &ParseError{Path: path, Line: p.Line, Msg: fmt.Sprintf("[%s]: the secret is empty", name)}
		}
		if p.SecretFile != "" {
			p.SecretFile = ExpandHome(p.SecretFile)
			if !filepath.IsAbs(p.SecretFile) {
				p.SecretFile = filepath.Join(filepath.Dir(path), p.SecretFile)
			}
		}
		return p, nil
	}
	return Profile{}, fmt.Errorf("%w: no section [%s] in %s", ErrNoProfile, name, path)
}

// Parse reads a config file's text (see the package documentation). path
// names the file in errors, which are *ParseError.
func Parse(r io.Reader, path string) ([]Profile, error) {
	var out []Profile
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 4096), MaxFileSize)
	lineNo := 0
	bad := func(format string, args ...any) error {
		return &ParseError{Path: path, Line: lineNo, Msg: fmt.Sprintf(format, args...)}
	}
	seenKey := map[string]int{} // of the current section: key -> line
	for sc.Scan() {
		lineNo++
		line := sc.Text()
		if lineNo == 1 {
			line = strings.TrimPrefix(line, "\uFEFF") // a byte order mark from some editors
		}
		line = strings.TrimLeft(line, " \t")
		if line == "" || line[0] == '#' || line[0] == ';' {
			continue
		}
		if line[0] == '[' {
			end := strings.IndexByte(line, ']')
			if end < 0 {
				return nil, bad("section header without ]")
			}
			if rest := strings.TrimSpace(line[end+1:]); rest != "" && rest[0] != ';' && rest[0] != '#' {
				return nil, bad("text after the section name: %q", rest)
			}
			name := strings.TrimSpace(line[1:end])
			if name == "" {
				return nil, bad("empty section name")
			}
			if c := firstControl(name); c >= 0 {
				return nil, bad("control character %q in the section name", name[c])
			}
			for _, p := range out {
				if p.Name == name {
					return nil, bad("section [%s] again (first at line %d)", name, p.Line)
				}
			}
			out = append(out, Profile{Name: name, Line: lineNo})
			clear(seenKey)
			continue
		}
		rawKey, rawVal, ok := strings.Cut(line, "=")
		if !ok {
			return nil, bad("want key = value")
		}
		key := strings.ToLower(strings.TrimSpace(rawKey))
		if key == "" {
			return nil, bad("empty key")
		}
		if len(out) == 0 {
			return nil, bad("%q outside a [section]", key)
		}
		val, err := parseValue(rawVal)
		if err != nil {
			return nil, bad("%s: %v", key, err)
		}
		p := &out[len(out)-1]
		canon := key
		switch key {
		case "user":
			canon = "username"
		case "secret-file":
			canon = "secret_file"
		case "tls-fingerprint":
			canon = "tls_fingerprint"
		}
		if first, ok := seenKey[canon]; ok {
			return nil, bad("%s given again in [%s] (first at line %d)", key, p.Name, first)
		}
		seenKey[canon] = lineNo
		switch canon {
		case "host":
			// The port has a key of its own; "pbx:5039" would otherwise
			// be dialled as a host name on the default port.
			if _, port, err := net.SplitHostPort(val); err == nil {
				return nil, bad("host %q: give the port on a line of its own (port = %s)", val, port)
			}
			p.Host = val
		case "port":
			n, err := strconv.Atoi(val)
			if err != nil || n <= 0 || n > 65535 {
				return nil, bad("port %q: want 1 to 65535", val)
			}
			p.Port = n
		case "username":
			p.Username = val
		case "secret":
			p.Secret, p.HasSecret = val, true
		case "secret_file":
			p.SecretFile = val
		case "tls":
			b, err := strconv.ParseBool(val)
			if err != nil {
				return nil, bad("tls %q: want true or false", val)
			}
			p.TLS = b
		case "tls_fingerprint":
			fp, err := amitls.ParseFingerprint(val)
			if err != nil {
				return nil, bad("tls_fingerprint: %v", err)
			}
			p.TLSFingerprint = fp
		case "auth":
			switch strings.ToLower(val) {
			case "plain", "md5":
				p.Auth = strings.ToLower(val)
			default:
				return nil, bad("auth %q: want plain or md5", val)
			}
		default:
			return nil, bad("unknown key %q (want host, port, username, secret, secret_file, tls, tls_fingerprint or auth)", key)
		}
	}
	if err := sc.Err(); err != nil {
		return nil, &ParseError{Path: path, Line: lineNo + 1, Msg: err.Error()}
	}
	return out, nil
}

// parseValue reads what follows the '=' of a line: a quoted value, or an
// unquoted one up to a ';' comment, "\;" standing for ';'.
func parseValue(s string) (string, error) {
	s = strings.TrimLeft(s, " \t")
	var val string
	if s != "" && (s[0] == '"' || s[0] == '\'') {
		end := strings.IndexByte(s[1:], s[0])
		if end < 0 {
			return "", fmt.Errorf("no closing %c", s[0])
		}
		val = s[1 : 1+end]
		if rest := strings.TrimLeft(s[2+end:], " \t"); rest != "" && rest[0] != ';' {
			return "", fmt.Errorf("text after the closing %c: %q (quote the whole value, or start a comment with ;)", s[0], rest)
		}
	} else {
		var b strings.Builder
		for i := 0; i < len(s); i++ {
			if s[i] == '\\' && i+1 < len(s) && s[i+1] == ';' {
				b.WriteByte(';')
				i++
				continue
			}
			if s[i] == ';' {
				break
			}
			b.WriteByte(s[i])
		}
		val = strings.TrimRight(b.String(), " \t")
	}
	if c := firstControl(val); c >= 0 {
		return "", fmt.Errorf("control character %q in the value", val[c])
	}
	return val, nil
}

// firstControl returns the index of the first control character (C0
// other than tab, or DEL) in s, or -1.
func firstControl(s string) int {
	for i := 0; i < len(s); i++ {
		if c := s[i]; (c < 0x20 && c != '\t') || c == 0x7f {
			return i
		}
	}
	return -1
}

// ExpandHome turns a leading "~/" (or a lone "~") into the home folder.
func ExpandHome(path string) string {
	if path == "~" || strings.HasPrefix(path, "~/") {
		if home, err := os.UserHomeDir(); err == nil {
			return filepath.Join(home, path[1:])
		}
	}
	return path
}
