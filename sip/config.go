package sip

import (
	"errors"
	"fmt"
	"net"
	"net/netip"
	"strconv"
	"strings"
	"time"
)

// Defaults applied by New to zero fields of Config.
const (
	DefaultListen        = "127.0.0.1:5060"
	DefaultTrunk         = "127.0.0.1:5080"
	DefaultRingTimeout   = 60 * time.Second
	DefaultMaxDuration   = 2 * time.Hour
	DefaultShutdownGrace = 5 * time.Second
	DefaultMediaIP       = "127.0.0.1"
	DefaultRegion        = "CN"
)

// Number formats for outbound URIs.
const (
	FormatE164     = "e164"     // "+8613812345678"
	FormatNational = "national" // "13812345678"
)

// Config is what the SIP server takes from the broker's configuration. Zero
// fields get the defaults above.
type Config struct {
	// Listen is the host:port for SIP over UDP and TCP. With port 0 both
	// get the same random port (see Server.UDPAddr).
	Listen string

	// TLSListen is the host:port for SIP over TLS. TLS is on only when
	// CertFile and KeyFile name a certificate and its key.
	TLSListen string
	CertFile  string
	KeyFile   string

	// Trusted lists the networks allowed to send requests; any other
	// source gets 403. Default: loopback.
	Trusted []netip.Prefix

	// Trunk is the host:port every outbound leg goes to. A
	// ";transport=tcp" suffix is accepted and wins over TrunkTransport.
	Trunk string

	// TrunkTransport is "udp" (default), "tcp" or "tls".
	TrunkTransport string

	// NumberFormat writes real numbers and X in outbound URIs: "e164"
	// (default) or "national".
	NumberFormat string

	// RingTimeout bounds the time from INVITE to answer (default 60 s).
	RingTimeout time.Duration

	// MaxDuration ends an answered call with BYE both ways (default 2 h).
	MaxDuration time.Duration

	// ShutdownGrace bounds HangupAll, and the hang-up Serve does itself
	// when its context ends with calls still up (default 5 s).
	ShutdownGrace time.Duration

	// Node names this broker in call records.
	Node string

	// MediaIP is the address written into the SDP o= line, and the host
	// advertised in Via and Contact when Listen has no specific host.
	MediaIP string

	// Region reads national numbers in call records of refused calls
	// (default "CN").
	Region string

	// Trace logs every SIP message the server handles, numbers masked.
	Trace bool
}

// trunk is where outbound legs go.
type trunk struct {
	host      string
	port      int
	transport string // "UDP", "TCP" or "TLS", as sipgo spells them
}

func (c Config) withDefaults() Config {
	c.Listen = orDefault(c.Listen, DefaultListen)
	c.Trunk = orDefault(c.Trunk, DefaultTrunk)
	c.TrunkTransport = strings.ToLower(orDefault(c.TrunkTransport, "udp"))
	c.NumberFormat = strings.ToLower(orDefault(c.NumberFormat, FormatE164))
	c.MediaIP = orDefault(c.MediaIP, DefaultMediaIP)
	c.Region = orDefault(c.Region, DefaultRegion)
	if len(c.Trusted) == 0 {
		c.Trusted = []netip.Prefix{
			netip.MustParsePrefix("127.0.0.0/8"),
			netip.MustParsePrefix("::1/128"),
		}
	}
	if c.RingTimeout <= 0 {
		c.RingTimeout = DefaultRingTimeout
	}
	if c.MaxDuration <= 0 {
		c.MaxDuration = DefaultMaxDuration
	}
	if c.ShutdownGrace <= 0 {
		c.ShutdownGrace = DefaultShutdownGrace
	}
	return c
}

func orDefault(v, def string) string {
	if strings.TrimSpace(v) == "" {
		return def
	}
	return strings.TrimSpace(v)
}

// validate checks a Config that went through withDefaults and returns the
// parsed trunk.
func (c Config) validate() (trunk, error) {
	if c.NumberFormat != FormatE164 && c.NumberFormat != FormatNational {
		return trunk{}, fmt.Errorf("number format %q: want e164 or national", c.NumberFormat)
	}
	if _, err := netip.ParseAddr(c.MediaIP); err != nil {
		return trunk{}, fmt.Errorf("media ip: %w", err)
	}
	if (c.CertFile == "") != (c.KeyFile == "") {
		return trunk{}, errors.New("tls: certificate and key go together")
	}
	if c.CertFile != "" && c.TLSListen == "" {
		return trunk{}, errors.New("tls: certificate given but no tls listen address")
	}
	return parseTrunk(c.Trunk, c.TrunkTransport)
}

// parseTrunk reads "host:port" with an optional ";transport=x" suffix.
func parseTrunk(s, transport string) (trunk, error) {
	hostport, params, hasParams := strings.Cut(s, ";")
	if hasParams {
		name, value, _ := strings.Cut(params, "=")
		if !strings.EqualFold(strings.TrimSpace(name), "transport") {
			return trunk{}, fmt.Errorf("trunk: unknown parameter %q", name)
		}
		transport = strings.ToLower(strings.TrimSpace(value))
	}

	host, portStr, err := net.SplitHostPort(strings.TrimSpace(hostport))
	if err != nil {
		return trunk{}, fmt.Errorf("trunk: %w", err)
	}
	port, err := strconv.Atoi(portStr)
	if err != nil || port <= 0 || port > 65535 || host == "" {
		return trunk{}, fmt.Errorf("trunk %q: want host:port", hostport)
	}

	switch transport {
	case "udp", "tcp", "tls":
	default:
		return trunk{}, fmt.Errorf("trunk transport %q: want udp, tcp or tls", transport)
	}
	return trunk{host: host, port: port, transport: strings.ToUpper(transport)}, nil
}
