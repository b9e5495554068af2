//go:build urfave_cli_no_docs

package main

import (
	"errors"

	"github.com/urfave/cli/v2"
)

// haveManPage says whether this build can render the man page.
const haveManPage = false

// renderMan fails: this build left urfave/cli's man page support out (see
// man.go).
func renderMan(*cli.App) (string, error) {
	return "", errors.New("this ami was built with -tags urfave_cli_no_docs; generate the page with: go run ./cmd/ami completion man")
}
