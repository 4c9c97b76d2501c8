package binding

import (
	"context"
	"errors"
	"fmt"
	"time"

	"maskline/store"
)

// ErrInProgress means a request with the same idempotency key is still
// being served; the client should retry shortly.
var ErrInProgress = errors.New("request with this idempotency key in progress")

// ErrKeyReused means an idempotency key came back with a different body.
var ErrKeyReused = errors.New("idempotency key reused with a different request")

// Answer is a stored response to replay.
type Answer struct {
	Status int
	Body   []byte
}

// Once runs do at most once per (tenant, key): a retry with the same key and
// request hash gets the first successful answer back (replayed true). A
// failed first attempt (status 400 and up, or an error) is forgotten so the
// client may try again. Keys are kept for a day (see PurgeIdempotency).
func (s *Service) Once(ctx context.Context, tenantID int64, key, reqHash string,
	do func() (Answer, error)) (ans Answer, replayed bool, err error) {
	if key == "" || len(key) > 128 {
		return Answer{}, false, invalid("Idempotency-Key", "1 to 128 characters")
	}
	rec := &store.Idempotency{TenantID: tenantID, Key: key, RequestHash: reqHash,
		CreatedAt: s.now()}
	prev, err := s.st.ReserveIdempotency(ctx, rec)
	if err != nil {
		return Answer{}, false, fmt.Errorf("reserve idempotency key: %w", storeErr(err))
	}
	if prev != nil {
		return replay(prev, reqHash)
	}

	ans, err = do()
	if err != nil || ans.Status >= 400 {
		// Forget the key; a failure to do so only delays the client's retry
		// until the key is purged, so it is not reported over the answer.
		_ = s.st.DropIdempotency(context.WithoutCancel(ctx), tenantID, key)
		return ans, false, err
	}
	if err := s.st.CompleteIdempotency(ctx, tenantID, key, ans.Status, ans.Body); err != nil {
		s.log.ErrorContext(ctx, "store idempotent answer", "err", err)
	}
	return ans, false, nil
}

func replay(prev *store.Idempotency, reqHash string) (Answer, bool, error) {
	if prev.RequestHash != reqHash {
		return Answer{}, false, ErrKeyReused
	}
	if prev.Status == 0 {
		return Answer{}, false, ErrInProgress
	}
	return Answer{Status: prev.Status, Body: prev.Body}, true, nil
}

// idempotencyTTL is how long idempotency keys are remembered.
const idempotencyTTL = 24 * time.Hour

// PurgeIdempotency forgets idempotency keys older than a day.
func (s *Service) PurgeIdempotency(ctx context.Context) (int, error) {
	n, err := s.st.PurgeIdempotency(ctx, s.now().Add(-idempotencyTTL))
	if err != nil {
		return n, fmt.Errorf("purge idempotency keys: %w", storeErr(err))
	}
	return n, nil
}
