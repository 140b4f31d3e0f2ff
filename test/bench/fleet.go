// Package bench generates a Rancher fleet for benchmarks and measures a full
// tlsguard scan of it side by side with a plain crypto/x509 loop (the floor).
package bench

import (
	"bufio"
	"crypto"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/tlsguard/tlsguard/pkg/testcerts"
)

// Now is the instant the fleet is issued around and evaluated at.
var Now = time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)

// FleetOptions size the generated fleet.
type FleetOptions struct {
	Secrets     int // kubernetes.io/tls Secrets, leaf + intermediate
	Deployments int // cattle-cluster-agent Deployments
	PerFile     int // objects per YAML file
}

// Fleet is what Generate wrote.
type Fleet struct {
	Dir        string // YAML files
	RootPEM    string // path of the trust bundle holding the root
	ConfigFile string // tlsguard config that guards every bench Secret
	Objects    int
}

// Generate writes the fleet under dir. Half the chains are RSA-2048 leaves
// under an RSA intermediate, half ECDSA P-256 under an ECDSA intermediate.
// Leaf keys come from a small pool: every certificate is distinct, but
// generating 10,000 RSA keys would take minutes and measure nothing.
func Generate(dir string, o FleetOptions) (*Fleet, error) {
	if o.PerFile <= 0 {
		o.PerFile = 500
	}
	from, to := Now.Add(-10*24*time.Hour), Now.Add(80*24*time.Hour)
	root, err := testcerts.Issue(testcerts.Spec{CommonName: "Bench Root CA", IsCA: true, Key: testcerts.RSA2048, NotBefore: Now.AddDate(-1, 0, 0), NotAfter: Now.AddDate(5, 0, 0)}, nil)
	if err != nil {
		return nil, err
	}
	interRSA, err := testcerts.Issue(testcerts.Spec{CommonName: "Bench RSA Issuing CA", IsCA: true, Key: testcerts.RSA2048, NotBefore: Now.AddDate(-1, 0, 0), NotAfter: Now.AddDate(3, 0, 0)}, root)
	if err != nil {
		return nil, err
	}
	interEC, err := testcerts.Issue(testcerts.Spec{CommonName: "Bench EC Issuing CA", IsCA: true, Key: testcerts.ECDSAP256, NotBefore: Now.AddDate(-1, 0, 0), NotAfter: Now.AddDate(3, 0, 0)}, root)
	if err != nil {
		return nil, err
	}
	const poolSize = 8
	var rsaKeys, ecKeys []crypto.Signer
	for range poolSize {
		k, err := testcerts.NewKey(testcerts.RSA2048)
		if err != nil {
			return nil, err
		}
		rsaKeys = append(rsaKeys, k)
		if k, err = testcerts.NewKey(testcerts.ECDSAP256); err != nil {
			return nil, err
		}
		ecKeys = append(ecKeys, k)
	}
	if err := os.MkdirAll(filepath.Join(dir, "fleet"), 0o755); err != nil {
		return nil, err
	}
	f := &Fleet{Dir: filepath.Join(dir, "fleet"), RootPEM: filepath.Join(dir, "root.pem"), ConfigFile: filepath.Join(dir, "config.yaml")}
	if err := os.WriteFile(f.RootPEM, []byte(root.CertPEM()), 0o600); err != nil {
		return nil, err
	}
	cfg := "policies:\n  certificate-trusted-ca:\n    parameters:\n      secretSelector: {tlsguard.io/bench: \"true\"}\n  certificate-hostname:\n    parameters:\n      secretSelector: {tlsguard.io/bench: \"true\"}\n"
	if err := os.WriteFile(f.ConfigFile, []byte(cfg), 0o600); err != nil {
		return nil, err
	}
	w := &chunkWriter{dir: f.Dir, per: o.PerFile}
	defer w.close()
	checksum := testcerts.CAChecksum(root.CertPEM())
	if err := w.write(settingsYAML(root.CertPEM())); err != nil {
		return nil, err
	}
	f.Objects += 3
	for i := range o.Secrets {
		parent, key := interEC, ecKeys[i%poolSize]
		if i%2 == 1 {
			parent, key = interRSA, rsaKeys[i%poolSize]
		}
		host := fmt.Sprintf("svc-%d.rancher.example.com", i)
		leaf, err := testcerts.Issue(testcerts.Spec{CommonName: host, DNSNames: []string{host, "rancher.example.com"}, NotBefore: from, NotAfter: to, Signer: key}, parent)
		if err != nil {
			return nil, err
		}
		if err := w.write(secretYAML(fmt.Sprintf("tls-bench-%05d", i), leaf)); err != nil {
			return nil, err
		}
		f.Objects++
	}
	for i := range o.Deployments {
		if err := w.write(agentYAML(i, checksum)); err != nil {
			return nil, err
		}
		f.Objects++
	}
	return f, w.close()
}

type chunkWriter struct {
	dir  string
	per  int
	n    int
	file *os.File
	buf  *bufio.Writer
}

func (w *chunkWriter) write(doc string) error {
	if w.file == nil || w.n%w.per == 0 {
		if err := w.close(); err != nil {
			return err
		}
		f, err := os.Create(filepath.Join(w.dir, fmt.Sprintf("objects-%04d.yaml", w.n/w.per)))
		if err != nil {
			return err
		}
		w.file, w.buf = f, bufio.NewWriter(f)
	}
	w.n++
	_, err := w.buf.WriteString("---\n" + doc)
	return err
}

func (w *chunkWriter) close() error {
	if w.file == nil {
		return nil
	}
	err := w.buf.Flush()
	if cerr := w.file.Close(); err == nil {
		err = cerr
	}
	w.file = nil
	return err
}

func settingsYAML(cacerts string) string {
	return fmt.Sprintf(`apiVersion: management.cattle.io/v3
kind: Setting
metadata: {name: server-url}
value: https://rancher.example.com
---
apiVersion: management.cattle.io/v3
kind: Setting
metadata: {name: agent-tls-mode}
value: strict
default: strict
---
apiVersion: management.cattle.io/v3
kind: Setting
metadata: {name: cacerts}
value: %q
`, cacerts)
}

func secretYAML(name string, c *testcerts.Cert) string {
	return fmt.Sprintf(`apiVersion: v1
kind: Secret
metadata:
  name: %s
  namespace: cattle-system
  labels: {tlsguard.io/bench: "true"}
type: kubernetes.io/tls
data:
  tls.crt: %s
  tls.key: %s
`, name, testcerts.B64(c.ChainPEM()), testcerts.B64(c.KeyPEM()))
}

func agentYAML(i int, checksum string) string {
	return fmt.Sprintf(`apiVersion: apps/v1
kind: Deployment
metadata:
  name: cattle-cluster-agent
  namespace: cattle-system
  labels: {bench-cluster: "c-%d"}
spec:
  selector: {matchLabels: {app: cattle-cluster-agent}}
  template:
    metadata: {labels: {app: cattle-cluster-agent}}
    spec:
      serviceAccountName: cattle
      containers:
      - name: cluster-register
        image: rancher/rancher-agent:v2.15.0
        env:
        - {name: CATTLE_SERVER, value: "https://rancher.example.com"}
        - {name: CATTLE_CA_CHECKSUM, value: "%s"}
        - {name: CATTLE_CLUSTER, value: "true"}
        - {name: STRICT_VERIFY, value: "true"}
`, i, checksum)
}
