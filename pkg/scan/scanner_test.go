package scan

import (
	"context"
	"strings"
	"testing"
	"time"

	"sigs.k8s.io/controller-runtime/pkg/client/fake"

	"github.com/tlsguard/tlsguard/pkg/report"
	"github.com/tlsguard/tlsguard/pkg/review"
)

type noEval struct{}

func (noEval) Evaluate(context.Context, review.Request) ([]report.Result, error) { return nil, nil }

func TestNewValidatesSchedule(t *testing.T) {
	deps := Deps{Evaluator: noEval{}, Reader: fake.NewClientBuilder().Build()}
	if _, err := New(Options{Schedule: "every hour"}, deps); err == nil || !strings.Contains(err.Error(), `scan schedule "every hour"`) {
		t.Errorf("got %v, want an error naming the schedule", err)
	}
	s, err := New(Options{Schedule: "0 */6 * * *"}, deps)
	if err != nil {
		t.Fatal(err)
	}
	d, ok := s.nextFunc()()
	if !ok || d <= 0 || d > 6*time.Hour {
		t.Errorf("next full scan in %s (%v), want within 6h", d, ok)
	}
	if _, err := New(Options{}, Deps{Reader: deps.Reader}); err == nil {
		t.Error("got nil, want an error without an evaluator")
	}
	s, _ = New(Options{Interval: 0}, deps)
	if _, ok := s.nextFunc()(); ok {
		t.Error("interval 0: want no periodic scan after the first")
	}
}
