package sip

import (
	"encoding/binary"
	"encoding/hex"
	"math/rand/v2"
)

// Identifiers the broker makes up: Call-IDs, tags, branches and record
// ids. They come from the runtime's per-thread ChaCha8 generator, which is
// unpredictable enough for SIP and costs no lock. None is derived from
// anything the caller sent.

// randHex returns 2*n hex digits of fresh randomness, n a multiple of 8.
func randHex(n int) string {
	var raw [32]byte
	var out [64]byte
	for i := 0; i < n; i += 8 {
		binary.LittleEndian.PutUint64(raw[i:], rand.Uint64())
	}
	hex.Encode(out[:], raw[:n])
	return string(out[:2*n])
}

func newCallID() string { return randHex(16) }

func newTag() string { return randHex(8) }

func newRecordID() string { return randHex(16) }

// newBranch returns an RFC 3261 branch: the magic cookie and 16 hex digits.
func newBranch() string { return "z9hG4bK" + randHex(8) }

// newSessionID returns an SDP session id that fits in 63 bits, as some
// stacks read it as a signed integer.
func newSessionID() uint64 { return rand.Uint64() >> 1 }
