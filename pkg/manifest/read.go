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
	var out []Object
	for _, p := range paths {
		if p == Stdin {
			data, err := io.ReadAll(stdin)
			if err != nil {
				return nil, fmt.Errorf("%w: read stdin: %w", ErrDecode, err)
			}
			objs, err := Decode("<stdin>", data)
			if err != nil {
				return nil, err
			}
			out = append(out, objs...)
			continue
		}
		objs, err := readPath(p)
		if err != nil {
			return nil, err
		}
		out = append(out, objs...)
	}
	return out, nil
}

func readPath(root string) ([]Object, error) {
	info, err := os.Stat(root)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrDecode, err)
	}
	if !info.IsDir() {
		return readFile(root)
	}
	var out []Object
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
		if !extensions[strings.ToLower(filepath.Ext(p))] {
			return nil
		}
		objs, err := readFile(p)
		if err != nil {
			return err
		}
		out = append(out, objs...)
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
