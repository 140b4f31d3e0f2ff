// Command floor is the baseline the scan benchmark compares against: it
// reads the same fleet, and for every kubernetes.io/tls Secret decodes
// tls.crt and parses and verifies the chain with crypto/x509 against the
// bench root, and nothing else. It prints the objects read, the chains
// verified and the time of the parse+verify loop alone.
package main

import (
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"fmt"
	"os"
	"time"

	"github.com/tlsguard/tlsguard/pkg/manifest"
)

func main() {
	if len(os.Args) != 4 {
		fmt.Fprintln(os.Stderr, "usage: floor FLEET_DIR ROOT_PEM NOW_RFC3339")
		os.Exit(2)
	}
	if err := run(os.Args[1], os.Args[2], os.Args[3]); err != nil {
		fmt.Fprintln(os.Stderr, "floor:", err)
		os.Exit(1)
	}
}

func run(dir, rootFile, nowStr string) error {
	now, err := time.Parse(time.RFC3339, nowStr)
	if err != nil {
		return err
	}
	rootPEM, err := os.ReadFile(rootFile)
	if err != nil {
		return err
	}
	roots := x509.NewCertPool()
	if !roots.AppendCertsFromPEM(rootPEM) {
		return fmt.Errorf("%s: no certificate", rootFile)
	}
	objs, err := manifest.Read([]string{dir}, nil)
	if err != nil {
		return err
	}
	start := time.Now()
	verified := 0
	for _, o := range objs {
		if o.Object["type"] != "kubernetes.io/tls" {
			continue
		}
		data, _ := o.Object["data"].(map[string]any)
		b64, _ := data["tls.crt"].(string)
		raw, err := base64.StdEncoding.DecodeString(b64)
		if err != nil {
			return err
		}
		var certs []*x509.Certificate
		for block, rest := pem.Decode(raw); block != nil; block, rest = pem.Decode(rest) {
			c, err := x509.ParseCertificate(block.Bytes)
			if err != nil {
				return err
			}
			certs = append(certs, c)
		}
		inter := x509.NewCertPool()
		for _, c := range certs[1:] {
			inter.AddCert(c)
		}
		if _, err := certs[0].Verify(x509.VerifyOptions{Roots: roots, Intermediates: inter, CurrentTime: now}); err != nil {
			return fmt.Errorf("%s: %w", o.File, err)
		}
		verified++
	}
	fmt.Printf("objects=%d verified=%d loop_seconds=%.3f\n", len(objs), verified, time.Since(start).Seconds())
	return nil
}
