package main

// TEMPORARY placeholders so cmd/ami compiles until helper-6's files land.
// helper-6: delete this file when you add listen.go, logincheck.go,
// mock.go and completion.go (they define every function below).

import (
	"github.com/urfave/cli/v2"
)

func listenCommand() *cli.Command     { return &cli.Command{Name: "listen", Flags: connectionFlags()} }
func loginCheckCommand() *cli.Command { return &cli.Command{Name: "login-check", Flags: connectionFlags()} }
func completionCommand() *cli.Command { return &cli.Command{Name: "completion"} }
