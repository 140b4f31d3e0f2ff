package manifest

import (
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// Stdin is the path that reads standard input.
const Stdin = "-"

// extensions are the files a directory walk picks up.
var extensions = map[string]bool{".yaml": true, ".yml": true, ".json": true}

// Read decodes every object in paths: files, directories (recursively, files
// ending in .yaml, .yml or .json, in lexical order, skipping hidden
// directories) and "-" for stdin. The first problem stops the read, with an
// error naming the file and line.
func Read(paths []string, stdin io.Reader) ([]Object, error) {
	set, err := Open(paths, stdin)
	if err != nil {
		return nil, err
	}
	var out []Object
	err = set.Each(func(o Object) error {
		out = append(out, o)
		return nil
	})
	return out, err
}

// Set is the input of a scan that can be decoded more than once: the files
// that paths name (resolved when opened) and stdin's bytes. A large scan
// reads it twice, once to build the inventory and once to evaluate each
// object and let it go, instead of holding every decoded object at once.
type Set struct {
	sources []source
}

// source is one file, or stdin's data.
type source struct {
	path  string
	stdin []byte // set for "-"
}

// Open resolves paths as Read does (directories walked, stdin read) without
// decoding anything yet.
func Open(paths []string, stdin io.Reader) (*Set, error) {
	set := &Set{}
	for _, p := range paths {
		if p == Stdin {
			data, err := io.ReadAll(stdin)
			if err != nil {
				return nil, fmt.Errorf("%w: read stdin: %w", ErrDecode, err)
			}
			set.sources = append(set.sources, source{path: Stdin, stdin: data})
			continue
		}
		files, err := walkPath(p)
		if err != nil {
			return nil, err
		}
		for _, f := range files {
			set.sources = append(set.sources, source{path: f})
		}
	}
	return set, nil
}

// Each decodes the set in order, file by file, calling fn for every object;
// the first decode error or error from fn stops it. A file changed between
// two calls is read as it is then.
func (s *Set) Each(fn func(Object) error) error {
	for _, src := range s.sources {
		var objs []Object
		var err error
		if src.path == Stdin {
			objs, err = Decode("<stdin>", src.stdin)
		} else {
			objs, err = readFile(src.path)
		}
		if err != nil {
			return err
		}
		for _, o := range objs {
			if err := fn(o); err != nil {
				return err
			}
		}
	}
	return nil
}

// walkPath lists the files root names: itself, or the manifests under it.
func walkPath(root string) ([]string, error) {
	info, err := os.Stat(root)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrDecode, err)
	}
	if !info.IsDir() {
		return []string{root}, nil
	}
	var out []string
	err = filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return fmt.Errorf("%w: %w", ErrDecode, err)
		}
		if d.IsDir() {
			if p != root && strings.HasPrefix(d.Name(), ".") {
				return fs.SkipDir
			}
			return nil
		}
		if extensions[strings.ToLower(filepath.Ext(p))] {
			out = append(out, p)
		}
		return nil
	})
	return out, err
}

func readFile(p string) ([]Object, error) {
	data, err := os.ReadFile(p)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrDecode, err)
	}
	if strings.EqualFold(filepath.Ext(p), ".json") {
		return decodeJSON(p, data)
	}
	return Decode(p, data)
}

// decodeJSON treats a .json file as one document: "---" has no meaning there.
// The YAML parser would read only the first of several documents, so a
// second one is an error rather than silently dropped.
func decodeJSON(p string, data []byte) ([]Object, error) {
	seen := false
	for _, d := range splitDocuments(data) {
		if !hasContent(d) {
			continue
		}
		if seen {
			return nil, fmt.Errorf("%w %s:%d: JSON file holds more than one document", ErrDecode, p, firstContentLine(d))
		}
		seen = true
	}
	d := document{data: data, line: 1}
	return decodeOne(p, d)
}

// hasContent reports whether d holds anything but blank and comment lines.
func hasContent(d document) bool {
	for _, l := range strings.Split(string(d.data), "\n") {
		if t := strings.TrimSpace(l); t != "" && !strings.HasPrefix(t, "#") {
			return true
		}
	}
	return false
}
