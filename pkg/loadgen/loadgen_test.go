package loadgen_test

import (
	"context"
	"encoding/json"
	"encoding/pem"
	"errors"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	admissionv1 "k8s.io/api/admission/v1"
	"k8s.io/apimachinery/pkg/types"

	"github.com/tlsguard/tlsguard/pkg/loadgen"
	"github.com/tlsguard/tlsguard/pkg/testcerts"
)

const uid = "7f0c5f4e-2f43-4a8e-9d3c-1b2a3c4d5e6f"

// answer writes an AdmissionReview response for the request in r.
func answer(t *testing.T, w http.ResponseWriter, r *http.Request, allowed bool, code int32, msg string) {
	t.Helper()
	var in admissionv1.AdmissionReview
	if err := json.NewDecoder(r.Body).Decode(&in); err != nil || in.Request == nil {
		http.Error(w, "bad review", http.StatusBadRequest)
		return
	}
	respond(w, in.Request.UID, allowed, code, msg)
}

func respond(w http.ResponseWriter, uid types.UID, allowed bool, code int32, msg string) {
	out := map[string]any{
		"apiVersion": "admission.k8s.io/v1", "kind": "AdmissionReview",
		"response": map[string]any{"uid": uid, "allowed": allowed, "status": map[string]any{"code": code, "message": msg}},
	}
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(out)
}

// server starts a real TLS server with h and returns it and a client that
// trusts its certificate through NewClient.
func server(t *testing.T, h http.HandlerFunc) (*httptest.Server, *http.Client) {
	t.Helper()
	srv := httptest.NewUnstartedServer(h)
	srv.Config.ErrorLog = log.New(io.Discard, "", 0) // handshakes cut short at Close
	srv.StartTLS()
	t.Cleanup(srv.Close)
	caPEM := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: srv.Certificate().Raw})
	c, err := loadgen.NewClient(caPEM, 16)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.CloseIdleConnections)
	return srv, c
}

// target sends reviews of UPDATEs of names, one body per name.
func target(t *testing.T, url string, expect loadgen.Expect, names ...string) loadgen.Target {
	t.Helper()
	if len(names) == 0 {
		names = []string{"tls-rancher-ingress"}
	}
	var bodies [][]byte
	for _, n := range names {
		body, err := loadgen.ReviewBody(&admissionv1.AdmissionRequest{
			UID: types.UID(uid), Operation: admissionv1.Update, Name: n, Namespace: "cattle-system",
		})
		if err != nil {
			t.Fatal(err)
		}
		bodies = append(bodies, body)
	}
	return loadgen.Target{Name: "test", URL: url, Bodies: bodies, Expect: expect}
}

func TestRunAllAnswered(t *testing.T) {
	var seen atomic.Int64
	var mu sync.Mutex
	names := map[string]int{}
	srv, c := server(t, func(w http.ResponseWriter, r *http.Request) {
		seen.Add(1)
		if r.Method != http.MethodPost || r.Header.Get("Content-Type") != "application/json" {
			http.Error(w, "want POST application/json", http.StatusUnsupportedMediaType)
			return
		}
		var in admissionv1.AdmissionReview
		if err := json.NewDecoder(r.Body).Decode(&in); err != nil || in.Request == nil {
			http.Error(w, "bad review", http.StatusBadRequest)
			return
		}
		mu.Lock()
		names[in.Request.Name]++
		mu.Unlock()
		respond(w, in.Request.UID, true, 200, "")
	})
	cfg := loadgen.Config{Rate: 1000, Warmup: 20 * time.Millisecond, Duration: 40 * time.Millisecond, Concurrency: 4, Timeout: 10 * time.Second}
	tg := target(t, srv.URL, loadgen.Expect{Allowed: true, Code: 200, UID: uid}, "a", "b", "c")
	res, err := loadgen.Run(t.Context(), c, tg, cfg)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := seen.Load(), int64(60); got != want {
		t.Errorf("server saw %d requests, want %d (warmup and measured)", got, want)
	}
	if diff := cmp.Diff(map[string]int{"a": 20, "b": 20, "c": 20}, names); diff != "" {
		t.Errorf("bodies sent (-want +got):\n%s", diff)
	}
	if res.Requests != 40 || res.Errors != 0 {
		t.Errorf("got %d requests, %d errors (%v), want 40, 0", res.Requests, res.Errors, res.FirstErrors)
	}
	l := res.Latency
	if l.P50 <= 0 || l.P50 > l.P90 || l.P90 > l.P99 || l.P99 > l.Max {
		t.Errorf("got latency %+v, want 0 < p50 <= p90 <= p99 <= max", l)
	}
	if res.Lag.Max > l.Max || res.Throughput <= 0 || res.Elapsed <= 0 {
		t.Errorf("got lag max %s, throughput %v, elapsed %s; want lag <= latency, both positive", res.Lag.Max, res.Throughput, res.Elapsed)
	}
}

// TestRunClassifiesErrors serves the n-th request by n mod 5: a good answer,
// HTTP 500, a body that is not JSON, a denial where an admission is
// expected, and a connection closed without an answer.
func TestRunClassifiesErrors(t *testing.T) {
	var n atomic.Int64
	srv, c := server(t, func(w http.ResponseWriter, r *http.Request) {
		switch n.Add(1) % 5 {
		case 1:
			answer(t, w, r, true, 200, "")
		case 2:
			http.Error(w, "boom", http.StatusInternalServerError)
		case 3:
			_, _ = w.Write([]byte("not json"))
		case 4:
			answer(t, w, r, false, 403, "[certificate-trusted-ca] denied")
		case 0:
			conn, _, err := w.(http.Hijacker).Hijack()
			if err == nil {
				_ = conn.Close()
			}
		}
	})
	cfg := loadgen.Config{Rate: 1000, Duration: 50 * time.Millisecond, Concurrency: 8, Timeout: 10 * time.Second}
	res, err := loadgen.Run(t.Context(), c, target(t, srv.URL, loadgen.Expect{Allowed: true}), cfg)
	if err != nil {
		t.Fatal(err)
	}
	if res.Requests != 50 || res.Errors != 40 {
		t.Errorf("got %d requests, %d errors, want 50, 40", res.Requests, res.Errors)
	}
	want := map[loadgen.Class]int{loadgen.ClassTransport: 10, loadgen.ClassStatus: 10, loadgen.ClassDecode: 10, loadgen.ClassUnexpected: 10}
	if diff := cmp.Diff(want, res.ErrorsByClass); diff != "" {
		t.Errorf("errors by class (-want +got):\n%s", diff)
	}
	for class := range want {
		if res.FirstErrors[class] == "" {
			t.Errorf("no first error kept for class %s", class)
		}
	}
	if got := res.FirstErrors[loadgen.ClassStatus]; !strings.Contains(got, "HTTP 500") {
		t.Errorf("got status error %q, want it to name HTTP 500", got)
	}
}

// TestRunTimesOut runs against a server that never answers, with one slot:
// the first requests time out in flight, the ones queued behind them are
// given up unsent at their deadline; every one is a timeout.
func TestRunTimesOut(t *testing.T) {
	release := make(chan struct{})
	srv, c := server(t, func(_ http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body) // so the server notices the client hang up
		select {
		case <-r.Context().Done():
		case <-release:
		}
	})
	t.Cleanup(func() { close(release) }) // runs before the server's Close
	cfg := loadgen.Config{Rate: 1000, Duration: 20 * time.Millisecond, Concurrency: 1, Timeout: 100 * time.Millisecond}
	res, err := loadgen.Run(t.Context(), c, target(t, srv.URL, loadgen.Expect{Allowed: true}), cfg)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(map[loadgen.Class]int{loadgen.ClassTimeout: 20}, res.ErrorsByClass); diff != "" {
		t.Errorf("errors by class (-want +got):\n%s", diff)
	}
	if res.Latency.P50 < cfg.Timeout {
		t.Errorf("got p50 %s, want at least the timeout %s", res.Latency.P50, cfg.Timeout)
	}
}

func TestDoChecksExpectation(t *testing.T) {
	srv, c := server(t, func(w http.ResponseWriter, r *http.Request) {
		answer(t, w, r, false, 403, "[certificate-trusted-ca] Secret cattle-system/tls-rancher-ingress: self-signed")
	})
	tests := []struct {
		name   string
		expect loadgen.Expect
		class  loadgen.Class // "" for no error
	}{
		{"denial as expected", loadgen.Expect{Allowed: false, Code: 403, UID: uid, MessageContains: "[certificate-trusted-ca]"}, ""},
		{"admission expected", loadgen.Expect{Allowed: true}, loadgen.ClassUnexpected},
		{"other code", loadgen.Expect{Allowed: false, Code: 500}, loadgen.ClassUnexpected},
		{"other uid", loadgen.Expect{Allowed: false, UID: "other"}, loadgen.ClassUnexpected},
		{"other message", loadgen.Expect{Allowed: false, MessageContains: "[certificate-expiry]"}, loadgen.ClassUnexpected},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			a, err := loadgen.Do(t.Context(), c, target(t, srv.URL, tc.expect))
			var e *loadgen.Error
			switch {
			case tc.class == "" && err != nil:
				t.Fatalf("got error %v, want none", err)
			case tc.class != "" && (!errors.As(err, &e) || e.Class != tc.class || !errors.Is(err, loadgen.ErrUnexpected)):
				t.Fatalf("got error %v, want class %s wrapping ErrUnexpected", err, tc.class)
			}
			if a.Code != 403 || a.UID != uid {
				t.Errorf("got answer %+v, want code 403 and uid %s decoded", a, uid)
			}
		})
	}
}

func TestUntrustedServerIsTransportError(t *testing.T) {
	srv, _ := server(t, func(w http.ResponseWriter, r *http.Request) { answer(t, w, r, true, 200, "") })
	other, err := testcerts.Issue(testcerts.Spec{CommonName: "other CA", IsCA: true, NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour)}, nil)
	if err != nil {
		t.Fatal(err)
	}
	c, err := loadgen.NewClient([]byte(other.CertPEM()), 1)
	if err != nil {
		t.Fatal(err)
	}
	_, err = loadgen.Do(t.Context(), c, target(t, srv.URL, loadgen.Expect{Allowed: true}))
	var e *loadgen.Error
	if !errors.As(err, &e) || e.Class != loadgen.ClassTransport {
		t.Fatalf("got %v, want a transport error (certificate not trusted)", err)
	}
	if _, err := loadgen.NewClient([]byte("no pem here"), 1); err == nil {
		t.Error("NewClient accepted a CA bundle without certificates")
	}
}

func TestRunStopsWithContext(t *testing.T) {
	srv, c := server(t, func(w http.ResponseWriter, r *http.Request) { answer(t, w, r, true, 200, "") })
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	cfg := loadgen.Config{Rate: 10, Duration: time.Hour, Concurrency: 1, Timeout: time.Second}
	if _, err := loadgen.Run(ctx, c, target(t, srv.URL, loadgen.Expect{Allowed: true}), cfg); !errors.Is(err, context.Canceled) {
		t.Fatalf("got %v, want context.Canceled", err)
	}
}

func TestConfigValidate(t *testing.T) {
	ok := loadgen.Config{Rate: 1000, Duration: time.Second, Concurrency: 1, Timeout: time.Second}
	tests := map[string]func(*loadgen.Config){
		"zero rate":       func(c *loadgen.Config) { c.Rate = 0 },
		"zero duration":   func(c *loadgen.Config) { c.Duration = 0 },
		"negative warmup": func(c *loadgen.Config) { c.Warmup = -time.Second },
		"no concurrency":  func(c *loadgen.Config) { c.Concurrency = 0 },
		"no timeout":      func(c *loadgen.Config) { c.Timeout = 0 },
	}
	if err := ok.Validate(); err != nil {
		t.Fatalf("valid config: got %v", err)
	}
	for name, mutate := range tests {
		t.Run(name, func(t *testing.T) {
			c := ok
			mutate(&c)
			if err := c.Validate(); !errors.Is(err, loadgen.ErrInvalidConfig) {
				t.Errorf("got %v, want ErrInvalidConfig", err)
			}
		})
	}
	tooShort := loadgen.Config{Rate: 1, Duration: 500 * time.Millisecond, Concurrency: 1, Timeout: time.Second}
	if _, err := loadgen.Run(t.Context(), http.DefaultClient, loadgen.Target{}, tooShort); !errors.Is(err, loadgen.ErrInvalidConfig) {
		t.Errorf("half a request: got %v, want ErrInvalidConfig", err)
	}
}
