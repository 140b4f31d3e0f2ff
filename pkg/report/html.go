package report

import (
	"cmp"
	_ "embed"
	"fmt"
	"html/template"
	"io"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
)

// HTML writes one self-contained HTML page for audits: the summary, the
// findings grouped by policy with each policy's remediation and docs link,
// and a timeline of the certificates the results name. Styles and the chart
// are inline (CSS and SVG); the page loads nothing, so it can be archived
// and opened offline. html/template escapes every value.
type HTML struct{}

var _ Reporter = HTML{}

//go:embed html.tmpl
var htmlSource string

var htmlTemplate = template.Must(template.New("report").Funcs(template.FuncMap{
	"px":     func(f float64) string { return strconv.FormatFloat(f, 'f', 1, 64) },
	"plus":   func(a, b float64) float64 { return a + b },
	"minus":  func(a, b float64) float64 { return a - b },
	"blocks": blocks,
	"even":   func(i int) bool { return i%2 == 0 },
	"plural": func(n int, one, many string) string {
		if n == 1 {
			return one
		}
		return many
	},
}).Parse(htmlSource))

type htmlView struct {
	APIVersion   string
	ExpiringDays int
	Time         string
	Summary      Summary
	Failed       bool
	Sections     []htmlSection
	Clean        []PolicyInfo // known policies without listed results
	Chart        htmlChart
}

type htmlSection struct {
	PolicyInfo
	About   []textBlock // the description
	DocsURL string      // Docs, when it is a web link
	Anchor  string
	Worst   Status
	Counts  []htmlCount
	Rows    []htmlRow
}

type htmlCount struct {
	Status Status
	N      int
}

type htmlRow struct {
	Status   Status
	Resource string
	Source   string
	Message  string
}

// Write implements Reporter.
func (HTML) Write(w io.Writer, r *ScanReport) error {
	v := htmlView{
		APIVersion:   r.APIVersion,
		ExpiringDays: expiringDays,
		Time:         r.Time.UTC().Format("2006-01-02 15:04:05 UTC"),
		Summary:      r.Summary,
		Failed:       r.Failed(),
		Sections:     htmlSections(r),
		Chart:        newChart(r.Time, certificates(r.Results)),
	}
	listed := map[string]bool{}
	for _, s := range v.Sections {
		listed[s.ID] = true
	}
	for _, p := range r.Policies {
		if !listed[p.ID] {
			v.Clean = append(v.Clean, p)
		}
	}
	var b strings.Builder
	if err := htmlTemplate.Execute(&b, v); err != nil {
		return fmt.Errorf("write html report: %w", err)
	}
	if _, err := io.WriteString(w, b.String()); err != nil {
		return fmt.Errorf("write html report: %w", err)
	}
	return nil
}

// statusOrder ranks statuses for display, most pressing first.
var statusOrder = []Status{StatusFail, StatusError, StatusWarn, StatusSkip, StatusPass}

// htmlSections groups the listed results by policy, most pressing first:
// by the worst status, then severity, then ID.
func htmlSections(r *ScanReport) []htmlSection {
	by := map[string]*htmlSection{}
	var out []*htmlSection
	for _, res := range r.Results {
		s, ok := by[res.Policy]
		if !ok {
			p := r.policy(res.Policy, res.Severity)
			s = &htmlSection{PolicyInfo: p, Anchor: "policy-" + p.ID, Worst: StatusPass, About: blocks(p.Description), DocsURL: webURL(p.Docs)}
			by[res.Policy] = s
			out = append(out, s)
		}
		if slices.Index(statusOrder, res.Result) < slices.Index(statusOrder, s.Worst) {
			s.Worst = res.Result
		}
		s.Rows = append(s.Rows, htmlRow{Status: res.Result, Resource: resourceLabel(res.Resource), Source: sourceString(res.Source), Message: res.Message})
	}
	sections := make([]htmlSection, 0, len(out))
	for _, s := range out {
		slices.SortStableFunc(s.Rows, func(a, b htmlRow) int {
			return cmp.Compare(slices.Index(statusOrder, a.Status), slices.Index(statusOrder, b.Status))
		})
		for _, st := range statusOrder {
			n := 0
			for _, row := range s.Rows {
				if row.Status == st {
					n++
				}
			}
			if n > 0 {
				s.Counts = append(s.Counts, htmlCount{Status: st, N: n})
			}
		}
		sections = append(sections, *s)
	}
	slices.SortStableFunc(sections, func(a, b htmlSection) int {
		return cmp.Or(
			cmp.Compare(slices.Index(statusOrder, a.Worst), slices.Index(statusOrder, b.Worst)),
			cmp.Compare(severityRank(a.Severity), severityRank(b.Severity)),
			cmp.Compare(a.ID, b.ID),
		)
	})
	return sections
}

// webURL returns s when it is an http(s) URL, which is all a policy's docs
// link should be, and "" otherwise.
func webURL(s string) string {
	if u, err := url.Parse(s); err == nil && (u.Scheme == "https" || u.Scheme == "http") && u.Host != "" {
		return s
	}
	return ""
}

// textBlock is a paragraph or a bullet list of METADATA text, which is
// written as plain text with "- " items, and `code` spans.
type textBlock struct {
	Para  []textSpan
	Items [][]textSpan
}

type textSpan struct {
	Text string
	Code bool
}

// blocks splits METADATA text into paragraphs (at blank lines) and lists
// (lines starting with "- ", continued by indented lines), unwrapping lines.
func blocks(s string) []textBlock {
	var out []textBlock
	var para []string
	var items [][]string
	flush := func() {
		if len(para) > 0 {
			out = append(out, textBlock{Para: spans(strings.Join(para, " "))})
		}
		if len(items) > 0 {
			b := textBlock{}
			for _, it := range items {
				b.Items = append(b.Items, spans(strings.Join(it, " ")))
			}
			out = append(out, b)
		}
		para, items = nil, nil
	}
	for line := range strings.SplitSeq(strings.TrimSpace(s), "\n") {
		text := strings.TrimSpace(line)
		switch {
		case text == "":
			flush()
		case strings.HasPrefix(text, "- "):
			if len(para) > 0 {
				flush()
			}
			items = append(items, []string{strings.TrimSpace(text[2:])})
		case len(items) > 0 && line != strings.TrimLeft(line, " \t"):
			items[len(items)-1] = append(items[len(items)-1], text)
		default:
			if len(items) > 0 {
				flush()
			}
			para = append(para, text)
		}
	}
	flush()
	return out
}

// spans splits text at backticks into plain and code spans.
func spans(text string) []textSpan {
	var out []textSpan
	for i, part := range strings.Split(text, "`") {
		if part != "" {
			out = append(out, textSpan{Text: part, Code: i%2 == 1})
		}
	}
	return out
}

// certificate is one certificate a result names in its details
// ("certificate", and "chain" for a presented chain), where it was found.
type certificate struct {
	Resource  string
	Field     string
	Subject   string
	Issuer    string
	NotBefore time.Time
	NotAfter  time.Time
	Policies  []string
}

// certificates collects the certificates in the results' details, one per
// certificate and resource, sorted by expiry. Only results that carry
// details name certificates: the policies report facts with findings, not
// with passes.
func certificates(results []Result) []certificate {
	type key struct{ resource, source, id string }
	var out []*certificate
	seen := map[key]*certificate{}
	add := func(res Result, field string, facts any) {
		m, ok := facts.(map[string]any)
		if !ok {
			return
		}
		str := func(k string) string { s, _ := m[k].(string); return s }
		nb, err1 := time.Parse(time.RFC3339, str("notBefore"))
		na, err2 := time.Parse(time.RFC3339, str("notAfter"))
		if err1 != nil || err2 != nil {
			return
		}
		id := cmp.Or(str("sha256"), str("serial")+"|"+str("subject")+"|"+str("notAfter"))
		k := key{resourceLabel(res.Resource), sourceString(res.Source), id}
		c, ok := seen[k]
		if !ok {
			c = &certificate{Resource: k.resource, Field: field, Subject: str("subject"), Issuer: str("issuer"), NotBefore: nb.UTC(), NotAfter: na.UTC()}
			seen[k] = c
			out = append(out, c)
		}
		if !slices.Contains(c.Policies, res.Policy) {
			c.Policies = append(c.Policies, res.Policy)
		}
	}
	for _, res := range results {
		field, _ := res.Details["field"].(string)
		add(res, field, res.Details["certificate"])
		if chain, ok := res.Details["chain"].([]any); ok {
			for _, c := range chain {
				add(res, field+" (chain)", c)
			}
		}
	}
	certs := make([]certificate, 0, len(out))
	for _, c := range out {
		slices.Sort(c.Policies)
		certs = append(certs, *c)
	}
	slices.SortStableFunc(certs, func(a, b certificate) int {
		return cmp.Or(a.NotAfter.Compare(b.NotAfter), cmp.Compare(a.Resource, b.Resource), cmp.Compare(a.Subject, b.Subject))
	})
	return certs
}

// expiringDays is when the chart marks a certificate as expiring soon: the
// default warnDays of certificate-expiry.
const expiringDays = 30

// Chart geometry, in SVG user units.
const (
	chartWidth  = 1200.0
	chartLeft   = 350.0 // labels to the left
	chartRight  = 1060.0
	chartTop    = 44.0
	chartRow    = 40.0
	chartBottom = 16.0
	labelRunes  = 48
)

type htmlChart struct {
	Width, Height float64
	Left, Right   float64
	Top, Bottom   float64
	Now           float64
	NowLabel      string
	Ticks         []chartTick
	Bars          []chartBar
	Expired, Soon int // counts for the caption
	Future        int
}

type chartTick struct {
	X     float64
	Label string
}

type chartBar struct {
	Y, X, W float64
	Label   string // resource
	Sub     string // field and subject
	Title   string // tooltip
	Class   string // expired, future, soon or ok
	End     string // notAfter date
	Left    string // days left, or since expiry
	// ArrowLeft and ArrowRight are the points of the arrow that marks a bar
	// cut at the edge of the axis.
	ArrowLeft, ArrowRight string
}

// chartReach is how far from now the chart's time axis reaches at most: a
// ten-year CA next to a 90-day leaf would otherwise leave the leaf a sliver.
// Bars that go further are cut at the edge and end in an arrow.
const chartReach = 365 * 24 * time.Hour

// newChart lays out one bar per certificate, from notBefore to notAfter, on
// a time axis around now (the report's time): from the earliest notBefore
// to the latest notAfter, but no further than chartReach from now and at
// least expiringDays around it.
func newChart(now time.Time, certs []certificate) htmlChart {
	now = now.UTC()
	c := htmlChart{Width: chartWidth, Left: chartLeft, Right: chartRight, Top: chartTop,
		NowLabel: "scan " + now.Format("2006-01-02")}
	if len(certs) == 0 {
		return c
	}
	lo, hi := certs[0].NotBefore, certs[0].NotAfter
	for _, cert := range certs {
		lo, hi = earliest(lo, cert.NotBefore), latest(hi, cert.NotAfter)
	}
	soon := expiringDays * 24 * time.Hour
	lo = earliest(latest(lo, now.Add(-chartReach)), now.Add(-soon))
	hi = latest(earliest(hi, now.Add(chartReach)), now.Add(soon))
	pad := hi.Sub(lo) / 40
	lo, hi = lo.Add(-pad), hi.Add(pad)
	x := func(t time.Time) float64 {
		t = latest(earliest(t, hi), lo)
		return chartLeft + (chartRight-chartLeft)*float64(t.Sub(lo))/float64(hi.Sub(lo))
	}
	c.Now = x(now)
	c.Ticks = ticks(lo, hi, x)
	c.Height = chartTop + chartRow*float64(len(certs)) + chartBottom
	c.Bottom = c.Height - chartBottom
	for i, cert := range certs {
		x1, x2 := x(cert.NotBefore), x(cert.NotAfter)
		bar := chartBar{
			Y: chartTop + chartRow*float64(i), X: x1, W: max(x2-x1, 2),
			Label: truncate(cert.Resource, labelRunes),
			Sub:   truncate(strings.TrimSpace(cert.Field+" · "+cert.Subject), labelRunes+8),
			End:   cert.NotAfter.Format("2006-01-02"),
		}
		if cert.NotBefore.Before(lo) {
			bar.ArrowLeft = fmt.Sprintf("%.1f,20 %.1f,10 %.1f,30", x1-7, x1, x1)
		}
		if cert.NotAfter.After(hi) {
			bar.ArrowRight = fmt.Sprintf("%.1f,20 %.1f,10 %.1f,30", x1+bar.W+7, x1+bar.W, x1+bar.W)
		}
		days := int(cert.NotAfter.Sub(now).Hours() / 24)
		switch {
		case !cert.NotAfter.After(now):
			bar.Class, bar.Left = "expired", fmt.Sprintf("expired %d days ago", -days)
			c.Expired++
		case cert.NotBefore.After(now):
			bar.Class, bar.Left = "future", "valid from "+cert.NotBefore.Format("2006-01-02")
			c.Future++
		case days < expiringDays:
			bar.Class, bar.Left = "soon", fmt.Sprintf("%d days left", days)
			c.Soon++
		default:
			bar.Class, bar.Left = "ok", fmt.Sprintf("%d days left", days)
		}
		bar.Title = fmt.Sprintf("%s, %s\nsubject: %s\nissuer: %s\nvalid from %s to %s (%s)\nreported by: %s",
			cert.Resource, cert.Field, cert.Subject, cert.Issuer,
			cert.NotBefore.Format(time.RFC3339), cert.NotAfter.Format(time.RFC3339), bar.Left, strings.Join(cert.Policies, ", "))
		c.Bars = append(c.Bars, bar)
	}
	return c
}

func earliest(a, b time.Time) time.Time {
	if b.Before(a) {
		return b
	}
	return a
}

func latest(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}

// ticks returns axis ticks at calendar boundaries, with a step chosen so
// that about four to nine fit between lo and hi.
func ticks(lo, hi time.Time, x func(time.Time) float64) []chartTick {
	months := []int{1, 3, 6, 12, 24, 60, 120, 240}
	span := hi.Sub(lo).Hours() / 24 / 30.44
	step := months[len(months)-1]
	for _, m := range months {
		if span/float64(m) <= 9 {
			step = m
			break
		}
	}
	t := time.Date(lo.Year(), lo.Month(), 1, 0, 0, 0, 0, time.UTC)
	var out []chartTick
	for ; !t.After(hi); t = t.AddDate(0, 1, 0) {
		idx := t.Year()*12 + int(t.Month()) - 1
		if t.Before(lo) || idx%step != 0 {
			continue
		}
		label := t.Format("Jan 2006")
		if step >= 12 {
			label = t.Format("2006")
		}
		out = append(out, chartTick{X: x(t), Label: label})
	}
	return out
}

// truncate shortens s to n runes, marking the cut with an ellipsis.
func truncate(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}
