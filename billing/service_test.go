package billing_test

import (
	"context"
	"errors"
	"log/slog"
	"testing"
	"time"

	"maskline/billing"
	"maskline/phone"
	"maskline/store"
	"maskline/store/storetest"
)

var ctx = context.Background()

func record(tenantID int64, bindingID string, at time.Time) *billing.CallRecord {
	return &billing.CallRecord{
		BindingID: bindingID, TenantID: tenantID, Mode: "AXB",
		X: phone.MustParse("17001000001", "CN"), Caller: phone.MustParse("13912345678", "CN"),
		Callee: phone.MustParse("13800001111", "CN"), Direction: "a_to_peer",
		InviteAt: at, AnswerAt: at.Add(2 * time.Second), EndAt: at.Add(62 * time.Second),
		DurationS: 62, BillSec: 60, ReleaseSide: billing.ReleaseCaller, ReleaseCode: 200,
		ReleaseQ850: 16, UnconnectedReason: billing.ReasonNone, Node: "n1",
	}
}

// waitFor polls until the writer has stored n records of tenant 1.
func waitFor(t *testing.T, svc *billing.Service, n int) []billing.CallRecord {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		got, err := svc.List(ctx, 1, store.CallFilter{})
		if err == nil && len(got) == n {
			return got
		}
		if time.Now().After(deadline) {
			t.Fatalf("after 10 s: %d records, %v; want %d", len(got), err, n)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func TestRecordAndReadBack(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.DB) {
		svc := billing.NewService(st, storetest.Keyring(t), slog.New(slog.DiscardHandler))
		svc.Start()
		defer svc.Close(ctx)
		at := time.Now().Truncate(time.Millisecond)

		for _, r := range []*billing.CallRecord{record(1, "b1", at), record(1, "b2", at),
			record(2, "b3", at)} {
			if err := svc.Record(ctx, r); err != nil {
				t.Fatal(err)
			}
		}
		got := waitFor(t, svc, 2)
		c := got[0]
		if c.Caller.E164() != "+8613912345678" || c.Callee.E164() != "+8613800001111" ||
			c.BillSec != 60 || c.ReleaseQ850 != 16 || !c.InviteAt.Equal(at) || c.ID == "" {
			t.Fatalf("record read back = %+v", c)
		}

		byBinding, err := svc.List(ctx, 1, store.CallFilter{BindingID: "b2"})
		if err != nil || len(byBinding) != 1 || byBinding[0].BindingID != "b2" {
			t.Fatalf("filter by binding: %+v, %v", byBinding, err)
		}
		if _, err := svc.Get(ctx, 2, c.ID); !errors.Is(err, billing.ErrNotFound) {
			t.Fatalf("another tenant's call: %v, want ErrNotFound", err)
		}
		if got, err := svc.Get(ctx, 0, c.ID); err != nil || got.ID != c.ID {
			t.Fatalf("admin read: %+v, %v", got, err)
		}
		if _, err := svc.Get(ctx, 1, "no-such-call"); !errors.Is(err, billing.ErrNotFound) {
			t.Fatalf("unknown call: %v", err)
		}
	})
}

// TestCloseWritesQueue checks that records queued before Close reach the
// store: a graceful stop loses no call record.
func TestCloseWritesQueue(t *testing.T) {
	st := storetest.SQLite(t)
	svc := billing.NewService(st, storetest.Keyring(t), slog.New(slog.DiscardHandler))
	svc.Start()
	for range 200 {
		if err := svc.Record(ctx, record(1, "b1", time.Now())); err != nil {
			t.Fatal(err)
		}
	}
	svc.Close(ctx)

	reader := billing.NewService(st, storetest.Keyring(t), nil)
	got, err := reader.List(ctx, 1, store.CallFilter{})
	if err != nil || len(got) != 200 {
		t.Fatalf("after Close: %d records, %v; want 200", len(got), err)
	}
}

// TestCloseWithoutStart: a service whose writer never started (a node
// that failed to start) closes at once instead of waiting for it.
func TestCloseWithoutStart(t *testing.T) {
	st := storetest.SQLite(t)
	svc := billing.NewService(st, storetest.Keyring(t), nil)
	done := make(chan struct{})
	go func() {
		defer close(done)
		svc.Close(ctx)
	}()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("Close without Start blocked")
	}
}

func TestStoreOutage(t *testing.T) {
	st := storetest.SQLite(t)
	svc := billing.NewService(st, storetest.Keyring(t), slog.New(slog.DiscardHandler))
	st.Close()

	if _, err := svc.List(ctx, 1, store.CallFilter{}); !errors.Is(err, store.ErrUnavailable) {
		t.Fatalf("list on a closed store: %v, want ErrUnavailable", err)
	}
	if _, err := svc.Get(ctx, 1, "x"); !errors.Is(err, store.ErrUnavailable) {
		t.Fatalf("get on a closed store: %v, want ErrUnavailable", err)
	}
}

// TestBadRecordDoesNotSinkBatch queues a record the store refuses among
// good ones: the good ones are written all the same.
func TestBadRecordDoesNotSinkBatch(t *testing.T) {
	st := storetest.SQLite(t)
	svc := billing.NewService(st, storetest.Keyring(t), slog.New(slog.DiscardHandler))
	for i := range 50 {
		r := record(1, "b1", time.Now())
		if i == 25 {
			r.InviteAt = time.Time{} // refused by the store
		}
		if err := svc.Record(ctx, r); err != nil {
			t.Fatal(err)
		}
	}
	svc.Start() // the whole queue goes as one batch
	svc.Close(ctx)

	got, err := svc.List(ctx, 1, store.CallFilter{})
	if err != nil || len(got) != 49 {
		t.Fatalf("%d records written, %v; want the 49 good ones", len(got), err)
	}
}

// TestFullQueueLosesNothing records more calls than the queue holds before
// the writer starts, as when the store falls behind: every record is
// written all the same.
func TestFullQueueLosesNothing(t *testing.T) {
	st := storetest.SQLite(t)
	svc := billing.NewService(st, storetest.Keyring(t), slog.New(slog.DiscardHandler))
	const n = 9000 // more than the queue's 8,192
	for range n {
		if err := svc.Record(ctx, record(1, "b1", time.Now())); err != nil {
			t.Fatal(err)
		}
	}
	svc.Start()
	svc.Close(ctx)

	var got int
	err := st.SQL().QueryRowContext(ctx, "SELECT COUNT(*) FROM calls").Scan(&got)
	if err != nil || got != n {
		t.Fatalf("%d records written, %v; want %d", got, err, n)
	}
}
