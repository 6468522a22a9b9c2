package main

import "os"

// cmdEnv reads a variable that is deliberately not a flag, such as a
// password, which would show in the process list.
func cmdEnv(name string) string { return os.Getenv(name) }
