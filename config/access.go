package config

import (
	"fmt"
	"log/slog"
	"net/netip"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// Trusted returns sip.trusted as prefixes with their host bits cleared,
// ready for Contains checks. Entries that do not parse are left out;
// Validate reports them.
func (c Config) Trusted() []netip.Prefix {
	out := make([]netip.Prefix, 0, len(c.SIP.Trusted))
	for _, s := range c.SIP.Trusted {
		if p, err := netip.ParsePrefix(s); err == nil {
			out = append(out, p.Masked())
		}
	}
	return out
}

// MediaPorts returns the ends of media.ports, both included, or 0, 0 when
// the range does not parse (Validate reports it).
func (c Config) MediaPorts() (lo, hi int) {
	lo, hi, err := parsePorts(c.Media.Ports)
	if err != nil {
		return 0, 0
	}
	return lo, hi
}

// TrunkAddr splits sip.trunk into its host:port and transport ("udp",
// "tcp" or "tls"; "udp" when no ";transport=" suffix is given).
func (c Config) TrunkAddr() (hostport, transport string) {
	hostport, transport, err := splitTrunk(c.SIP.Trunk)
	if err != nil {
		return strings.TrimSpace(c.SIP.Trunk), "udp"
	}
	return hostport, transport
}

// KeyFile returns the path of the key file: keys.file, or keys.json in
// data_dir when keys.file is empty.
func (c Config) KeyFile() string {
	if c.Keys.File != "" {
		return c.Keys.File
	}
	return filepath.Join(c.DataDir, "keys.json")
}

// NodeName returns node, or the host name when node is empty, or "broker"
// when the host name cannot be read.
func (c Config) NodeName() string {
	if c.Node != "" {
		return c.Node
	}
	if h, err := os.Hostname(); err == nil && h != "" {
		return h
	}
	return "broker"
}

// LogLevel returns log.level as a slog level; an unknown level reads as
// info (Validate reports it).
func (c Config) LogLevel() slog.Level {
	var l slog.Level
	if err := l.UnmarshalText([]byte(c.Log.Level)); err != nil {
		return slog.LevelInfo
	}
	return l
}

// parsePorts reads a "LO-HI" port range. It does not check the order of
// the ends, so that Validate can say the range is inverted.
func parsePorts(s string) (lo, hi int, err error) {
	a, b, ok := strings.Cut(s, "-")
	if !ok {
		return 0, 0, fmt.Errorf("want a range LO-HI such as 20000-29999, got %q", s)
	}

	lo, errLo := strconv.Atoi(strings.TrimSpace(a))
	hi, errHi := strconv.Atoi(strings.TrimSpace(b))
	if errLo != nil || errHi != nil {
		return 0, 0, fmt.Errorf("want a range LO-HI such as 20000-29999, got %q", s)
	}
	if lo < 1 || hi < 1 || lo > 65535 || hi > 65535 {
		return 0, 0, fmt.Errorf("ports must be 1 to 65535, got %q", s)
	}
	return lo, hi, nil
}

// splitTrunk splits "host:port;transport=tcp" into "host:port" and the
// lower-cased transport, defaulting to "udp". Other URI parameters are
// refused rather than ignored.
func splitTrunk(s string) (hostport, transport string, err error) {
	hostport, params, hasParams := strings.Cut(strings.TrimSpace(s), ";")
	if !hasParams {
		return hostport, "udp", nil
	}

	name, value, _ := strings.Cut(params, "=")
	if !strings.EqualFold(strings.TrimSpace(name), "transport") {
		return "", "", fmt.Errorf("only a ;transport= suffix is allowed, got %q", s)
	}
	return hostport, strings.ToLower(strings.TrimSpace(value)), nil
}
