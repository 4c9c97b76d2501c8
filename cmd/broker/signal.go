package main

import (
	"os"
	"os/signal"
	"syscall"
)

// notifySecond delivers the next SIGINT or SIGTERM, the one that turns a
// graceful stop into an immediate one.
func notifySecond() (<-chan os.Signal, func()) {
	ch := make(chan os.Signal, 1)
	signal.Notify(ch, os.Interrupt, syscall.SIGTERM)
	return ch, func() { signal.Stop(ch) }
}
