package sip

import (
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"strconv"
	"syscall"
)

// listeners are the sockets the server reads from.
type listeners struct {
	udp *net.UDPConn
	tcp *net.TCPListener
	tls net.Listener
}

func (l *listeners) close() {
	if l.udp != nil {
		l.udp.Close()
	}
	if l.tcp != nil {
		l.tcp.Close()
	}
	if l.tls != nil {
		l.tls.Close()
	}
}

// listen binds UDP and TCP on cfg.Listen, on the same port even when the
// configured port is 0, and TLS on cfg.TLSListen when a certificate is set.
func listen(cfg Config) (*listeners, error) {
	l := &listeners{}
	_, port, _ := net.SplitHostPort(cfg.Listen)
	var err error
	for try := 0; try < 8; try++ {
		l.udp, l.tcp, err = listenPair(cfg.Listen)
		// With a random port, TCP may find UDP's port taken: try another.
		if port != "0" || !errors.Is(err, syscall.EADDRINUSE) {
			break
		}
	}
	if err != nil {
		return nil, err
	}

	if cfg.CertFile == "" {
		return l, nil
	}
	cert, err := tls.LoadX509KeyPair(cfg.CertFile, cfg.KeyFile)
	if err != nil {
		l.close()
		return nil, fmt.Errorf("load tls certificate: %w", err)
	}
	conf := &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}
	if l.tls, err = tls.Listen("tcp", cfg.TLSListen, conf); err != nil {
		l.close()
		return nil, fmt.Errorf("listen tls: %w", err)
	}
	return l, nil
}

// udpBuffer is the socket buffer asked for on the UDP listener.
const udpBuffer = 8 << 20

// listenPair binds UDP on addr, then TCP on the port UDP got.
func listenPair(addr string) (*net.UDPConn, *net.TCPListener, error) {
	uaddr, err := net.ResolveUDPAddr("udp", addr)
	if err != nil {
		return nil, nil, fmt.Errorf("listen udp: %w", err)
	}
	udp, err := net.ListenUDP("udp", uaddr)
	if err != nil {
		return nil, nil, fmt.Errorf("listen udp: %w", err)
	}
	// The system's default receive buffer (about 200 KiB, a few hundred
	// requests) overflowed in bursts at 1,500 calls/s, and a dropped INVITE
	// or 200 costs the caller a retransmission at best. The kernel caps
	// the request at net.core.rmem_max; a failure here only loses headroom.
	_ = udp.SetReadBuffer(udpBuffer)
	_ = udp.SetWriteBuffer(udpBuffer)

	port := udp.LocalAddr().(*net.UDPAddr).Port
	host, _, _ := net.SplitHostPort(addr)
	taddr, err := net.ResolveTCPAddr("tcp", net.JoinHostPort(host, strconv.Itoa(port)))
	if err != nil {
		udp.Close()
		return nil, nil, fmt.Errorf("listen tcp: %w", err)
	}
	tcp, err := net.ListenTCP("tcp", taddr)
	if err != nil {
		udp.Close()
		return nil, nil, fmt.Errorf("listen tcp: %w", err)
	}
	return udp, tcp, nil
}

// addrPort converts a socket address for the accessors.
func addrPort(a net.Addr) netip.AddrPort {
	if a == nil {
		return netip.AddrPort{}
	}
	ap, err := netip.ParseAddrPort(a.String())
	if err != nil {
		return netip.AddrPort{}
	}
	return netip.AddrPortFrom(ap.Addr().Unmap(), ap.Port())
}
