// Package e2e holds the broker's end-to-end tests. Each test starts a whole
// node in-process (app.Start on a SQLite store in a temporary directory,
// HTTP and SIP on random loopback ports), makes bindings through the HTTP
// API, and places calls with real SIPp processes: one as the courier, one
// as the phone behind the carrier's trunk. It then reads what each SIPp
// saw from its message log and the call records from GET /v1/calls.
//
// The tests live in package e2e_test; this file only documents the
// package. They need sipp on PATH (Debian's sip-tester, which
// scripts/testenv.sh installs) and fail, rather than skip, without it.
// Scenarios are in testdata/.
package e2e
