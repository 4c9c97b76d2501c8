// Package config holds the broker's settings: one Config read from a
// documented YAML file (configs/broker.yaml), overridden key by key from the
// environment (BROKER_ + the key path in capitals), and checked as a whole
// by Validate before anything starts, so a wrong setting stops the broker
// at once with every problem named instead of surfacing mid-call.
package config

import "time"

// Config is every setting of a broker node. The yaml tags are the key names
// of the configuration file; the environment variable of a key is derived
// from its path (sip.listen → BROKER_SIP_LISTEN).
type Config struct {
	// DataDir is where the embedded store, the key file and recordings live.
	DataDir string `yaml:"data_dir"`

	// Node names this broker in call records and logs; empty means the
	// host name (see NodeName).
	Node string `yaml:"node"`

	// Region is the ISO 3166 region used to read national numbers.
	Region string `yaml:"region"`

	// Demo seeds a demo pool and tenant at start, for trying the broker out.
	Demo bool `yaml:"demo"`

	Store     Store     `yaml:"store"`
	Keys      Keys      `yaml:"keys"`
	HTTP      HTTP      `yaml:"http"`
	SIP       SIP       `yaml:"sip"`
	Media     Media     `yaml:"media"`
	Binding   Binding   `yaml:"binding"`
	Pool      Pool      `yaml:"pool"`
	Calls     Calls     `yaml:"calls"`
	Cron      Cron      `yaml:"cron"`
	Recording Recording `yaml:"recording"`
	Shutdown  Shutdown  `yaml:"shutdown"`
	Log       Log       `yaml:"log"`
}

// Store says where bindings, numbers and call records are kept.
type Store struct {
	// DSN is "sqlite:PATH" (embedded) or "mysql://user:pass@tcp(host:port)/db".
	DSN string `yaml:"dsn"`

	// Migrate applies pending schema migrations at start.
	Migrate bool `yaml:"migrate"`
}

// Keys says where the keys that seal real numbers at rest come from.
type Keys struct {
	// File is the key file; empty means <data_dir>/keys.json (see KeyFile).
	File string `yaml:"file"`

	// Create makes a new key file when none exists, so a first start works
	// without a manual step; production sets it false to fail instead.
	Create bool `yaml:"create"`
}

// HTTP configures the API server.
type HTTP struct {
	// Listen is the API's host:port.
	Listen string `yaml:"listen"`

	// RateLimit is the sustained number of requests per second per tenant.
	RateLimit float64 `yaml:"rate_limit"`

	// RateBurst is how many requests a tenant may send at once above the rate.
	RateBurst int `yaml:"rate_burst"`

	// Pprof serves net/http/pprof under /debug/pprof/, unauthenticated.
	Pprof bool `yaml:"pprof"`
}

// SIP configures signalling.
type SIP struct {
	// Listen is the host:port for SIP over UDP and TCP.
	Listen string `yaml:"listen"`

	// TLSListen is the host:port for SIP over TLS; empty disables TLS.
	TLSListen string `yaml:"tls_listen"`

	// TLSCert and TLSKey are PEM files, required when TLSListen is set.
	TLSCert string `yaml:"tls_cert"`
	TLSKey  string `yaml:"tls_key"`

	// Trusted lists the CIDRs allowed to send requests; others get 403.
	Trusted []string `yaml:"trusted"`

	// Trunk is where outbound legs go: host:port, optionally followed by
	// ";transport=udp|tcp|tls" (see TrunkAddr).
	Trunk string `yaml:"trunk"`

	// NumberFormat writes numbers in outbound URIs as "e164" or "national".
	NumberFormat string `yaml:"number_format"`

	// RingTimeout ends an unanswered outbound leg.
	RingTimeout time.Duration `yaml:"ring_timeout"`

	// MaxDuration ends an answered call with BYE both ways.
	MaxDuration time.Duration `yaml:"max_duration"`

	// Trace logs every SIP message, with numbers masked.
	Trace bool `yaml:"trace"`
}

// Media configures the RTP relay.
type Media struct {
	// IP is the address written into SDP for the broker's media.
	IP string `yaml:"ip"`

	// Ports is the RTP/RTCP port range "LO-HI", both ends included.
	Ports string `yaml:"ports"`
}

// Binding holds the lifecycle timers and limits of bindings.
type Binding struct {
	// Grace is how long a binding lives after it is marked delivered.
	Grace time.Duration `yaml:"grace"`

	// Cooldown is how long an ended binding's keys stay reserved.
	Cooldown time.Duration `yaml:"cooldown"`

	// CallbackWindow is how long A may call back the last party who
	// reached A through an AXE binding.
	CallbackWindow time.Duration `yaml:"callback_window"`

	// ExtensionLength is the number of digits of an AXE extension (1..4).
	ExtensionLength int `yaml:"extension_length"`

	// MinTTL and MaxTTL bound a new binding's lifetime.
	MinTTL time.Duration `yaml:"min_ttl"`
	MaxTTL time.Duration `yaml:"max_ttl"`
}

// Pool holds the per-number caps the allocator respects.
type Pool struct {
	// MaxPairsPerNumber caps the AXB bindings sharing one virtual number.
	MaxPairsPerNumber int `yaml:"max_pairs_per_number"`

	// MaxExtensionsPerNumber caps the AXE bindings sharing one virtual
	// number; at most 10^extension_length − 1.
	MaxExtensionsPerNumber int `yaml:"max_extensions_per_number"`
}

// Calls holds the per-call limits and the extension prompt's behaviour.
type Calls struct {
	// AttemptsPerHour caps the calls one caller may start in an hour.
	AttemptsPerHour int `yaml:"attempts_per_hour"`

	// ConcurrentPerBinding caps the calls in flight on one binding.
	ConcurrentPerBinding int `yaml:"concurrent_per_binding"`

	// MaxAttempts is how many tries a caller gets to enter an extension.
	MaxAttempts int `yaml:"max_attempts"`

	// InterdigitTimeout ends extension entry when no digit follows.
	InterdigitTimeout time.Duration `yaml:"interdigit_timeout"`
}

// Cron holds the periods of the background jobs.
type Cron struct {
	// ExpireEvery is how often due bindings are moved to expired.
	ExpireEvery time.Duration `yaml:"expire_every"`

	// ReleaseEvery is how often keys past cool-down are freed.
	ReleaseEvery time.Duration `yaml:"release_every"`
}

// Recording holds how long recordings are kept.
type Recording struct {
	// Retention is how long a recording is kept before cron deletes it.
	Retention time.Duration `yaml:"retention"`
}

// Shutdown holds the graceful stop.
type Shutdown struct {
	// Grace is how long calls in flight may go on after the first SIGTERM.
	Grace time.Duration `yaml:"grace"`
}

// Log configures the process logger.
type Log struct {
	// Level is "debug", "info", "warn" or "error".
	Level string `yaml:"level"`

	// Format is "text" or "json".
	Format string `yaml:"format"`
}

// day is 24 hours; Go durations have no day unit.
const day = 24 * time.Hour

// Default returns the settings the broker uses when neither the file nor
// the environment says otherwise: a single node on loopback with an
// embedded store, as `make run` starts it.
func Default() Config {
	return Config{
		DataDir: "data",
		Region:  "CN",
		Store:   Store{DSN: "sqlite:data/broker.db", Migrate: true},
		Keys:    Keys{Create: true},
		HTTP:    HTTP{Listen: "127.0.0.1:8080", RateLimit: 100, RateBurst: 200},
		SIP: SIP{
			Listen:       "127.0.0.1:5060",
			Trusted:      []string{"127.0.0.0/8"},
			Trunk:        "127.0.0.1:5080",
			NumberFormat: "e164",
			RingTimeout:  60 * time.Second,
			MaxDuration:  2 * time.Hour,
		},
		Media: Media{IP: "127.0.0.1", Ports: "20000-29999"},
		Binding: Binding{
			Grace:           day,
			Cooldown:        day,
			CallbackWindow:  day,
			ExtensionLength: 4,
			MinTTL:          60 * time.Second,
			MaxTTL:          90 * day,
		},
		Pool: Pool{MaxPairsPerNumber: 200, MaxExtensionsPerNumber: 200},
		Calls: Calls{
			AttemptsPerHour:      30,
			ConcurrentPerBinding: 4,
			MaxAttempts:          3,
			InterdigitTimeout:    5 * time.Second,
		},
		Cron:      Cron{ExpireEvery: 5 * time.Second, ReleaseEvery: time.Minute},
		Recording: Recording{Retention: 30 * day},
		Shutdown:  Shutdown{Grace: 30 * time.Second},
		Log:       Log{Level: "info", Format: "text"},
	}
}
