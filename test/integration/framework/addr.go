package framework

import (
	"net"
	"testing"
)

// FreeAddr returns a 127.0.0.1:port address no socket uses right now, for
// a server the test is about to start.
func FreeAddr(tb testing.TB) string {
	tb.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	defer l.Close()
	return l.Addr().String()
}
