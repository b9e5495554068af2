package main

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// profile is one [name] section of the config file.
type profile struct {
	Name       string
	Host       string
	Port       int
	Username   string
	Secret     string
	hasSecret  bool // Secret was given (it may be empty)
	SecretFile string
	TLS        bool
	Auth       string
}

// configPath returns $XDG_CONFIG_HOME/ami/config, or ~/.config/ami/config
// when XDG_CONFIG_HOME is unset or not absolute.
func configPath() (string, error) {
	if dir := os.Getenv("XDG_CONFIG_HOME"); dir != "" && filepath.IsAbs(dir) {
		return filepath.Join(dir, "ami", "config"), nil
	}
	home, err := os.UserHomeDir()
	if err != nil {
		return "", fmt.Errorf("config: %w", err)
	}
	return filepath.Join(home, ".config", "ami", "config"), nil
}

// loadProfile reads the named section of the config file. A config file
// that holds a secret or names a secret file and is readable by group or
// others is refused, like ssh refuses such keys.
func loadProfile(name string) (profile, error) {
	path, err := configPath()
	if err != nil {
		return profile{}, usageError("--profile %s: %v", name, err)
	}
	f, err := os.Open(path)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return profile{}, usageError("--profile %s: no config file %s", name, path)
		}
		return profile{}, usageError("--profile %s: %v", name, err)
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return profile{}, usageError("config: %v", err)
	}
	profiles, err := parseConfig(io.LimitReader(f, 1<<20), path)
	if err != nil {
		return profile{}, err
	}
	for _, p := range profiles {
		if p.hasSecret || p.SecretFile != "" {
			if err := checkPrivate(path, st, "config file"); err != nil {
				return profile{}, err
			}
			break
		}
	}
	for _, p := range profiles {
		if p.Name == name {
			if p.SecretFile != "" {
				p.SecretFile = expandHome(p.SecretFile)
				if !filepath.IsAbs(p.SecretFile) {
					p.SecretFile = filepath.Join(filepath.Dir(path), p.SecretFile)
				}
			}
			return p, nil
		}
	}
	return profile{}, usageError("--profile %s: no section [%s] in %s", name, name, path)
}

// parseConfig reads an INI-like config: "[name]" sections of "key = value"
// lines; '#' and ';' start comment lines. Keys: host, port, username (or
// user), secret, secret_file, tls, auth. Errors name the file and line.
func parseConfig(r io.Reader, path string) ([]profile, error) {
	var out []profile
	sc := bufio.NewScanner(r)
	lineNo := 0
	bad := func(format string, args ...any) error {
		return usageError("config %s:%d: %s", path, lineNo, fmt.Sprintf(format, args...))
	}
	for sc.Scan() {
		lineNo++
		line := strings.TrimSpace(sc.Text())
		if line == "" || line[0] == '#' || line[0] == ';' {
			continue
		}
		if line[0] == '[' {
			if !strings.HasSuffix(line, "]") {
				return nil, bad("section header without ]")
			}
			name := strings.TrimSpace(line[1 : len(line)-1])
			if name == "" {
				return nil, bad("empty section name")
			}
			out = append(out, profile{Name: name})
			continue
		}
		key, val, ok := strings.Cut(line, "=")
		if !ok {
			return nil, bad("want key = value")
		}
		if len(out) == 0 {
			return nil, bad("%q outside a [section]", strings.TrimSpace(key))
		}
		p := &out[len(out)-1]
		key = strings.ToLower(strings.TrimSpace(key))
		val = unquote(strings.TrimSpace(val))
		switch key {
		case "host":
			p.Host = val
		case "port":
			n, err := strconv.Atoi(val)
			if err != nil || n <= 0 || n > 65535 {
				return nil, bad("port %q: want 1 to 65535", val)
			}
			p.Port = n
		case "username", "user":
			p.Username = val
		case "secret":
			p.Secret, p.hasSecret = val, true
		case "secret_file", "secret-file":
			p.SecretFile = val
		case "tls":
			b, err := strconv.ParseBool(val)
			if err != nil {
				return nil, bad("tls %q: want true or false", val)
			}
			p.TLS = b
		case "auth":
			switch strings.ToLower(val) {
			case "plain", "md5":
				p.Auth = strings.ToLower(val)
			default:
				return nil, bad("auth %q: want plain or md5", val)
			}
		default:
			return nil, bad("unknown key %q", key)
		}
	}
	if err := sc.Err(); err != nil {
		return nil, usageError("config %s: %v", path, err)
	}
	return out, nil
}

// unquote removes one pair of matching surrounding quotes.
func unquote(s string) string {
	if len(s) >= 2 && (s[0] == '"' || s[0] == '\'') && s[len(s)-1] == s[0] {
		return s[1 : len(s)-1]
	}
	return s
}

// expandHome turns a leading "~/" into the home directory.
func expandHome(path string) string {
	if path == "~" || strings.HasPrefix(path, "~/") {
		if home, err := os.UserHomeDir(); err == nil {
			return filepath.Join(home, path[1:])
		}
	}
	return path
}
