// Package logtest gives tests a log sink that several goroutines may write
// to at once, so that a test can search everything the code under test
// logged (for a full phone number, say).
package logtest

import (
	"bytes"
	"sync"
)

// Buffer collects log output written from several goroutines.
type Buffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

// Write appends p.
func (b *Buffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

// String returns everything written so far.
func (b *Buffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}
