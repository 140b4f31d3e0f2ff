package loadgen

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"time"
)

// Class is the kind of a failed request.
type Class string

// Classes of failure, in the order a request can meet them.
const (
	// ClassTransport: the request or response did not make it (dial, TLS,
	// timeout, reset).
	ClassTransport Class = "transport"
	// ClassStatus: the HTTP status was not 200.
	ClassStatus Class = "status"
	// ClassDecode: the body was not an AdmissionReview with a response.
	ClassDecode Class = "decode"
	// ClassUnexpected: the answer was not what the target expects.
	ClassUnexpected Class = "unexpected"
)

// Classes lists every Class.
var Classes = []Class{ClassTransport, ClassStatus, ClassDecode, ClassUnexpected}

// Error is a failed request and its class.
type Error struct {
	Class Class
	Err   error
}

func (e *Error) Error() string { return string(e.Class) + ": " + e.Err.Error() }

func (e *Error) Unwrap() error { return e.Err }

// maxBody bounds what is read of an answer; AdmissionReview responses are
// small, and a runaway body is an error, not a memory problem.
const maxBody = 1 << 20

// Do sends t's request once and checks the answer. A non-nil error is an
// *Error; the Answer is returned whenever one was decoded.
func Do(ctx context.Context, c *http.Client, t Target) (Answer, error) {
	a, _, err := do(ctx, c, t)
	return a, err
}

// do is Do that also returns when the answer had been read in full, which
// ends a request's latency (decoding is the client's cost, not the server's).
func do(ctx context.Context, c *http.Client, t Target) (Answer, time.Time, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, t.URL, bytes.NewReader(t.Body))
	if err != nil {
		return Answer{}, time.Now(), &Error{ClassTransport, err}
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json")
	resp, err := c.Do(req)
	if err != nil {
		return Answer{}, time.Now(), &Error{ClassTransport, err}
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxBody))
	_ = resp.Body.Close()
	done := time.Now()
	if err != nil {
		return Answer{}, done, &Error{ClassTransport, fmt.Errorf("read response: %w", err)}
	}
	if resp.StatusCode != http.StatusOK {
		return Answer{}, done, &Error{ClassStatus, fmt.Errorf("HTTP %d: %s", resp.StatusCode, snippet(body))}
	}
	a, err := decodeAnswer(body)
	if err != nil {
		return Answer{}, done, &Error{ClassDecode, err}
	}
	if err := t.Expect.check(a); err != nil {
		return a, done, &Error{ClassUnexpected, err}
	}
	return a, done, nil
}

func snippet(b []byte) string {
	const n = 200
	if len(b) > n {
		return string(b[:n]) + "..."
	}
	return string(b)
}
