package billing

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/google/uuid"

	"maskline/phone"
	"maskline/secret"
	"maskline/store"
)

// ErrNotFound is returned for a call record that does not exist or belongs
// to another tenant.
var ErrNotFound = errors.New("call not found")

// Service writes call records off the signalling path and reads them back
// with their numbers opened (callers mask them for export).
type Service struct {
	st   store.Store
	keys *secret.Keyring
	log  *slog.Logger

	queue    chan *CallRecord
	done     chan struct{}
	mu       sync.Mutex
	overflow []*CallRecord
	once     sync.Once
	started  atomic.Bool
}

// queueSize is how many records may wait for the store. When it is full,
// Record writes synchronously instead: slower calls, but nothing dropped.
const queueSize = 8192

// NewService returns a Service; Start must run for queued records to be
// written.
func NewService(st store.Store, keys *secret.Keyring, log *slog.Logger) *Service {
	if log == nil {
		log = slog.Default()
	}
	return &Service{st: st, keys: keys, log: log,
		queue: make(chan *CallRecord, queueSize), done: make(chan struct{})}
}

// Start writes queued records until Close. It returns at once.
func (s *Service) Start() {
	if s.started.CompareAndSwap(false, true) {
		go s.writer()
	}
}

// Close stops accepting work and writes what is queued, giving up when ctx
// ends (what is left is logged as lost, with its count).
func (s *Service) Close(ctx context.Context) {
	s.once.Do(func() { close(s.queue) })
	if !s.started.Load() {
		return
	}
	select {
	case <-s.done:
	case <-ctx.Done():
		s.log.Error("call records not written at shutdown", "count", len(s.queue))
	}
}

// Record stores rec, assigning its id when empty. It queues and returns
// at once; a single writer writes the queue in batches. When the queue is
// full (the store slower than the calls) the record goes to an overflow
// list the writer drains next, so a slow store delays records rather than
// losing them or holding up signalling.
func (s *Service) Record(ctx context.Context, rec *CallRecord) error {
	if rec.ID == "" {
		rec.ID = NewCallID()
	}
	select {
	case s.queue <- rec:
		queued.Inc()
		return nil
	default:
	}

	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.overflow) >= maxOverflow {
		writeFailures.Inc()
		return fmt.Errorf("record call %s: %d records waiting for the store", rec.ID,
			len(s.overflow))
	}
	s.overflow = append(s.overflow, rec)
	queued.Inc()
	return nil
}

// maxOverflow bounds the records held in memory beyond the queue: at a few
// hundred bytes each, about half a gigabyte.
const maxOverflow = 1_000_000

// takeOverflow returns and clears the overflow list.
func (s *Service) takeOverflow() []*CallRecord {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := s.overflow
	s.overflow = nil
	return out
}

// NewCallID returns a time-ordered unique call record id.
func NewCallID() string {
	id, err := uuid.NewV7FromReader(rand.Reader)
	if err != nil {
		return uuid.NewString()
	}
	return id.String()
}

// batchSize bounds how many queued records one statement writes. Under
// load the writer takes whatever has queued while the last batch was
// written, so a busy node writes many records per round trip and an idle
// one writes each record at once.
const batchSize = 200

func (s *Service) writer() {
	defer close(s.done)
	batch := make([]*CallRecord, 0, batchSize)
	for rec := range s.queue {
		batch = append(batch[:0], rec)
	more:
		for len(batch) < batchSize {
			select {
			case r, ok := <-s.queue:
				if !ok {
					break more
				}
				batch = append(batch, r)
			default:
				break more
			}
		}
		queued.Sub(float64(len(batch)))
		s.writeRetrying(batch)
		s.drainOverflow()
	}
	s.drainOverflow()
}

// drainOverflow writes what Record put aside while the queue was full.
func (s *Service) drainOverflow() {
	rest := s.takeOverflow()
	for len(rest) > 0 {
		n := min(len(rest), batchSize)
		queued.Sub(float64(n))
		s.writeRetrying(rest[:n])
		rest = rest[n:]
	}
}

// writeRetrying retries a batch while the store is unavailable, backing
// off up to a few seconds, so an outage delays records instead of losing
// them. Another error (a bug, a constraint) is retried record by record so
// that one bad record does not take the others with it.
func (s *Service) writeRetrying(batch []*CallRecord) {
	backoff := 50 * time.Millisecond
	for attempt := 1; ; attempt++ {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		err := s.write(ctx, batch...)
		cancel()
		switch {
		case err == nil:
			return
		case !errors.Is(err, store.ErrUnavailable) && len(batch) > 1:
			for _, rec := range batch {
				s.writeRetrying([]*CallRecord{rec})
			}
			return
		case !errors.Is(err, store.ErrUnavailable) || attempt >= 20:
			writeFailures.Add(float64(len(batch)))
			s.log.Error("call records lost", "count", len(batch), "first", batch[0].ID,
				"attempts", attempt, "err", err)
			return
		}
		time.Sleep(backoff)
		backoff = min(2*backoff, 5*time.Second)
	}
}

func (s *Service) write(ctx context.Context, recs ...*CallRecord) error {
	rows := make([]*store.CallRecord, len(recs))
	for i, r := range recs {
		rows[i] = s.toRow(r)
	}
	if err := s.st.InsertCalls(ctx, rows); err != nil {
		return fmt.Errorf("insert call records: %w", err)
	}
	written.Add(float64(len(recs)))
	return nil
}

func (s *Service) toRow(c *CallRecord) *store.CallRecord {
	return &store.CallRecord{
		ID: c.ID, BindingID: c.BindingID, TenantID: c.TenantID, Mode: c.Mode,
		X: c.X.E164(), Extension: c.Extension,
		CallerSealed: s.keys.Seal(c.Caller.E164()), CalleeSealed: s.keys.Seal(c.Callee.E164()),
		Direction: c.Direction, InviteAt: c.InviteAt, RingAt: c.RingAt,
		AnswerAt: c.AnswerAt, EndAt: c.EndAt, DurationS: c.DurationS, BillSec: c.BillSec,
		ReleaseSide: c.ReleaseSide, ReleaseCode: c.ReleaseCode, ReleaseQ850: c.ReleaseQ850,
		UnconnectedReason: c.UnconnectedReason, Recording: c.Recording, OutID: c.OutID,
		Node: c.Node,
	}
}

func (s *Service) fromRow(r *store.CallRecord) (CallRecord, error) {
	caller, err := s.keys.Open(r.CallerSealed)
	if err != nil {
		return CallRecord{}, fmt.Errorf("open caller of call %s: %w", r.ID, err)
	}
	callee, err := s.keys.Open(r.CalleeSealed)
	if err != nil {
		return CallRecord{}, fmt.Errorf("open callee of call %s: %w", r.ID, err)
	}
	return CallRecord{
		ID: r.ID, BindingID: r.BindingID, TenantID: r.TenantID, Mode: r.Mode,
		X: phone.Number(r.X), Extension: r.Extension, Caller: phone.Number(caller),
		Callee: phone.Number(callee), Direction: r.Direction, InviteAt: r.InviteAt,
		RingAt: r.RingAt, AnswerAt: r.AnswerAt, EndAt: r.EndAt, DurationS: r.DurationS,
		BillSec: r.BillSec, ReleaseSide: r.ReleaseSide, ReleaseCode: r.ReleaseCode,
		ReleaseQ850: r.ReleaseQ850, UnconnectedReason: r.UnconnectedReason,
		Recording: r.Recording, OutID: r.OutID, Node: r.Node,
	}, nil
}

// List returns call records matching f for tenantID (0: any tenant).
func (s *Service) List(ctx context.Context, tenantID int64, f store.CallFilter) (
	[]CallRecord, error) {
	f.TenantID = tenantID
	if f.Limit <= 0 || f.Limit > 1000 {
		f.Limit = 1000
	}
	rows, err := s.st.ListCalls(ctx, f)
	if err != nil {
		return nil, fmt.Errorf("list calls: %w", err)
	}
	out := make([]CallRecord, 0, len(rows))
	for i := range rows {
		c, err := s.fromRow(&rows[i])
		if err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, nil
}

// Get returns call record id if tenantID (0: any) may see it.
func (s *Service) Get(ctx context.Context, tenantID int64, id string) (*CallRecord, error) {
	r, err := s.st.GetCall(ctx, id)
	if errors.Is(err, store.ErrNotFound) {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("get call: %w", err)
	}
	if tenantID != 0 && r.TenantID != tenantID {
		return nil, ErrNotFound
	}
	c, err := s.fromRow(r)
	if err != nil {
		return nil, err
	}
	return &c, nil
}
