package profile

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"strings"
)

// MaxSecretFileSize is the most read of a secret file.
const MaxSecretFileSize = 64 << 10

// PermissionError is a file holding a secret that others may read or
// write. Its message says how to fix it.
type PermissionError struct {
	What string // "secret file", "config file"
	Path string
	Mode fs.FileMode
}

func (e *PermissionError) Error() string {
	return fmt.Sprintf("%s %s is open to others (mode %04o): run chmod o-rwx %s (the group may read it)", e.What, e.Path, e.Mode.Perm(), e.Path)
}

// CheckPrivate refuses a file holding a secret (what says which kind, for
// the message) that users other than its owner and group can read or
// write: a *PermissionError. The group may read it, for the usual
// monitoring setup of a file owned by root with the group of the
// monitoring user (mode 0640); a file others can write is refused as well,
// since whoever rewrites the config can send the secret elsewhere.
func CheckPrivate(path string, st fs.FileInfo, what string) error {
	if st.Mode().Perm()&0o006 != 0 {
		return &PermissionError{What: what, Path: path, Mode: st.Mode()}
	}
	return nil
}

// ErrEmptySecret is ReadSecretFile's error (wrapped) for a file with no
// secret in it.
var ErrEmptySecret = errors.New("empty")

// ReadSecretFile reads the secret in the file at path (a leading "~/" is
// the home folder): the file's one line, without its line end. The file
// must be private (CheckPrivate); an empty secret or one of more than one
// line is refused.
func ReadSecretFile(path string) (string, error) {
	path = ExpandHome(path)
	f, err := os.Open(path)
	if err != nil {
		return "", fmt.Errorf("secret file: %w", err)
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return "", fmt.Errorf("secret file: %w", err)
	}
	if st.IsDir() {
		return "", fmt.Errorf("secret file %s: is a directory", path)
	}
	if err := CheckPrivate(path, st, "secret file"); err != nil {
		return "", err
	}
	b, err := io.ReadAll(io.LimitReader(f, MaxSecretFileSize+1))
	if err != nil {
		return "", fmt.Errorf("secret file %s: %w", path, err)
	}
	if len(b) > MaxSecretFileSize {
		return "", fmt.Errorf("secret file %s: larger than %d bytes", path, MaxSecretFileSize)
	}
	secret := strings.TrimRight(string(b), "\r\n")
	if strings.ContainsAny(secret, "\r\n") {
		return "", fmt.Errorf("secret file %s: more than one line", path)
	}
	if secret == "" {
		return "", fmt.Errorf("secret file %s: %w", path, ErrEmptySecret)
	}
	return secret, nil
}
