package sip_test

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"encoding/pem"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	mlsip "maskline/sip"
)

// selfSigned writes a certificate for 127.0.0.1 and its key.
func selfSigned(t *testing.T) (certFile, keyFile string) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1),
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(time.Hour),
		IPAddresses:  []net.IP{net.IPv4(127, 0, 0, 1)},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	keyDER, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}

	dir := t.TempDir()
	certFile, keyFile = filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	writePEM(t, certFile, "CERTIFICATE", der)
	writePEM(t, keyFile, "EC PRIVATE KEY", keyDER)
	return certFile, keyFile
}

func writePEM(t *testing.T, path, kind string, der []byte) {
	t.Helper()
	data := pem.EncodeToMemory(&pem.Block{Type: kind, Bytes: der})
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
}

func TestTLSListenerAnswers(t *testing.T) {
	cert, key := selfSigned(t)
	e := newEnv(t, "udp", func(c *mlsip.Config) {
		c.TLSListen, c.CertFile, c.KeyFile = "127.0.0.1:0", cert, key
	})
	if !e.srv.TLSAddr().IsValid() {
		t.Fatal("no TLS address with a certificate configured")
	}

	conn, err := tls.Dial("tcp", e.srv.TLSAddr().String(), &tls.Config{InsecureSkipVerify: true})
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	local := conn.LocalAddr().String()
	msg := strings.Join([]string{
		"OPTIONS sip:" + e.srv.TLSAddr().String() + ";transport=tls SIP/2.0",
		"Via: SIP/2.0/TLS " + local + ";branch=z9hG4bK-tls1",
		"Max-Forwards: 70",
		"From: <sip:probe@127.0.0.1>;tag=t1",
		"To: <sip:broker@127.0.0.1>",
		"Call-ID: tls-probe",
		"CSeq: 1 OPTIONS",
		"Content-Length: 0", "", "",
	}, "\r\n")
	if _, err := conn.Write([]byte(msg)); err != nil {
		t.Fatal(err)
	}

	conn.SetReadDeadline(time.Now().Add(waitFor))
	buf := make([]byte, 4096)
	n, err := conn.Read(buf)
	if err != nil {
		t.Fatal(err)
	}
	if res := string(buf[:n]); !strings.HasPrefix(res, "SIP/2.0 200 ") {
		t.Fatalf("got %q, want 200", firstLine(res))
	}
}

func TestNoTLSWithoutCertificate(t *testing.T) {
	e := newEnv(t, "udp", nil)
	if e.srv.TLSAddr().IsValid() {
		t.Errorf("TLS listening at %s without a certificate", e.srv.TLSAddr())
	}
	if e.srv.UDPAddr().Port() != e.srv.TCPAddr().Port() {
		t.Errorf("UDP on %s and TCP on %s: want one port", e.srv.UDPAddr(), e.srv.TCPAddr())
	}
}
