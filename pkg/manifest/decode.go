// Package manifest reads Kubernetes objects from YAML and JSON files:
// multi-document YAML, kind: List, directories and stdin, remembering the
// file and line each object starts at.
package manifest

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"sigs.k8s.io/yaml"
)

// ErrDecode wraps every input problem; the message names file and line.
var ErrDecode = errors.New("cannot decode")

// Object is one decoded object and where it came from.
type Object struct {
	Object map[string]any
	File   string
	Line   int // 1-based line of the document's first line
}

type document struct {
	data []byte
	line int // first line of data in the file
}

// splitDocuments cuts a YAML stream at "---" separator lines, keeping the
// line each document starts at. It is the same split apimachinery's
// YAMLReader does, with line numbers.
func splitDocuments(data []byte) []document {
	var docs []document
	var cur bytes.Buffer
	start, line := 1, 0
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(make([]byte, 0, 64*1024), 64*1024*1024)
	for sc.Scan() {
		line++
		text := sc.Text()
		if sep, content := separator(text); sep {
			docs = append(docs, document{data: bytes.Clone(cur.Bytes()), line: start})
			cur.Reset()
			start = line + 1
			if !content {
				continue
			}
			// "--- {...}" or "--- |": the next document starts on the
			// marker line, which the parser reads as an explicit start.
			start = line
		}
		cur.WriteString(text)
		cur.WriteByte('\n')
	}
	docs = append(docs, document{data: cur.Bytes(), line: start})
	return docs
}

// separator reports whether text is a "---" document marker line, and
// whether the marker line also carries content of the next document
// (anything but a comment after "--- ").
func separator(text string) (sep, content bool) {
	if !strings.HasPrefix(text, "---") {
		return false, false
	}
	if strings.TrimSpace(strings.TrimLeft(text, "-")) == "" {
		return true, false
	}
	if text[3] != ' ' && text[3] != '\t' {
		return false, false
	}
	rest := strings.TrimSpace(text[3:])
	return true, rest != "" && !strings.HasPrefix(rest, "#")
}

// firstContentLine skips blank and comment lines so an object's line points
// at its first key rather than at a leading comment.
func firstContentLine(d document) int {
	for i, l := range strings.Split(string(d.data), "\n") {
		t := strings.TrimSpace(l)
		if t != "" && !strings.HasPrefix(t, "#") {
			return d.line + i
		}
	}
	return d.line
}

var yamlLine = regexp.MustCompile(`line (\d+)`)

// Decode parses data (YAML or JSON, one or more documents) from file into
// objects. Empty documents are skipped; kind: List is expanded. The error
// names the file and line.
func Decode(file string, data []byte) ([]Object, error) {
	var out []Object
	for _, d := range splitDocuments(data) {
		objs, err := decodeOne(file, d)
		if err != nil {
			return nil, err
		}
		out = append(out, objs...)
	}
	return out, nil
}

func decodeOne(file string, d document) ([]Object, error) {
	if len(bytes.TrimSpace(d.data)) == 0 {
		return nil, nil
	}
	var v any
	if err := yaml.Unmarshal(d.data, &v); err != nil {
		return nil, fmt.Errorf("%w %s:%d: %s", ErrDecode, file, errLine(err, d.line), cleanErr(err))
	}
	if v == nil {
		return nil, nil // only comments
	}
	line := firstContentLine(d)
	obj, ok := v.(map[string]any)
	if !ok {
		return nil, fmt.Errorf("%w %s:%d: document is a %s, want a Kubernetes object", ErrDecode, file, line, typeName(v))
	}
	return expand(obj, file, line)
}

// expand checks an object has apiVersion and kind, and returns the items of
// a List (v1 List or any *List kind with items).
func expand(obj map[string]any, file string, line int) ([]Object, error) {
	kind, _ := obj["kind"].(string)
	apiVersion, _ := obj["apiVersion"].(string)
	if apiVersion == "" || kind == "" {
		missing := "apiVersion"
		if apiVersion != "" {
			missing = "kind"
		}
		return nil, fmt.Errorf("%w %s:%d: object has no %s", ErrDecode, file, line, missing)
	}
	items, isList := obj["items"].([]any)
	if !isList || !strings.HasSuffix(kind, "List") {
		return []Object{{Object: obj, File: file, Line: line}}, nil
	}
	var out []Object
	for i, it := range items {
		m, ok := it.(map[string]any)
		if !ok {
			return nil, fmt.Errorf("%w %s:%d: %s item %d is a %s, want an object", ErrDecode, file, line, kind, i, typeName(it))
		}
		objs, err := expand(m, file, line)
		if err != nil {
			return nil, fmt.Errorf("%s item %d: %w", kind, i, err)
		}
		out = append(out, objs...)
	}
	return out, nil
}

func errLine(err error, start int) int {
	if m := yamlLine.FindStringSubmatch(err.Error()); m != nil {
		if n, convErr := strconv.Atoi(m[1]); convErr == nil {
			return start + n - 1
		}
	}
	return start
}

// cleanErr drops the decoder's wrapping prefixes and relative line, which the
// caller replaces with the absolute file:line.
func cleanErr(err error) string {
	s := err.Error()
	for _, p := range []string{"error converting YAML to JSON: ", "error unmarshaling JSON: ", "while decoding JSON: "} {
		s = strings.TrimPrefix(s, p)
	}
	s = yamlLine.ReplaceAllString(s, "")
	s = strings.TrimPrefix(strings.TrimSpace(strings.TrimPrefix(s, "yaml:")), ": ")
	return strings.TrimSpace(s)
}

func typeName(v any) string {
	switch v.(type) {
	case []any:
		return "list"
	case string:
		return "string"
	case float64, int64, int:
		return "number"
	case bool:
		return "boolean"
	}
	return fmt.Sprintf("%T", v)
}
