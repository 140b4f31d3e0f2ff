package manifest_test

import (
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/iotest"

	"github.com/google/go-cmp/cmp"

	"github.com/tlsguard/tlsguard/pkg/manifest"
)

var (
	treeA = filepath.Join("testdata", "tree", "a.yaml")
	treeC = filepath.Join("testdata", "tree", "b", "c.yml")
	treeD = filepath.Join("testdata", "tree", "b", "d.json")
	treeF = filepath.Join("testdata", "tree", "f.YAML")
)

// treeRefs is testdata/tree read as a directory: depth-first in lexical
// order, skipping b/.hidden, notes.txt and README.md (each of which would
// fail to decode).
var treeRefs = []ref{
	{treeA, 3, "ConfigMap", "first"},
	{treeA, 9, "Namespace", "apps"},
	{treeA, 9, "Deployment", "web"},
	{treeC, 1, "Secret", "tls-rancher"},
	{treeD, 2, "ConfigMap", "from-json"},
	{treeF, 1, "ConfigMap", "upper-case-extension"},
}

func TestRead(t *testing.T) {
	stdinDoc := lines(
		"# from a pipe",
		"apiVersion: v1", "kind: ConfigMap", "metadata: {name: piped}",
		"---",
		"apiVersion: v1", "kind: Secret", "metadata: {name: piped}",
	)
	tests := []struct {
		name  string
		paths []string
		stdin string
		want  []ref
	}{
		{
			name: "no paths",
		},
		{
			name:  "directory, recursively and in lexical order",
			paths: []string{filepath.Join("testdata", "tree")},
			want:  treeRefs,
		},
		{
			name:  "directory with a trailing separator",
			paths: []string{filepath.Join("testdata", "tree") + string(filepath.Separator)},
			want:  treeRefs,
		},
		{
			name:  "single YAML file",
			paths: []string{treeC},
			want:  []ref{{treeC, 1, "Secret", "tls-rancher"}},
		},
		{
			name:  "JSON file is one document",
			paths: []string{treeD},
			want:  []ref{{treeD, 2, "ConfigMap", "from-json"}},
		},
		{
			name:  "files keep the order of the arguments",
			paths: []string{treeF, treeC},
			want:  []ref{{treeF, 1, "ConfigMap", "upper-case-extension"}, {treeC, 1, "Secret", "tls-rancher"}},
		},
		{
			name:  "stdin",
			paths: []string{manifest.Stdin},
			stdin: stdinDoc,
			want:  []ref{{"<stdin>", 2, "ConfigMap", "piped"}, {"<stdin>", 6, "Secret", "piped"}},
		},
		{
			name:  "stdin between files",
			paths: []string{treeC, "-", treeF},
			stdin: stdinDoc,
			want: []ref{
				{treeC, 1, "Secret", "tls-rancher"},
				{"<stdin>", 2, "ConfigMap", "piped"},
				{"<stdin>", 6, "Secret", "piped"},
				{treeF, 1, "ConfigMap", "upper-case-extension"},
			},
		},
		{
			name:  "empty stdin",
			paths: []string{"-"},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := manifest.Read(tc.paths, strings.NewReader(tc.stdin))
			if err != nil {
				t.Fatalf("Read(%q): got error %v, want nil", tc.paths, err)
			}
			if diff := cmp.Diff(tc.want, refs(got)); diff != "" {
				t.Errorf("Read(%q) mismatch (-want +got):\n%s", tc.paths, diff)
			}
		})
	}
}

func TestReadHiddenRootIsRead(t *testing.T) {
	// Only hidden directories below the root are skipped: a directory the
	// user names explicitly is read even when its name starts with a dot.
	root := filepath.Join(t.TempDir(), ".manifests")
	writeFile(t, filepath.Join(root, "cm.yaml"), lines("apiVersion: v1", "kind: ConfigMap", "metadata: {name: a}"))
	writeFile(t, filepath.Join(root, ".skip", "cm.yaml"), lines("apiVersion: v1", "kind: ConfigMap", "metadata: {name: hidden}"))

	got, err := manifest.Read([]string{root}, nil)
	if err != nil {
		t.Fatalf("Read: got error %v, want nil", err)
	}
	want := []ref{{filepath.Join(root, "cm.yaml"), 1, "ConfigMap", "a"}}
	if diff := cmp.Diff(want, refs(got)); diff != "" {
		t.Errorf("Read mismatch (-want +got):\n%s", diff)
	}
}

func TestReadErrors(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, filepath.Join(dir, "file.yaml"), lines("apiVersion: v1", "kind: ConfigMap", "metadata: {name: a}"))
	dangling := filepath.Join(dir, "walk", "dangling.yaml")
	writeFile(t, filepath.Join(dir, "walk", "a.yaml"), lines("apiVersion: v1", "kind: ConfigMap", "metadata: {name: a}"))
	if err := os.Symlink(filepath.Join(dir, "does-not-exist.yaml"), dangling); err != nil {
		t.Fatalf("Symlink: %v", err)
	}
	badInDir := filepath.Join(dir, "nested", "deeper", "broken.yaml")
	writeFile(t, badInDir, lines("apiVersion: v1", "kind: ConfigMap", "---", "kind: ConfigMap"))
	missing := filepath.Join(dir, "missing.yaml")

	tests := []struct {
		name    string
		paths   []string
		stdin   io.Reader
		wantErr []string
	}{
		{
			name:    "bad indentation on line 7 of a file with two documents",
			paths:   []string{filepath.Join("testdata", "bad", "indent.yaml")},
			wantErr: []string{filepath.Join("testdata", "bad", "indent.yaml") + ":7:", "mapping values are not allowed"},
		},
		{
			// Regression: a .json file was decoded by the YAML parser,
			// which reads the first document only; the rest was dropped
			// silently.
			name:    "JSON file with a second document",
			paths:   []string{filepath.Join("testdata", "bad", "second.json")},
			wantErr: []string{filepath.Join("testdata", "bad", "second.json") + ":3:", "more than one document"},
		},
		{
			name:    "missing path",
			paths:   []string{missing},
			wantErr: []string{missing, "no such file or directory"},
		},
		{
			name:    "missing path after a good one",
			paths:   []string{filepath.Join(dir, "file.yaml"), missing},
			wantErr: []string{missing},
		},
		{
			name:    "path below a file",
			paths:   []string{filepath.Join(dir, "file.yaml", "x.yaml")},
			wantErr: []string{filepath.Join(dir, "file.yaml", "x.yaml"), "not a directory"},
		},
		{
			name:    "unreadable file in a directory",
			paths:   []string{filepath.Join(dir, "walk")},
			wantErr: []string{dangling},
		},
		{
			name:    "undecodable file deep in a directory names its path and line",
			paths:   []string{filepath.Join(dir, "nested")},
			wantErr: []string{badInDir + ":4:", "object has no apiVersion"},
		},
		{
			name:    "undecodable stdin",
			paths:   []string{"-"},
			stdin:   strings.NewReader(lines("apiVersion: v1", "metadata: {}")),
			wantErr: []string{"<stdin>:1:", "object has no kind"},
		},
		{
			name:    "stdin read error",
			paths:   []string{"-"},
			stdin:   iotest.ErrReader(errors.New("broken pipe")),
			wantErr: []string{"stdin", "broken pipe"},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := manifest.Read(tc.paths, tc.stdin)
			if err == nil {
				t.Fatalf("Read(%q): got %v, want an error", tc.paths, refs(got))
			}
			if !errors.Is(err, manifest.ErrDecode) {
				t.Errorf("Read(%q): got error %v, want it to wrap ErrDecode", tc.paths, err)
			}
			for _, s := range tc.wantErr {
				if !strings.Contains(err.Error(), s) {
					t.Errorf("Read(%q): got error %q, want it to contain %q", tc.paths, err, s)
				}
			}
		})
	}
}

func TestReadUnreadableFile(t *testing.T) {
	p := filepath.Join(t.TempDir(), "secret.yaml")
	writeFile(t, p, lines("apiVersion: v1", "kind: ConfigMap"))
	if err := os.Chmod(p, 0); err != nil {
		t.Fatalf("Chmod: %v", err)
	}
	if f, err := os.Open(p); err == nil {
		f.Close()
		t.Skip("running with privileges that ignore file modes")
	}
	_, err := manifest.Read([]string{p}, nil)
	if !errors.Is(err, manifest.ErrDecode) || !strings.Contains(err.Error(), p) {
		t.Errorf("Read: got error %v, want an ErrDecode naming %s", err, p)
	}
}

func writeFile(t *testing.T, path, content string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatalf("MkdirAll: %v", err)
	}
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatalf("WriteFile: %v", err)
	}
}

// A Set decodes its files and stdin afresh on every pass, in the same order.
func TestOpenEachTwice(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, filepath.Join(dir, "b.yaml"), "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: b}\n")
	writeFile(t, filepath.Join(dir, "a.yaml"), "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: a2}\n")
	set, err := manifest.Open([]string{dir, manifest.Stdin}, strings.NewReader("apiVersion: v1\nkind: Secret\nmetadata: {name: s}\n"))
	if err != nil {
		t.Fatal(err)
	}
	names := func() []string {
		var out []string
		if err := set.Each(func(o manifest.Object) error {
			out = append(out, o.Object["metadata"].(map[string]any)["name"].(string))
			return nil
		}); err != nil {
			t.Fatal(err)
		}
		return out
	}
	first, second := names(), names()
	want := []string{"a", "a2", "b", "s"}
	if strings.Join(first, ",") != strings.Join(want, ",") || strings.Join(second, ",") != strings.Join(want, ",") {
		t.Fatalf("passes %v and %v, want %v twice", first, second, want)
	}
	// A file edited between passes is read as it is then.
	writeFile(t, filepath.Join(dir, "b.yaml"), "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: b-edited}\n")
	if got := names(); got[2] != "b-edited" {
		t.Fatalf("after edit: %v", got)
	}
}
