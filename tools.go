//go:build tools

// This file is never built (the tools tag is never set). It names a
// module the code does not import yet, so that `go mod tidy` keeps it in
// go.mod: github.com/pion/rtp, for the media relay still to be written.
package main

import (
	_ "github.com/pion/rtp"
)

func main() {}
