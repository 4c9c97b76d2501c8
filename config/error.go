package config

import (
	"fmt"
	"strings"
)

// Problem is one thing wrong with a configuration: the key path
// ("sip.listen") or environment variable ("BROKER_SIP_LISTEN") it concerns,
// and what is wrong. A message never repeats the value of store.dsn, which
// may hold a password.
type Problem struct {
	Key     string
	Message string
}

// String gives the problem as "key: message".
func (p Problem) String() string {
	return p.Key + ": " + p.Message
}

// Error is returned by Load and Validate when the configuration's content
// is wrong. It carries every problem found, so that one start-up shows all
// that needs fixing instead of one problem per attempt.
type Error struct {
	Problems []Problem
}

// Error lists the problems on one line, separated by semicolons.
func (e *Error) Error() string {
	parts := make([]string, len(e.Problems))
	for i, p := range e.Problems {
		parts[i] = p.String()
	}
	return "invalid configuration: " + strings.Join(parts, "; ")
}

// Has reports whether one of the problems concerns key.
func (e *Error) Has(key string) bool {
	for _, p := range e.Problems {
		if p.Key == key {
			return true
		}
	}
	return false
}

// problems collects Problems while a configuration is checked.
type problems []Problem

func (ps *problems) addf(key, format string, args ...any) {
	*ps = append(*ps, Problem{Key: key, Message: fmt.Sprintf(format, args...)})
}

// err returns nil when nothing was found, else an *Error.
func (ps problems) err() error {
	if len(ps) == 0 {
		return nil
	}
	return &Error{Problems: ps}
}
