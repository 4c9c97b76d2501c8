package config

import (
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// validCases are settings away from the defaults that must be accepted;
// they sit next to invalidCases so that each limit is tested from both
// sides.
var validCases = []struct {
	name string
	set  func(*Config)
}{
	{"random ports for every listener", func(c *Config) {
		c.HTTP.Listen, c.SIP.Listen = "127.0.0.1:0", "127.0.0.1:0"
		c.SIP.TLSListen, c.SIP.TLSCert, c.SIP.TLSKey = "127.0.0.1:0", "c.pem", "k.pem"
	}},
	{"node token", func(c *Config) { c.Node = "edge-1.sh_a" }},
	{"other region", func(c *Config) { c.Region = "GB" }},
	{"mysql dsn", func(c *Config) { c.Store.DSN = "mysql://root:@tcp(127.0.0.1:3306)/test" }},
	{"sqlite memory", func(c *Config) { c.Store.DSN = "sqlite::memory:" }},
	{"listen any interface", func(c *Config) { c.SIP.Listen = ":5060" }},
	{"listen ipv6 random port", func(c *Config) { c.HTTP.Listen = "[::1]:0" }},
	{"tls complete", func(c *Config) {
		c.SIP.TLSListen, c.SIP.TLSCert, c.SIP.TLSKey = "127.0.0.1:5061", "c.pem", "k.pem"
	}},
	{"trusted several", func(c *Config) { c.SIP.Trusted = []string{"10.0.0.0/8", "::1/128"} }},
	{"trunk tcp", func(c *Config) { c.SIP.Trunk = "trunk.example:5060;transport=TCP" }},
	{"national", func(c *Config) { c.SIP.NumberFormat = "national" }},
	{"two media ports", func(c *Config) { c.Media.Ports = "40000-40001" }},
	{"media ipv6", func(c *Config) { c.Media.IP = "2001:db8::1" }},
	{"one digit, nine extensions", func(c *Config) {
		c.Binding.ExtensionLength, c.Pool.MaxExtensionsPerNumber = 1, 9
	}},
	{"four digits, 9999 extensions", func(c *Config) { c.Pool.MaxExtensionsPerNumber = 9999 }},
	{"equal ttls", func(c *Config) { c.Binding.MinTTL = c.Binding.MaxTTL }},
	{"zero grace and cooldown", func(c *Config) {
		c.Binding.Grace, c.Binding.Cooldown, c.Shutdown.Grace = 0, 0, 0
	}},
	{"json debug", func(c *Config) { c.Log.Level, c.Log.Format = "debug", "json" }},
}

var invalidCases = []struct {
	name string
	set  func(*Config)
	key  string
	text string
}{
	{"empty data dir", func(c *Config) { c.DataDir = " " }, "data_dir", "empty"},
	{"node with space", func(c *Config) { c.Node = "edge 1" }, "node", "letters"},
	{"node too long", func(c *Config) { c.Node = strings.Repeat("n", 65) }, "node", "64"},
	{"unknown region", func(c *Config) { c.Region = "XX" }, "region", "ISO 3166"},
	{"lower-case region", func(c *Config) { c.Region = "cn" }, "region", "upper-case"},
	{"dsn scheme", func(c *Config) { c.Store.DSN = "postgres://x/y" }, "store.dsn", "want"},
	{"sqlite no path", func(c *Config) { c.Store.DSN = "sqlite:" }, "store.dsn", "path"},
	{"mysql no slash", func(c *Config) { c.Store.DSN = "mysql://u:p@tcp(h:3306)" },
		"store.dsn", "slash"},
	{"mysql no db", func(c *Config) { c.Store.DSN = "mysql://u:p@tcp(h:3306)/" },
		"store.dsn", "database"},
	{"http no port", func(c *Config) { c.HTTP.Listen = "127.0.0.1" }, "http.listen", "host:port"},
	{"http port range", func(c *Config) { c.HTTP.Listen = "127.0.0.1:70000" },
		"http.listen", "65535"},
	{"http same as sip", func(c *Config) { c.HTTP.Listen = c.SIP.Listen }, "http.listen", "same"},
	{"rate zero", func(c *Config) { c.HTTP.RateLimit = 0 }, "http.rate_limit", "more than 0"},
	{"burst zero", func(c *Config) { c.HTTP.RateBurst = 0 }, "http.rate_burst", "at least 1"},
	{"sip port word", func(c *Config) { c.SIP.Listen = "127.0.0.1:sip" }, "sip.listen", "port"},
	{"tls without cert", func(c *Config) { c.SIP.TLSListen, c.SIP.TLSKey = ":5061", "k.pem" },
		"sip.tls_cert", "required"},
	{"tls without key", func(c *Config) { c.SIP.TLSListen, c.SIP.TLSCert = ":5061", "c.pem" },
		"sip.tls_key", "required"},
	{"cert without tls", func(c *Config) { c.SIP.TLSCert = "c.pem" }, "sip.tls_listen", "empty"},
	{"tls on sip port", func(c *Config) {
		c.SIP.TLSListen, c.SIP.TLSCert, c.SIP.TLSKey = c.SIP.Listen, "c.pem", "k.pem"
	}, "sip.tls_listen", "same"},
	{"tls bad address", func(c *Config) {
		c.SIP.TLSListen, c.SIP.TLSCert, c.SIP.TLSKey = "5061", "c.pem", "k.pem"
	}, "sip.tls_listen", "host:port"},
	{"bad cidr", func(c *Config) { c.SIP.Trusted = []string{"10.0.0.0/33"} }, "sip.trusted",
		"CIDR"},
	{"bare address", func(c *Config) { c.SIP.Trusted = []string{"10.0.0.1"} }, "sip.trusted",
		"CIDR"},
	{"no trusted", func(c *Config) { c.SIP.Trusted = nil }, "sip.trusted", "empty"},
	{"trunk no port", func(c *Config) { c.SIP.Trunk = "trunk.example" }, "sip.trunk",
		"host:port"},
	{"trunk transport", func(c *Config) { c.SIP.Trunk = "127.0.0.1:5080;transport=sctp" },
		"sip.trunk", "udp, tcp or tls"},
	{"trunk other param", func(c *Config) { c.SIP.Trunk = "127.0.0.1:5080;lr" }, "sip.trunk",
		"only"},
	{"number format", func(c *Config) { c.SIP.NumberFormat = "E164" }, "sip.number_format",
		"one of"},
	{"ring timeout", func(c *Config) { c.SIP.RingTimeout = 0 }, "sip.ring_timeout", "at least"},
	{"max duration", func(c *Config) { c.SIP.MaxDuration = -time.Hour }, "sip.max_duration",
		"at least"},
	{"media ip word", func(c *Config) { c.Media.IP = "localhost" }, "media.ip", "IP address"},
	{"media ip any", func(c *Config) { c.Media.IP = "0.0.0.0" }, "media.ip", "SDP"},
	{"ports inverted", func(c *Config) { c.Media.Ports = "29999-20000" }, "media.ports",
		"inverted"},
	{"ports single", func(c *Config) { c.Media.Ports = "20000-20000" }, "media.ports", "two"},
	{"ports no dash", func(c *Config) { c.Media.Ports = "20000" }, "media.ports", "LO-HI"},
	{"ports too high", func(c *Config) { c.Media.Ports = "60000-70000" }, "media.ports", "65535"},
	{"negative grace", func(c *Config) { c.Binding.Grace = -1 }, "binding.grace", "at least"},
	{"negative cooldown", func(c *Config) { c.Binding.Cooldown = -1 }, "binding.cooldown",
		"at least"},
	{"negative callback", func(c *Config) { c.Binding.CallbackWindow = -1 },
		"binding.callback_window", "at least"},
	{"extension length 0", func(c *Config) { c.Binding.ExtensionLength = 0 },
		"binding.extension_length", "1 to 4"},
	{"extension length 5", func(c *Config) { c.Binding.ExtensionLength = 5 },
		"binding.extension_length", "1 to 4"},
	{"min ttl zero", func(c *Config) { c.Binding.MinTTL = 0 }, "binding.min_ttl", "at least"},
	{"max ttl zero", func(c *Config) { c.Binding.MaxTTL = 0 }, "binding.max_ttl", "at least"},
	{"min ttl under a minute", func(c *Config) { c.Binding.MinTTL = 59 * time.Second },
		"binding.min_ttl", "at least"},
	{"max ttl over 90 days", func(c *Config) { c.Binding.MaxTTL = 2161 * time.Hour },
		"binding.max_ttl", "above 90 days"},
	{"min above max", func(c *Config) { c.Binding.MinTTL = c.Binding.MaxTTL + time.Second },
		"binding.min_ttl", "above binding.max_ttl"},
	{"pairs zero", func(c *Config) { c.Pool.MaxPairsPerNumber = 0 },
		"pool.max_pairs_per_number", "at least 1"},
	{"extensions zero", func(c *Config) { c.Pool.MaxExtensionsPerNumber = 0 },
		"pool.max_extensions_per_number", "at least 1"},
	{"extensions above cap", func(c *Config) {
		c.Binding.ExtensionLength, c.Pool.MaxExtensionsPerNumber = 2, 100
	}, "pool.max_extensions_per_number", "above 99"},
	{"attempts per hour", func(c *Config) { c.Calls.AttemptsPerHour = 0 },
		"calls.attempts_per_hour", "at least 1"},
	{"concurrent", func(c *Config) { c.Calls.ConcurrentPerBinding = -1 },
		"calls.concurrent_per_binding", "at least 1"},
	{"max attempts", func(c *Config) { c.Calls.MaxAttempts = 0 }, "calls.max_attempts",
		"at least 1"},
	{"interdigit", func(c *Config) { c.Calls.InterdigitTimeout = time.Millisecond },
		"calls.interdigit_timeout", "at least"},
	{"expire sub-second", func(c *Config) { c.Cron.ExpireEvery = 1500 * time.Millisecond },
		"cron.expire_every", "whole number of seconds"},
	{"release zero", func(c *Config) { c.Cron.ReleaseEvery = 0 }, "cron.release_every",
		"at least 1s"},
	{"retention", func(c *Config) { c.Recording.Retention = time.Minute },
		"recording.retention", "at least 1h"},
	{"shutdown", func(c *Config) { c.Shutdown.Grace = -time.Second }, "shutdown.grace",
		"at least"},
	{"log level", func(c *Config) { c.Log.Level = "trace" }, "log.level", "one of"},
	{"log format", func(c *Config) { c.Log.Format = "logfmt" }, "log.format", "one of"},
}

func TestValidateAccepts(t *testing.T) {
	for _, tt := range validCases {
		t.Run(tt.name, func(t *testing.T) {
			cfg := Default()
			tt.set(&cfg)
			require.NoError(t, cfg.Validate())
		})
	}
}

func TestValidateRejects(t *testing.T) {
	for _, tt := range invalidCases {
		t.Run(tt.name, func(t *testing.T) {
			cfg := Default()
			tt.set(&cfg)
			requireProblem(t, cfg.Validate(), tt.key, tt.text)
		})
	}
}

func TestValidateReportsEveryProblem(t *testing.T) {
	cfg := Default()
	for _, tt := range invalidCases {
		tt.set(&cfg)
	}

	err := cfg.Validate()

	var cerr *Error
	require.ErrorAs(t, err, &cerr)
	for _, key := range []string{
		"data_dir", "region", "store.dsn", "sip.listen", "sip.trusted", "media.ip",
		"binding.min_ttl", "pool.max_pairs_per_number", "calls.max_attempts",
		"cron.release_every", "recording.retention", "log.format",
	} {
		assert.True(t, cerr.Has(key), "no problem about %s in: %v", key, err)
	}
}

func TestValidateHidesDSNPassword(t *testing.T) {
	cfg := Default()
	cfg.Store.DSN = "mysql://root:s3cr3t-pw@tcp(db:3306)"

	err := cfg.Validate()

	require.Error(t, err)
	assert.NotContains(t, err.Error(), "s3cr3t-pw")
}

func TestHelpers(t *testing.T) {
	cfg := Default()
	cfg.SIP.Trusted = []string{"10.1.2.3/8", "::1/128", "garbage"}

	assert.Equal(t, []netip.Prefix{
		netip.MustParsePrefix("10.0.0.0/8"), netip.MustParsePrefix("::1/128"),
	}, cfg.Trusted())

	lo, hi := cfg.MediaPorts()
	assert.Equal(t, []int{20000, 29999}, []int{lo, hi})
	cfg.Media.Ports = "bad"
	lo, hi = cfg.MediaPorts()
	assert.Equal(t, []int{0, 0}, []int{lo, hi})

	assert.Equal(t, "data/keys.json", cfg.KeyFile())
	cfg.Keys.File = "/etc/broker/keys.json"
	assert.Equal(t, "/etc/broker/keys.json", cfg.KeyFile())

	assert.NotEmpty(t, cfg.NodeName())
	cfg.Node = "edge-1"
	assert.Equal(t, "edge-1", cfg.NodeName())
}

func TestTrunkAddr(t *testing.T) {
	tests := []struct {
		trunk, hostport, transport string
	}{
		{"127.0.0.1:5080", "127.0.0.1:5080", "udp"},
		{"127.0.0.1:5080;transport=tcp", "127.0.0.1:5080", "tcp"},
		{"trunk.example:5061;Transport=TLS", "trunk.example:5061", "tls"},
		{" [2001:db8::1]:5060 ", "[2001:db8::1]:5060", "udp"},
	}
	for _, tt := range tests {
		t.Run(tt.trunk, func(t *testing.T) {
			cfg := Default()
			cfg.SIP.Trunk = tt.trunk

			hostport, transport := cfg.TrunkAddr()

			assert.Equal(t, tt.hostport, hostport)
			assert.Equal(t, tt.transport, transport)
		})
	}
}

func TestLogLevel(t *testing.T) {
	for level, want := range map[string]string{
		"debug": "DEBUG", "info": "INFO", "warn": "WARN", "error": "ERROR", "bad": "INFO",
	} {
		cfg := Default()
		cfg.Log.Level = level
		assert.Equal(t, want, cfg.LogLevel().String(), level)
	}
}
