// Command assent is the Assent server and its offline administration
// commands, in one binary.
package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	m := &Main{Stdin: os.Stdin, Stdout: os.Stdout, Stderr: os.Stderr}
	if err := m.Run(ctx, os.Args); err != nil {
		fmt.Fprintln(os.Stderr, "assent:", describeError(err))
		os.Exit(exitCode(err))
	}
}

// Main runs one invocation of the binary. Tests run it in-process with their
// own streams and learn the server's address through OnListen.
type Main struct {
	Stdin          io.Reader
	Stdout, Stderr io.Writer
	// OnListen, when set, receives the server's base URL once it listens.
	OnListen func(url string)
}

// Run parses args (args[0] is the program name) and runs the command.
func (m *Main) Run(ctx context.Context, args []string) error {
	return m.command().Run(ctx, args)
}
