// Package store keeps Maskline's state in SQL: SQLite embedded for one node,
// MySQL or MariaDB for several nodes sharing one database. Real numbers
// arrive here already sealed (ciphertext) and indexed (blind index); the
// store never sees a plaintext number. Uniqueness of routing keys is
// enforced by the database's primary key, so nodes cannot hand out the same
// key twice however their requests interleave.
//
// Times are stored as Unix milliseconds (BIGINT) in both dialects, so the
// two behave alike whatever the server's time zone.
package store

import (
	"context"
	"errors"
	"time"
)

// Errors returned by every Store implementation. Callers test them with
// errors.Is; the wrapped text names the operation, never a real number.
var (
	// ErrNotFound: no row matched.
	ErrNotFound = errors.New("not found")
	// ErrConflict: a unique key is already taken, or a state change is not
	// allowed from the row's current state.
	ErrConflict = errors.New("conflict")
	// ErrNumberBusy: the number cannot take the binding (wrong state, held
	// by another mode, or at its cap). Allocation tries another number.
	ErrNumberBusy = errors.New("number busy")
	// ErrUnavailable: the database could not be reached or failed.
	ErrUnavailable = errors.New("store unavailable")
	// ErrNumberLocked: TryInsertBinding found every candidate's row locked
	// by another transaction (a concurrent allocation) and did not wait.
	ErrNumberLocked = errors.New("number locked")
)

// Number states.
const (
	NumberAvailable = "available"
	NumberLocked    = "locked"
	NumberRetired   = "retired"
)

// Binding states. Active and delivered are live; expired and unbound are
// ended (their keys in cool-down until released).
const (
	BindingActive    = "active"
	BindingDelivered = "delivered"
	BindingExpired   = "expired"
	BindingUnbound   = "unbound"
)

// Tenant is an express company using the broker.
type Tenant struct {
	ID            int64
	Name          string
	GraceSeconds  int      // delivered → expiry grace; 0 means the default
	FallbackAreas []string // area codes tried, in order, for loose matching
	WebhookURL    string
	WebhookSecret string // sealed
	CreatedAt     time.Time
}

// APIKey is a bearer key. Only its SHA-256 hash is stored.
type APIKey struct {
	ID        int64
	TenantID  int64 // 0 for admin keys
	Name      string
	Hash      string // hex SHA-256 of the key
	Scopes    []string
	CreatedAt time.Time
}

// Number is a virtual number (X) in the pool.
type Number struct {
	X           string // E.164, not secret
	AreaCode    string
	Kind        string // mobile, fixed, 95
	State       string // NumberAvailable, NumberLocked, NumberRetired
	MonthlyCost int64  // minor units (fen)
	TenantID    int64  // dedicated to this tenant; 0 for the common pool
	Mode        string // mode it serves now ("" when free)
	Bindings    int    // bindings holding keys on it (live or cooling down)
	UpdatedAt   time.Time
}

// Binding is one routing entry. Real numbers are held sealed (Sealed
// fields) with their blind index (Index fields); the store compares only
// indexes.
type Binding struct {
	ID            string
	TenantID      int64
	Mode          string // AXB, AXN, AXE
	X             string
	Extension     string
	ASealed       string
	AIndex        string
	BSealed       string
	BIndex        string
	NSealed       string
	NIndex        string
	OutID         string
	Record        bool
	CallRestrict  string
	State         string
	ExpiresAt     time.Time
	EndedAt       time.Time // zero while live
	CooldownUntil time.Time // zero while live
	Released      bool      // keys deleted after cool-down
	LastCaller    string    // sealed; AXE callbacks
	LastCallerAt  time.Time
	CreatedAt     time.Time
	UpdatedAt     time.Time
}

// Live reports whether b still routes calls at now.
func (b *Binding) Live(now time.Time) bool {
	return (b.State == BindingActive || b.State == BindingDelivered) && now.Before(b.ExpiresAt)
}

// Candidates asks for numbers that could take a new binding.
type Candidates struct {
	Mode      string
	Areas     []string // nil: any area
	TenantID  int64    // with Dedicated: only this tenant's numbers
	Dedicated bool     // false: only the common pool (TenantID 0)
	Cap       int      // numbers already holding Cap bindings are skipped
	Exclude   []string // keys that must be free on the number
	Limit     int
	// ServingOnly limits the answer to numbers already serving Mode;
	// FreeOnly to numbers serving no mode. Neither: both groups, serving
	// first.
	ServingOnly, FreeOnly bool
}

// NumberFilter narrows ListNumbers.
type NumberFilter struct {
	AreaCode string
	State    string
	After    string // X to continue after (keyset paging)
	Limit    int
}

// AreaStats are the raw counts of one area for pool statistics.
type AreaStats struct {
	AreaCode     string
	Numbers      int // all states
	Available    int
	Locked       int
	Retired      int
	Free         int            // available and serving no mode
	ModeNumbers  map[string]int // available numbers serving each mode
	ModeBindings map[string]int // bindings holding keys, per mode
	LiveBindings int            // active or delivered
}

// Idempotency is a stored answer to a create request.
type Idempotency struct {
	TenantID    int64
	Key         string
	RequestHash string
	Status      int // 0 while the first request is still running
	Body        []byte
	CreatedAt   time.Time
}

// Audit is a record of a privileged action, such as revealing numbers.
type Audit struct {
	ID        int64
	At        time.Time
	KeyID     int64
	TenantID  int64
	BindingID string
	Action    string
	Reason    string
}

// CallRecord is one call attempt that reached routing.
type CallRecord struct {
	ID                string
	BindingID         string // "" when no binding matched
	TenantID          int64
	Mode              string
	X                 string
	Extension         string
	CallerSealed      string
	CalleeSealed      string
	Direction         string
	InviteAt          time.Time
	RingAt            time.Time
	AnswerAt          time.Time
	EndAt             time.Time
	DurationS         int
	BillSec           int
	ReleaseSide       string
	ReleaseCode       int // SIP status
	ReleaseQ850       int
	UnconnectedReason string
	Recording         string
	OutID             string
	Node              string
}

// CallFilter narrows ListCalls. TenantID 0 means any tenant (admin).
type CallFilter struct {
	TenantID  int64
	BindingID string
	From, To  time.Time // on InviteAt; zero means open
	Limit     int
}

// Store is everything the domain packages need from persistence.
type Store interface {
	// Ping checks that the database answers.
	Ping(ctx context.Context) error
	// Close releases the connection pool.
	Close() error

	CreateTenant(ctx context.Context, t *Tenant) error // sets ID, CreatedAt; ErrConflict on name
	GetTenant(ctx context.Context, id int64) (*Tenant, error)
	TenantByName(ctx context.Context, name string) (*Tenant, error)
	ListTenants(ctx context.Context) ([]Tenant, error)

	CreateAPIKey(ctx context.Context, k *APIKey) error // sets ID, CreatedAt
	APIKeyByHash(ctx context.Context, hash string) (*APIKey, error)

	// InsertNumbers adds numbers; ones already present are skipped and
	// counted in skipped.
	InsertNumbers(ctx context.Context, ns []Number) (inserted, skipped int, err error)
	GetNumber(ctx context.Context, x string) (*Number, error)
	ListNumbers(ctx context.Context, f NumberFilter) ([]Number, error)
	// SetNumberState moves a number between available and locked, or to
	// retired; retiring a number that holds bindings is ErrConflict.
	SetNumberState(ctx context.Context, x, state string) (*Number, error)
	// HasDedicated reports whether the tenant owns any available number.
	HasDedicated(ctx context.Context, tenantID int64) (bool, error)
	// FindCandidates lists numbers that could take a binding: available,
	// serving no mode or c.Mode, under c.Cap, in c.Areas, with none of
	// c.Exclude held on it. Numbers already serving c.Mode come first (so
	// bindings pack), then by X.
	FindCandidates(ctx context.Context, c Candidates) ([]string, error)
	PoolStats(ctx context.Context) ([]AreaStats, error)

	// InsertBinding stores b on number b.X together with its routing keys,
	// atomically: the number must be available, serve no mode or b.Mode,
	// and hold fewer than cap bindings (else ErrNumberBusy); every key must
	// be free on b.X (else ErrConflict). Sets CreatedAt and UpdatedAt.
	InsertBinding(ctx context.Context, b *Binding, keys []string, cap int) error
	// TryInsertBinding is InsertBinding on the first number of cands, in
	// their order, whose row no other transaction holds: it sets b.X to
	// that number and then acts as InsertBinding (an ErrNumberBusy or
	// ErrConflict concerns b.X). When every candidate is held by a
	// concurrent allocation it fails at once with ErrNumberLocked instead
	// of queueing. Where the database cannot tell (SQLite, which has one
	// writer) it takes the first candidate and waits.
	TryInsertBinding(ctx context.Context, b *Binding, cands, keys []string, cap int) error
	GetBinding(ctx context.Context, id string) (*Binding, error)
	BindingsByOutID(ctx context.Context, tenantID int64, outID string) ([]Binding, error)
	// KeyBinding returns the binding that owns key k on number x, live or
	// cooling down, until its keys are released.
	KeyBinding(ctx context.Context, x, k string) (*Binding, error)
	// KeyBindings is KeyBinding for up to 16 keys at once: the owners of
	// those held on x, by key (absent keys are simply missing).
	KeyBindings(ctx context.Context, x string, keys []string) (map[string]*Binding, error)
	// UpdateBinding writes b's mutable fields (B, expiry, record,
	// call_restrict, state). When oldKey and newKey differ, the key is
	// swapped in the same transaction (ErrConflict if newKey is taken).
	UpdateBinding(ctx context.Context, b *Binding, oldKey, newKey string) error
	// EndBinding moves a live binding to state (expired or unbound) with
	// its keys in cool-down until cooldownUntil. ErrConflict if it had
	// already ended.
	EndBinding(ctx context.Context, id, state string, at, cooldownUntil time.Time) error
	// ExpireDue ends up to limit live bindings whose expiry is at or
	// before now; their cool-down runs until expiry + cooldown.
	ExpireDue(ctx context.Context, now time.Time, cooldown time.Duration, limit int) (int, error)
	// ReleaseCooled deletes the keys of up to limit ended bindings whose
	// cool-down is over and frees their numbers' places.
	ReleaseCooled(ctx context.Context, now time.Time, limit int) (int, error)
	SetLastCaller(ctx context.Context, id, sealed string, at time.Time) error

	// ReserveIdempotency records a first request under key. When a record
	// exists already it is returned and nothing changes.
	ReserveIdempotency(ctx context.Context, rec *Idempotency) (*Idempotency, error)
	CompleteIdempotency(ctx context.Context, tenantID int64, key string, status int,
		body []byte) error
	DropIdempotency(ctx context.Context, tenantID int64, key string) error
	PurgeIdempotency(ctx context.Context, before time.Time) (int, error)

	InsertAudit(ctx context.Context, a *Audit) error
	ListAudit(ctx context.Context, bindingID string) ([]Audit, error)

	AddBlacklist(ctx context.Context, index, note string) error
	RemoveBlacklist(ctx context.Context, index string) error
	IsBlacklisted(ctx context.Context, index string) (bool, error)

	InsertCall(ctx context.Context, c *CallRecord) error
	// InsertCalls stores several call records with few statements.
	InsertCalls(ctx context.Context, cs []*CallRecord) error
	GetCall(ctx context.Context, id string) (*CallRecord, error)
	ListCalls(ctx context.Context, f CallFilter) ([]CallRecord, error)
}
