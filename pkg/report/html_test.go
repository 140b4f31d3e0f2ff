package report_test

import (
	"bytes"
	"context"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/tlsguard/tlsguard/pkg/report"
)

func writeHTML(t *testing.T, r *report.ScanReport) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := (report.HTML{}).Write(&buf, r); err != nil {
		t.Fatalf("Write: got error %v, want nil", err)
	}
	return buf.Bytes()
}

func TestHTML(t *testing.T) {
	tests := []struct {
		name   string
		golden string
		report *report.ScanReport
	}{
		{name: "every status with policies", golden: "report.html.golden", report: auditReport()},
		{name: "no results", golden: "empty.html.golden", report: report.New(reportTime, 0, nil, false)},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			golden(t, tc.golden, writeHTML(t, tc.report))
		})
	}
}

// fetching matches what makes a browser load something: the page must load
// nothing, so that an archived report opens offline and leaks no request.
var fetching = regexp.MustCompile(`(?i)\ssrc=|\ssrcset=|<link|<img|<iframe|<object|<embed|<base|<script|@import|url\(`)

// TestHTMLSelfContained checks the page loads nothing and links only to
// policy docs (over http(s)) and its own sections.
func TestHTMLSelfContained(t *testing.T) {
	page := string(writeHTML(t, auditReport()))
	if m := fetching.FindAllString(page, -1); m != nil {
		t.Errorf("got %q in the page, want nothing that fetches", m)
	}
	for _, m := range regexp.MustCompile(`href="([^"]*)"`).FindAllStringSubmatch(page, -1) {
		if !strings.HasPrefix(m[1], "#policy-") && !strings.HasPrefix(m[1], "https://") {
			t.Errorf("got link %q, want #policy-… or an https docs link", m[1])
		}
	}
}

// TestHTMLEscapes checks that object data (messages quote it) and policy
// metadata cannot inject markup or script.
func TestHTMLEscapes(t *testing.T) {
	res := report.Result{
		Policy: "p", Result: report.StatusFail, Action: "deny", Severity: "high",
		Message:  `Secret ns/<img src=x onerror=alert(1)>: "</td><script>alert(2)</script>`,
		Resource: report.Resource{APIVersion: "v1", Kind: "Secret", Namespace: "ns", Name: "<b>x</b>"},
		Source:   &report.Source{File: `a"><script>alert(3)</script>.yaml`, Line: 1},
		Details: map[string]any{"field": "data.tls.crt", "certificate": certFacts("CN=<svg onload=alert(4)>", "CN=x",
			"2026-01-01T00:00:00Z", "2027-01-01T00:00:00Z", "00112233445566778899")},
	}
	rep := report.New(reportTime, 1, []report.Result{res}, true).WithPolicies([]report.PolicyInfo{{
		ID: "p", Title: "<i>title</i>", Description: "<script>alert(5)</script>", Severity: "high",
		Remediation: "</div>fix", Docs: "javascript:alert(6)",
	}})
	page := string(writeHTML(t, rep))
	for _, bad := range []string{"<img", "<script", "<b>x", "<i>title", "<svg onload", `"</td><script`, "</div>fix", `href="javascript`, "ZgotmplZ"} {
		if strings.Contains(page, bad) {
			t.Errorf("got %q in the page, want it escaped", bad)
		}
	}
	if !strings.Contains(page, "&lt;script&gt;alert(2)&lt;/script&gt;") {
		t.Errorf("the message is missing from the page, escaped")
	}
}

// chromium is Debian's headless-capable Chromium (package chromium).
const chromium = "/usr/bin/chromium"

// TestHTMLRendersInChromium renders the page in headless Chromium, with
// networking features off, and checks that it paints something and that
// the chart and every policy section are in the DOM.
func TestHTMLRendersInChromium(t *testing.T) {
	if _, err := os.Stat(chromium); err != nil {
		t.Skipf("headless Chromium is not installed (%v); on Debian: apt-get install -y chromium", err)
	}
	dir := t.TempDir()
	page := filepath.Join(dir, "report.html")
	rep := auditReport()
	if err := os.WriteFile(page, writeHTML(t, rep), 0o644); err != nil {
		t.Fatal(err)
	}
	shot := filepath.Join(dir, "shot.png")
	run(t, dir, "shot", "--screenshot="+shot, "--window-size=1280,2000", "file://"+page)
	f, err := os.Open(shot)
	if err != nil {
		t.Fatalf("screenshot: %v", err)
	}
	defer f.Close()
	if st, _ := f.Stat(); st.Size() < 20_000 {
		t.Errorf("screenshot: got %d bytes, want a rendered page (at least 20000)", st.Size())
	}
	img, err := png.Decode(f)
	if err != nil {
		t.Fatalf("screenshot: decode PNG: %v", err)
	}
	if b := img.Bounds(); b.Dx() != 1280 || b.Dy() != 2000 {
		t.Errorf("screenshot: got %dx%d, want 1280x2000", b.Dx(), b.Dy())
	}
	colors := map[[4]uint32]bool{}
	for y := img.Bounds().Min.Y; y < img.Bounds().Max.Y; y += 7 {
		for x := img.Bounds().Min.X; x < img.Bounds().Max.X; x += 7 {
			r, g, b, a := img.At(x, y).RGBA()
			colors[[4]uint32{r, g, b, a}] = true
		}
	}
	if len(colors) < 50 {
		t.Errorf("screenshot: got %d distinct colours, want a painted page (at least 50)", len(colors))
	}

	dom := run(t, dir, "dom", "--dump-dom", "file://"+page)
	for _, want := range []string{`<svg class="timeline"`, `id="certificate-timeline"`, `id="summary"`} {
		if !strings.Contains(dom, want) {
			t.Errorf("DOM: %s is missing", want)
		}
	}
	if got := strings.Count(dom, `<rect class="bar `); got != 4 {
		t.Errorf("DOM: got %d certificate bars, want 4", got)
	}
	for _, res := range rep.Results {
		if want := `id="policy-` + res.Policy + `"`; !strings.Contains(dom, want) {
			t.Errorf("DOM: section %s is missing", want)
		}
	}
}

// run runs headless Chromium with a fresh profile and every background
// network feature off, and returns its standard output.
func run(t *testing.T, dir, name string, args ...string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 2*time.Minute)
	defer cancel()
	home := filepath.Join(dir, "home-"+name)
	cmd := exec.CommandContext(ctx, chromium, append([]string{
		"--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
		"--disable-background-networking", "--disable-component-update", "--disable-sync",
		"--user-data-dir=" + filepath.Join(dir, "profile-"+name),
	}, args...)...)
	cmd.Env = append(os.Environ(), "HOME="+home, "XDG_CONFIG_HOME="+home, "XDG_CACHE_HOME="+home)
	cmd.WaitDelay = 10 * time.Second
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	if err := cmd.Run(); err != nil {
		t.Fatalf("chromium %s: %v\n%s", name, err, errOut.String())
	}
	return out.String()
}
