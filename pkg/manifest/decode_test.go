package manifest_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/tlsguard/tlsguard/pkg/manifest"
)

// ref is the part of an Object most tests compare: where it came from and
// which object it is.
type ref struct {
	File string
	Line int
	Kind string
	Name string
}

func refs(objs []manifest.Object) []ref {
	var out []ref
	for _, o := range objs {
		kind, _ := o.Object["kind"].(string)
		meta, _ := o.Object["metadata"].(map[string]any)
		name, _ := meta["name"].(string)
		out = append(out, ref{File: o.File, Line: o.Line, Kind: kind, Name: name})
	}
	return out
}

func lines(ls ...string) string { return strings.Join(ls, "\n") + "\n" }

func TestDecode(t *testing.T) {
	tests := []struct {
		name string
		data string
		want []ref
	}{
		{
			name: "empty input",
			data: "",
		},
		{
			name: "only comments and separators",
			data: lines("# nothing here", "---", "", "---", "# still nothing"),
		},
		{
			name: "null document",
			data: lines("null"),
		},
		{
			name: "one object",
			data: lines("apiVersion: v1", "kind: ConfigMap", "metadata:", "  name: a"),
			want: []ref{{"f.yaml", 1, "ConfigMap", "a"}},
		},
		{
			name: "leading comments and blank lines point at the first key",
			data: lines("# header", "", "# more", "apiVersion: v1", "kind: ConfigMap", "metadata: {name: a}"),
			want: []ref{{"f.yaml", 4, "ConfigMap", "a"}},
		},
		{
			name: "leading separator",
			data: lines("---", "apiVersion: v1", "kind: ConfigMap", "metadata: {name: a}"),
			want: []ref{{"f.yaml", 2, "ConfigMap", "a"}},
		},
		{
			name: "two documents",
			data: lines(
				"apiVersion: v1", "kind: ConfigMap", "metadata: {name: a}",
				"---",
				"# comment after the separator",
				"apiVersion: v1", "kind: Secret", "metadata: {name: b}",
			),
			want: []ref{{"f.yaml", 1, "ConfigMap", "a"}, {"f.yaml", 6, "Secret", "b"}},
		},
		{
			name: "empty documents between separators are skipped",
			data: lines(
				"---", "---",
				"apiVersion: v1", "kind: ConfigMap", "metadata: {name: a}",
				"---", "", "---",
				"apiVersion: v1", "kind: ConfigMap", "metadata: {name: b}",
				"---",
			),
			want: []ref{{"f.yaml", 3, "ConfigMap", "a"}, {"f.yaml", 9, "ConfigMap", "b"}},
		},
		{
			name: "separator with a trailing comment",
			data: lines(
				"apiVersion: v1", "kind: ConfigMap", "metadata: {name: a}",
				"--- # next",
				"apiVersion: v1", "kind: ConfigMap", "metadata: {name: b}",
			),
			want: []ref{{"f.yaml", 1, "ConfigMap", "a"}, {"f.yaml", 5, "ConfigMap", "b"}},
		},
		{
			// Regression: content on the "---" line used to be dropped
			// silently, so the object was never evaluated.
			name: "content on the separator line",
			data: lines(
				"apiVersion: v1", "kind: ConfigMap", "metadata: {name: a}",
				"--- {apiVersion: v1, kind: ConfigMap, metadata: {name: b}}",
				"---\t{apiVersion: v1, kind: ConfigMap, metadata: {name: c}}",
			),
			want: []ref{{"f.yaml", 1, "ConfigMap", "a"}, {"f.yaml", 4, "ConfigMap", "b"}, {"f.yaml", 5, "ConfigMap", "c"}},
		},
		{
			name: "CRLF line endings",
			data: "apiVersion: v1\r\nkind: ConfigMap\r\nmetadata: {name: a}\r\n---\r\napiVersion: v1\r\nkind: ConfigMap\r\nmetadata: {name: b}\r\n",
			want: []ref{{"f.yaml", 1, "ConfigMap", "a"}, {"f.yaml", 5, "ConfigMap", "b"}},
		},
		{
			name: "no trailing newline",
			data: "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}",
			want: []ref{{"f.yaml", 1, "ConfigMap", "a"}},
		},
		{
			name: "JSON document",
			data: `{"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "a"}}`,
			want: []ref{{"f.yaml", 1, "ConfigMap", "a"}},
		},
		{
			name: "v1 List is expanded and its items carry the List's line",
			data: lines(
				"apiVersion: v1", "kind: ConfigMap", "metadata: {name: before}",
				"---",
				"apiVersion: v1",
				"kind: List",
				"items:",
				"- {apiVersion: v1, kind: Namespace, metadata: {name: ns}}",
				"- {apiVersion: apps/v1, kind: Deployment, metadata: {name: web, namespace: ns}}",
			),
			want: []ref{
				{"f.yaml", 1, "ConfigMap", "before"},
				{"f.yaml", 5, "Namespace", "ns"},
				{"f.yaml", 5, "Deployment", "web"},
			},
		},
		{
			name: "SecretList is expanded",
			data: lines(
				"apiVersion: v1",
				"kind: SecretList",
				"items:",
				"- {apiVersion: v1, kind: Secret, metadata: {name: s1}}",
				"- {apiVersion: v1, kind: Secret, metadata: {name: s2}}",
			),
			want: []ref{{"f.yaml", 1, "Secret", "s1"}, {"f.yaml", 1, "Secret", "s2"}},
		},
		{
			name: "nested List is flattened",
			data: lines(
				"apiVersion: v1",
				"kind: List",
				"items:",
				"- apiVersion: v1",
				"  kind: ConfigMapList",
				"  items:",
				"  - {apiVersion: v1, kind: ConfigMap, metadata: {name: inner}}",
				"- {apiVersion: v1, kind: ConfigMap, metadata: {name: outer}}",
			),
			want: []ref{{"f.yaml", 1, "ConfigMap", "inner"}, {"f.yaml", 1, "ConfigMap", "outer"}},
		},
		{
			name: "empty List yields nothing",
			data: lines("apiVersion: v1", "kind: List", "items: []"),
		},
		{
			name: "kind ending in List without items is an object",
			data: lines("apiVersion: example.com/v1", "kind: AllowList", "metadata: {name: a}", "spec: {}"),
			want: []ref{{"f.yaml", 1, "AllowList", "a"}},
		},
		{
			name: "object with items but a non-List kind is not expanded",
			data: lines("apiVersion: example.com/v1", "kind: Basket", "metadata: {name: a}", "items:", "- {apiVersion: v1, kind: Apple}"),
			want: []ref{{"f.yaml", 1, "Basket", "a"}},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := manifest.Decode("f.yaml", []byte(tc.data))
			if err != nil {
				t.Fatalf("Decode: got error %v, want nil", err)
			}
			if diff := cmp.Diff(tc.want, refs(got)); diff != "" {
				t.Errorf("Decode objects mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestDecodeKeepsWholeObject(t *testing.T) {
	data := lines(
		"apiVersion: v1",
		"kind: ConfigMap",
		"metadata:",
		"  name: a",
		"  labels: {app: x}",
		"data:",
		"  count: \"3\"",
		"  enabled: \"true\"",
		"replicas: 2",
	)
	got, err := manifest.Decode("f.yaml", []byte(data))
	if err != nil {
		t.Fatalf("Decode: got error %v, want nil", err)
	}
	want := []manifest.Object{{
		File: "f.yaml",
		Line: 1,
		Object: map[string]any{
			"apiVersion": "v1",
			"kind":       "ConfigMap",
			"metadata":   map[string]any{"name": "a", "labels": map[string]any{"app": "x"}},
			"data":       map[string]any{"count": "3", "enabled": "true"},
			"replicas":   float64(2), // JSON numbers, as Rego sees them
		},
	}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Decode mismatch (-want +got):\n%s", diff)
	}
}

func TestDecodeErrors(t *testing.T) {
	tests := []struct {
		name string
		data string
		// wantErr are substrings the error must contain; the first is
		// always file:line.
		wantErr []string
	}{
		{
			name: "bad indentation in the second document names the absolute line",
			data: lines(
				"apiVersion: v1", "kind: ConfigMap", "metadata:", "  name: a",
				"---",
				"apiVersion: v1", "kind: ConfigMap", "metadata:", "  name: b", "   bad: indent",
			),
			wantErr: []string{"f.yaml:10:", "mapping values are not allowed"},
		},
		{
			name: "bad indentation on line 7 after leading blank lines",
			data: lines(
				"apiVersion: v1", "kind: ConfigMap",
				"---",
				"", "",
				"apiVersion: v1",
				"  kind: ConfigMap",
			),
			wantErr: []string{"f.yaml:7:"},
		},
		{
			name:    "tab indentation",
			data:    lines("apiVersion: v1", "kind: ConfigMap", "metadata:", "\tname: a"),
			wantErr: []string{"f.yaml:4:", "cannot start any token"},
		},
		{
			name:    "unclosed flow sequence",
			data:    lines("apiVersion: v1", "kind: ConfigMap", "---", "apiVersion: v1", "kind: ConfigMap", "data: [1, 2"),
			wantErr: []string{"f.yaml:"},
		},
		{
			name:    "document is a list",
			data:    lines("apiVersion: v1", "kind: ConfigMap", "metadata: {name: a}", "---", "# a list", "- a", "- b"),
			wantErr: []string{"f.yaml:6:", "document is a list, want a Kubernetes object"},
		},
		{
			name:    "document is a string",
			data:    lines("just some text"),
			wantErr: []string{"f.yaml:1:", "document is a string"},
		},
		{
			name:    "document is a number",
			data:    lines("---", "42"),
			wantErr: []string{"f.yaml:2:", "document is a number"},
		},
		{
			name:    "document is a boolean",
			data:    lines("true"),
			wantErr: []string{"f.yaml:1:", "document is a boolean"},
		},
		{
			name:    "missing apiVersion",
			data:    lines("apiVersion: v1", "kind: ConfigMap", "---", "kind: ConfigMap", "metadata: {name: a}"),
			wantErr: []string{"f.yaml:4:", "object has no apiVersion"},
		},
		{
			name:    "missing kind",
			data:    lines("# c", "apiVersion: v1", "metadata: {name: a}"),
			wantErr: []string{"f.yaml:2:", "object has no kind"},
		},
		{
			name:    "missing apiVersion and kind reports apiVersion",
			data:    lines("metadata: {name: a}"),
			wantErr: []string{"f.yaml:1:", "object has no apiVersion"},
		},
		{
			name:    "kind is not a string",
			data:    lines("apiVersion: v1", "kind: 3"),
			wantErr: []string{"f.yaml:1:", "object has no kind"},
		},
		{
			name:    "List item is not an object",
			data:    lines("---", "apiVersion: v1", "kind: List", "items:", "- {apiVersion: v1, kind: ConfigMap}", "- 7"),
			wantErr: []string{"f.yaml:2:", "List item 1 is a number"},
		},
		{
			name:    "List item without kind",
			data:    lines("apiVersion: v1", "kind: List", "items:", "- {apiVersion: v1}"),
			wantErr: []string{"f.yaml:1:", "List item 0", "object has no kind"},
		},
		{
			name:    "self-referencing anchor",
			data:    lines("apiVersion: v1", "kind: ConfigMap", "x: &a [*a]"),
			wantErr: []string{"f.yaml:"},
		},
		{
			name:    "non-scalar map key",
			data:    lines("{[1, 2]: x}"),
			wantErr: []string{"f.yaml:1:"},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := manifest.Decode("f.yaml", []byte(tc.data))
			if err == nil {
				t.Fatalf("Decode: got %v, want an error", refs(got))
			}
			if !errors.Is(err, manifest.ErrDecode) {
				t.Errorf("Decode: got error %v, want it to wrap ErrDecode", err)
			}
			for _, s := range tc.wantErr {
				if !strings.Contains(err.Error(), s) {
					t.Errorf("Decode: got error %q, want it to contain %q", err, s)
				}
			}
			if got != nil {
				t.Errorf("Decode: got objects %v with the error, want none", refs(got))
			}
		})
	}
}

// FuzzDecode checks that no input panics and that every error wraps
// ErrDecode.
func FuzzDecode(f *testing.F) {
	for _, s := range []string{
		"",
		"---",
		"----\n",
		"--- {apiVersion: v1, kind: A}\n",
		"--- |\n  text\n",
		"apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n---\napiVersion: v1\nkind: Secret\n",
		"apiVersion: v1\nkind: List\nitems:\n- {apiVersion: v1, kind: A}\n- 1\n",
		"apiVersion: v1\nkind: List\nitems: [{apiVersion: v1, kind: List, items: [{apiVersion: v1}]}]\n",
		"{\"apiVersion\": \"v1\", \"kind\": \"A\"}",
		"- a\n- b\n",
		"a: &a [*a]\n",
		"{[1, 2]: x}\n",
		"\xff\xfe\x00",
		"key: \"unterminated\n",
		"\tkind: x\n",
		"%YAML 1.1\n---\na: b\n",
		"a: 1\n...\nb: 2\n",
		"? [a]\n: b\n",
		"!!binary aGVsbG8=\n",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		if _, err := manifest.Decode("fuzz.yaml", data); err != nil && !errors.Is(err, manifest.ErrDecode) {
			t.Errorf("Decode: got error %v, want it to wrap ErrDecode", err)
		}
	})
}
