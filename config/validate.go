package config

import (
	"net"
	"net/netip"
	"strconv"
	"strings"
	"time"

	"github.com/go-sql-driver/mysql"
	"github.com/nyaruka/phonenumbers"
)

// Extension lengths the dial plan supports; four digits already give 9,999
// bindings per virtual number, more than a pool is ever sized for.
const (
	minExtensionLength = 1
	maxExtensionLength = 4
)

// Validate checks every key and the contradictions between keys, and
// returns an *Error listing all problems found, or nil. It does no I/O:
// files named by the configuration are opened, and addresses bound, by
// the parts that use them.
func (c Config) Validate() error {
	var p problems

	c.checkTop(&p)
	c.checkStore(&p)
	c.checkHTTP(&p)
	c.checkSIP(&p)
	c.checkMedia(&p)
	c.checkBinding(&p)
	c.checkPool(&p)
	c.checkCalls(&p)
	c.checkCron(&p)
	c.checkRest(&p)
	return p.err()
}

func (c Config) checkTop(p *problems) {
	if strings.TrimSpace(c.DataDir) == "" {
		p.addf("data_dir", "must not be empty")
	}

	// The node name goes into call records and Call-IDs, so it must be a
	// plain token.
	if len(c.Node) > 64 || strings.ContainsFunc(c.Node, notToken) {
		p.addf("node", "want at most 64 letters, digits, '.', '_' or '-'")
	}

	if !phonenumbers.GetSupportedRegions()[c.Region] {
		p.addf("region", "want an upper-case ISO 3166 region such as CN, got %q", c.Region)
	}
}

func notToken(r rune) bool {
	isAlnum := r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9'
	return !isAlnum && r != '.' && r != '_' && r != '-'
}

// checkStore never quotes the DSN: it may hold a database password.
func (c Config) checkStore(p *problems) {
	dsn := c.Store.DSN
	switch {
	case strings.HasPrefix(dsn, "sqlite:"):
		if strings.TrimSpace(strings.TrimPrefix(dsn, "sqlite:")) == "" {
			p.addf("store.dsn", "sqlite: needs a file path, as in sqlite:data/broker.db")
		}
	case strings.HasPrefix(dsn, "mysql://"):
		mc, err := mysql.ParseDSN(strings.TrimPrefix(dsn, "mysql://"))
		switch {
		case err != nil:
			p.addf("store.dsn", "mysql: %v", err)
		case mc.DBName == "":
			p.addf("store.dsn", "mysql: names no database")
		}
	default:
		p.addf("store.dsn", "want sqlite:PATH or mysql://user:pass@tcp(host:port)/db")
	}
}

func (c Config) checkHTTP(p *problems) {
	checkHostPort(p, "http.listen", c.HTTP.Listen)

	if c.HTTP.RateLimit <= 0 {
		p.addf("http.rate_limit", "want more than 0 requests per second")
	}
	if c.HTTP.RateBurst < 1 {
		p.addf("http.rate_burst", "want at least 1")
	}
	// Port 0 asks the system for a free port, so equal ":0" addresses never
	// collide.
	fixed := !strings.HasSuffix(c.HTTP.Listen, ":0")
	sameAsTLS := c.SIP.TLSListen != "" && c.HTTP.Listen == c.SIP.TLSListen
	if fixed && (c.HTTP.Listen == c.SIP.Listen || sameAsTLS) {
		p.addf("http.listen", "same address as SIP; both use TCP")
	}
}

func (c Config) checkSIP(p *problems) {
	s := c.SIP
	checkHostPort(p, "sip.listen", s.Listen)
	c.checkTLS(p)
	checkCIDRs(p, "sip.trusted", s.Trusted)

	hostport, transport, err := splitTrunk(s.Trunk)
	if err != nil {
		p.addf("sip.trunk", "%v", err)
	} else {
		checkHostPort(p, "sip.trunk", hostport)
		if transport != "udp" && transport != "tcp" && transport != "tls" {
			p.addf("sip.trunk", "transport must be udp, tcp or tls, got %q", transport)
		}
	}

	oneOf(p, "sip.number_format", s.NumberFormat, "e164", "national")
	atLeast(p, "sip.ring_timeout", s.RingTimeout, time.Second)
	atLeast(p, "sip.max_duration", s.MaxDuration, time.Second)
}

func (c Config) checkTLS(p *problems) {
	s := c.SIP
	if s.TLSListen == "" {
		if s.TLSCert != "" || s.TLSKey != "" {
			p.addf("sip.tls_listen", "empty, but sip.tls_cert or sip.tls_key is set")
		}
		return
	}

	checkHostPort(p, "sip.tls_listen", s.TLSListen)
	if s.TLSListen == s.Listen && !strings.HasSuffix(s.Listen, ":0") {
		p.addf("sip.tls_listen", "same address as sip.listen, whose TCP listener holds it")
	}
	if s.TLSCert == "" {
		p.addf("sip.tls_cert", "required when sip.tls_listen is set")
	}
	if s.TLSKey == "" {
		p.addf("sip.tls_key", "required when sip.tls_listen is set")
	}
}

func (c Config) checkMedia(p *problems) {
	ip, err := netip.ParseAddr(c.Media.IP)
	switch {
	case err != nil:
		p.addf("media.ip", "want an IP address, got %q", c.Media.IP)
	case ip.IsUnspecified():
		p.addf("media.ip", "%s cannot be written into SDP; give the address peers reach", ip)
	}

	lo, hi, err := parsePorts(c.Media.Ports)
	switch {
	case err != nil:
		p.addf("media.ports", "%v", err)
	case lo > hi:
		p.addf("media.ports", "range inverted: %d is above %d", lo, hi)
	case hi-lo < 1:
		p.addf("media.ports", "want at least two ports, for RTP and RTCP")
	}
}

func (c Config) checkBinding(p *problems) {
	b := c.Binding
	atLeast(p, "binding.grace", b.Grace, 0)
	atLeast(p, "binding.cooldown", b.Cooldown, 0)
	atLeast(p, "binding.callback_window", b.CallbackWindow, 0)
	// The product promises bindings of 60 s to 90 days; a node may narrow
	// that window but not widen it.
	atLeast(p, "binding.min_ttl", b.MinTTL, time.Minute)
	atLeast(p, "binding.max_ttl", b.MaxTTL, time.Minute)
	if b.MaxTTL > 90*day {
		p.addf("binding.max_ttl", "%s is above 90 days (2160h)", b.MaxTTL)
	}
	if b.MinTTL > b.MaxTTL {
		p.addf("binding.min_ttl", "%s is above binding.max_ttl %s", b.MinTTL, b.MaxTTL)
	}

	if b.ExtensionLength < minExtensionLength || b.ExtensionLength > maxExtensionLength {
		p.addf("binding.extension_length", "want %d to %d digits, got %d",
			minExtensionLength, maxExtensionLength, b.ExtensionLength)
	}
}

func (c Config) checkPool(p *problems) {
	if c.Pool.MaxPairsPerNumber < 1 {
		p.addf("pool.max_pairs_per_number", "want at least 1")
	}

	n := c.Pool.MaxExtensionsPerNumber
	if n < 1 {
		p.addf("pool.max_extensions_per_number", "want at least 1")
	}

	// L digits allow at most 10^L − 1 extensions on one number: a hard limit.
	length := c.Binding.ExtensionLength
	if length >= minExtensionLength && length <= maxExtensionLength {
		limit := pow10(length) - 1
		if n > limit {
			p.addf("pool.max_extensions_per_number",
				"%d is above %d, all that %d-digit extensions allow", n, limit, length)
		}
	}
}

func (c Config) checkCalls(p *problems) {
	k := c.Calls
	if k.AttemptsPerHour < 1 {
		p.addf("calls.attempts_per_hour", "want at least 1")
	}
	if k.ConcurrentPerBinding < 1 {
		p.addf("calls.concurrent_per_binding", "want at least 1")
	}
	if k.MaxAttempts < 1 {
		p.addf("calls.max_attempts", "want at least 1")
	}
	atLeast(p, "calls.interdigit_timeout", k.InterdigitTimeout, 100*time.Millisecond)
}

// checkCron holds the jobs to whole seconds: the cron library's "@every"
// schedules silently round anything finer.
func (c Config) checkCron(p *problems) {
	every := map[string]time.Duration{
		"cron.expire_every":  c.Cron.ExpireEvery,
		"cron.release_every": c.Cron.ReleaseEvery,
	}
	for _, key := range []string{"cron.expire_every", "cron.release_every"} {
		d := every[key]
		if d < time.Second || d%time.Second != 0 {
			p.addf(key, "want a whole number of seconds, at least 1s, got %s", d)
		}
	}
}

func (c Config) checkRest(p *problems) {
	atLeast(p, "recording.retention", c.Recording.Retention, time.Hour)
	atLeast(p, "shutdown.grace", c.Shutdown.Grace, 0)
	oneOf(p, "log.level", c.Log.Level, "debug", "info", "warn", "error")
	oneOf(p, "log.format", c.Log.Format, "text", "json")
}

// checkHostPort accepts "host:port" with a port from 0 to 65535; an empty
// host means every interface and port 0 a port the system picks.
func checkHostPort(p *problems, key, s string) {
	host, port, err := net.SplitHostPort(s)
	if err != nil {
		p.addf(key, "want host:port, got %q", s)
		return
	}

	n, err := strconv.Atoi(port)
	if err != nil || n < 0 || n > 65535 {
		p.addf(key, "port must be 0 to 65535, got %q", port)
	}
	if strings.ContainsAny(host, " /;") {
		p.addf(key, "bad host %q", host)
	}
}

func checkCIDRs(p *problems, key string, list []string) {
	if len(list) == 0 {
		p.addf(key, "empty: no source could send requests")
	}
	for _, s := range list {
		if _, err := netip.ParsePrefix(s); err != nil {
			p.addf(key, "want a CIDR such as 10.0.0.0/8 or 192.0.2.7/32, got %q", s)
		}
	}
}

func oneOf(p *problems, key, got string, allowed ...string) {
	for _, a := range allowed {
		if got == a {
			return
		}
	}
	p.addf(key, "want one of %s, got %q", strings.Join(allowed, ", "), got)
}

func atLeast(p *problems, key string, d, least time.Duration) {
	if d < least {
		p.addf(key, "want at least %s, got %s", least, d)
	}
}

func pow10(n int) int {
	r := 1
	for range n {
		r *= 10
	}
	return r
}
