package loadgen

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"time"
)

// Class is the kind of a failed request.
type Class string

// Classes of failure, in the order a request can meet them.
const (
	// ClassTimeout: no answer within the deadline, or never sent because
	// no slot came free before it.
	ClassTimeout Class = "timeout"
	// ClassTransport: the request or response did not make it (dial, TLS,
	// reset, cancelled).
	ClassTransport Class = "transport"
	// ClassStatus: the HTTP status was not 200.
	ClassStatus Class = "status"
	// ClassDecode: the body was not an AdmissionReview with a response.
	ClassDecode Class = "decode"
	// ClassUnexpected: the answer was not what the target expects.
	ClassUnexpected Class = "unexpected"
)

// Classes lists every Class.
var Classes = []Class{ClassTimeout, ClassTransport, ClassStatus, ClassDecode, ClassUnexpected}

// Error is a failed request and its class.
type Error struct {
	Class Class
	Err   error
}

// Error implements error.
func (e *Error) Error() string { return string(e.Class) + ": " + e.Err.Error() }

// Unwrap returns the cause.
func (e *Error) Unwrap() error { return e.Err }

// maxBody bounds what is read of an answer; AdmissionReview responses are
// small, and a runaway body is an error, not a memory problem.
const maxBody = 1 << 20

// Do sends t's first body once and checks the answer. A non-nil error is
// an *Error; the Answer is returned whenever one was decoded.
func Do(ctx context.Context, c *http.Client, t Target) (Answer, error) {
	if len(t.Bodies) == 0 {
		return Answer{}, fmt.Errorf("%w: target %s has no body", ErrInvalidConfig, t.Name)
	}
	a, _, err := do(ctx, c, t, t.Bodies[0])
	return a, err
}

// do is Do that also returns when the answer had been read in full, which
// ends a request's latency (decoding is the client's cost, not the server's).
func do(ctx context.Context, c *http.Client, t Target, body []byte) (Answer, time.Time, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, t.URL, bytes.NewReader(body))
	if err != nil {
		return Answer{}, time.Now(), &Error{ClassTransport, err}
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json")
	resp, err := c.Do(req)
	if err != nil {
		return Answer{}, time.Now(), transportError(err)
	}
	answer, err := io.ReadAll(io.LimitReader(resp.Body, maxBody))
	_ = resp.Body.Close()
	done := time.Now()
	if err != nil {
		return Answer{}, done, transportError(fmt.Errorf("read response: %w", err))
	}
	if resp.StatusCode != http.StatusOK {
		return Answer{}, done, &Error{ClassStatus, fmt.Errorf("HTTP %d: %s", resp.StatusCode, snippet(answer))}
	}
	a, err := decodeAnswer(answer)
	if err != nil {
		return Answer{}, done, &Error{ClassDecode, err}
	}
	if err := t.Expect.check(a); err != nil {
		return a, done, &Error{ClassUnexpected, err}
	}
	return a, done, nil
}

func transportError(err error) *Error {
	if errors.Is(err, context.DeadlineExceeded) {
		return &Error{ClassTimeout, err}
	}
	return &Error{ClassTransport, err}
}

func snippet(b []byte) string {
	const n = 200
	if len(b) > n {
		return string(b[:n]) + "..."
	}
	return string(b)
}
