package main

import (
	"errors"
	"fmt"
	"strings"

	"assent"
)

// exitError carries an exit code other than 1, such as a failed audit.
type exitError struct {
	code int
	msg  string
}

func (e *exitError) Error() string { return e.msg }

func exitCode(err error) int {
	var e *exitError
	if errors.As(err, &e) {
		return e.code
	}
	return 1
}

// describeError prints a domain error with every input at fault.
func describeError(err error) string {
	var e *assent.Error
	if !errors.As(err, &e) {
		return err.Error()
	}
	if len(e.Details) <= 1 {
		return e.Message
	}
	var sb strings.Builder
	sb.WriteString(e.Message)
	for _, d := range e.Details {
		fmt.Fprintf(&sb, "\n  %s: %s", d.Location, d.Message)
	}
	return sb.String()
}
