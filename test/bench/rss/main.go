// Command rss runs a command and reports its peak resident set size, for
// the benchmarks. It exists because Linux charges a child started directly
// by a large process (the go test binary holding a generated fleet) with
// that parent's memory: Go starts children with vfork semantics (shared
// address space until exec), and the kernel carries the pre-exec high-water
// mark into the child's ru_maxrss. Started from this small process, the
// child's figure is its own.
//
// Usage: rss OUT_FILE COMMAND [ARG...]. The command's stdin, stdout, stderr
// and exit status pass through, and SIGINT/SIGTERM are forwarded to it (to
// stop a server being measured); OUT_FILE receives "maxrss_kib=N cpu_ns=N".
package main

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"syscall"
)

func main() {
	if len(os.Args) < 3 {
		fmt.Fprintln(os.Stderr, "usage: rss OUT_FILE COMMAND [ARG...]")
		os.Exit(2)
	}
	cmd := exec.Command(os.Args[2], os.Args[3:]...)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = os.Stdin, os.Stdout, os.Stderr
	if err := cmd.Start(); err != nil {
		fmt.Fprintln(os.Stderr, "rss:", err)
		os.Exit(2)
	}
	sigs := make(chan os.Signal, 1)
	signal.Notify(sigs, syscall.SIGINT, syscall.SIGTERM)
	go func() {
		for sig := range sigs {
			_ = cmd.Process.Signal(sig)
		}
	}()
	err := cmd.Wait()
	code := 0
	if ee := (*exec.ExitError)(nil); errors.As(err, &ee) {
		code = ee.ExitCode()
	} else if err != nil {
		fmt.Fprintln(os.Stderr, "rss:", err)
		os.Exit(2)
	}
	ru := cmd.ProcessState.SysUsage().(*syscall.Rusage)
	cpu := cmd.ProcessState.UserTime() + cmd.ProcessState.SystemTime()
	if werr := os.WriteFile(os.Args[1], fmt.Appendf(nil, "maxrss_kib=%d cpu_ns=%d\n", ru.Maxrss, cpu.Nanoseconds()), 0o600); werr != nil {
		fmt.Fprintln(os.Stderr, "rss:", werr)
		os.Exit(2)
	}
	os.Exit(code)
}
