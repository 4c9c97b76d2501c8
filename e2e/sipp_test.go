package e2e_test

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// Bounds of one SIPp run: SIPp's own global timeout, and a harder one on
// the process in case SIPp itself hangs.
const (
	sippTimeout   = "20s"
	processBound  = 40 * time.Second
	listenBound   = 5 * time.Second
	loopbackIP    = "127.0.0.1"
	installAdvice = "sipp is not on PATH: install Debian's sip-tester " +
		"(apt-get install sip-tester), or run scripts/testenv.sh, which does it"
)

// sippPath returns the sipp binary, failing the test when it is missing:
// an end-to-end test that cannot run must not pass.
func sippPath(t *testing.T) string {
	t.Helper()
	path, err := exec.LookPath("sipp")
	if err != nil {
		t.Fatal(installAdvice)
	}
	return path
}

// ports hands out loopback ports free for both UDP and TCP, each at most
// once per test binary, so parallel tests never pick the same one.
var ports = struct {
	sync.Mutex
	given map[int]bool
}{given: make(map[int]bool)}

func freePort(t *testing.T) int {
	t.Helper()
	ports.Lock()
	defer ports.Unlock()

	for range 100 {
		udp, err := net.ListenUDP("udp", &net.UDPAddr{IP: net.ParseIP(loopbackIP)})
		if err != nil {
			t.Fatalf("find a free port: %v", err)
		}
		port := udp.LocalAddr().(*net.UDPAddr).Port
		tcp, err := net.Listen("tcp", net.JoinHostPort(loopbackIP, strconv.Itoa(port)))
		udp.Close()
		if err != nil {
			continue
		}
		tcp.Close()
		if !ports.given[port] {
			ports.given[port] = true
			return port
		}
	}
	t.Fatal("find a free port: none free for both UDP and TCP after 100 tries")
	return 0
}

// sipp is one SIPp process of a test.
type sipp struct {
	name    string
	msgLog  string
	errLog  string
	outPath string
	done    chan struct{}
	err     error
}

// sippArgs are the options every test run uses: one call, no keyboard,
// every message logged, and bounded.
func sippArgs(msgLog, errLog string) []string {
	return []string{
		"-m", "1", "-nostdin",
		"-trace_msg", "-message_file", msgLog,
		"-trace_err", "-error_file", errLog,
		"-timeout", sippTimeout, "-timeout_error",
	}
}

// startSIPp runs sipp with the scenario file from testdata and args. The
// process is killed if the test ends first.
func startSIPp(t *testing.T, name, scenario string, args ...string) *sipp {
	t.Helper()
	dir := t.TempDir()
	sf, err := filepath.Abs(filepath.Join("testdata", scenario))
	if err != nil {
		t.Fatalf("scenario %s: %v", scenario, err)
	}
	p := &sipp{
		name:    name,
		msgLog:  filepath.Join(dir, name+"_messages.log"),
		errLog:  filepath.Join(dir, name+"_errors.log"),
		outPath: filepath.Join(dir, name+".out"),
		done:    make(chan struct{}),
	}

	out, err := os.Create(p.outPath)
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), processBound)
	full := append([]string{"-sf", sf}, sippArgs(p.msgLog, p.errLog)...)
	cmd := exec.CommandContext(ctx, sippPath(t), append(full, args...)...)
	cmd.Dir, cmd.Stdout, cmd.Stderr = dir, out, out
	cmd.WaitDelay = 2 * time.Second
	if err := cmd.Start(); err != nil {
		cancel()
		out.Close()
		t.Fatalf("start %s: %v", name, err)
	}

	go func() {
		p.err = cmd.Wait()
		cancel()
		out.Close()
		close(p.done)
	}()
	t.Cleanup(func() {
		cancel()
		<-p.done
	})
	return p
}

// wait waits for the process and fails the test when SIPp reports a
// failed call, showing what it saw.
func (p *sipp) wait(t *testing.T) {
	t.Helper()
	<-p.done
	if p.err != nil {
		t.Errorf("%s: sipp: %v\n%s", p.name, p.err, p.diagnostics())
	}
}

// diagnostics is SIPp's own account of a run: its errors and the end of
// its screen and message log.
func (p *sipp) diagnostics() string {
	return fmt.Sprintf("--- errors\n%s\n--- screen (end)\n%s\n--- messages (end)\n%s",
		tail(p.errLog, 20), tail(p.outPath, 25), tail(p.msgLog, 60))
}

// messages parses the process's message log.
func (p *sipp) messages(t *testing.T) []sipMessage {
	t.Helper()
	msgs, err := readMessageLog(p.msgLog)
	if err != nil {
		t.Fatalf("%s: %v\n%s", p.name, err, p.diagnostics())
	}
	return msgs
}

// awaitUDP waits until something listens on loopback UDP port, as read
// from /proc/net/udp, so a callee is up before a call is placed.
func awaitUDP(t *testing.T, port int) {
	t.Helper()
	want := fmt.Sprintf("0100007F:%04X", port)
	deadline := time.Now().Add(listenBound)
	for {
		bound, err := procNetHas("/proc/net/udp", want)
		if err != nil {
			t.Fatalf("wait for udp port %d: %v", port, err)
		}
		if bound {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("nothing listens on udp %s:%d after %v", loopbackIP, port, listenBound)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// procNetHas reports whether a /proc/net table has a socket whose local
// address is addr (hex "IP:PORT" as the kernel writes it).
func procNetHas(table, addr string) (bool, error) {
	f, err := os.Open(table)
	if err != nil {
		return false, fmt.Errorf("read %s: %w", table, err)
	}
	defer f.Close()

	sc := bufio.NewScanner(f)
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		if len(fields) > 1 && fields[1] == addr {
			return true, nil
		}
	}
	if err := sc.Err(); err != nil {
		return false, fmt.Errorf("read %s: %w", table, err)
	}
	return false, nil
}

// silentTrunk is a UDP socket standing where the trunk is, for calls that
// must never reach it.
type silentTrunk struct {
	conn *net.UDPConn
}

func newSilentTrunk(t *testing.T) *silentTrunk {
	t.Helper()
	conn, err := net.ListenUDP("udp", &net.UDPAddr{IP: net.ParseIP(loopbackIP)})
	if err != nil {
		t.Fatalf("listen as trunk: %v", err)
	}
	t.Cleanup(func() { conn.Close() })
	return &silentTrunk{conn: conn}
}

func (s *silentTrunk) addr() string { return s.conn.LocalAddr().String() }

// quietFor bounds how long the trunk listens, after the caller had its
// final answer, for an INVITE that should not come. The broker sends leg
// B before it could answer the caller, so anything sent is already there.
const quietFor = 300 * time.Millisecond

// received returns the first datagram that reached the trunk, or "".
func (s *silentTrunk) received(t *testing.T) string {
	t.Helper()
	buf := make([]byte, 65536)
	s.conn.SetReadDeadline(time.Now().Add(quietFor))
	n, _, err := s.conn.ReadFromUDP(buf)
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		return ""
	}
	if err != nil {
		t.Fatalf("read at trunk: %v", err)
	}
	return string(buf[:n])
}
