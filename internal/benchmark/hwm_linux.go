//go:build linux

package benchmark

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"strconv"
	"time"
)

// watchHWM samples the process's own peak RSS (VmHWM in
// /proc/PID/status, which exec resets) every 20 ms until stop is closed,
// and sends the last value in MB (0 if none was read). The rusage of a
// finished child is no good here: Go starts children sharing the
// parent's memory until exec (vfork), so Linux counts the parent's peak
// RSS in the child's ru_maxrss; after loading a million resources the
// benchmark's own peak would hide the CLI's. Growth in the last 20 ms
// before the process exits is missed.
func watchHWM(pid int, stop <-chan struct{}) <-chan float64 {
	out := make(chan float64, 1)
	go func() {
		path := fmt.Sprintf("/proc/%d/status", pid)
		var last float64
		t := time.NewTicker(20 * time.Millisecond)
		defer t.Stop()
		for {
			if v, ok := readHWM(path); ok {
				last = v
			}
			select {
			case <-stop:
				out <- last
				return
			case <-t.C:
			}
		}
	}()
	return out
}

func readHWM(path string) (float64, bool) {
	b, err := os.ReadFile(path)
	if err != nil {
		return 0, false
	}
	sc := bufio.NewScanner(bytes.NewReader(b))
	for sc.Scan() {
		line := sc.Bytes()
		if rest, ok := bytes.CutPrefix(line, []byte("VmHWM:")); ok {
			f := bytes.Fields(rest) // "123456 kB"
			if len(f) != 2 {
				return 0, false
			}
			kb, err := strconv.ParseFloat(string(f[0]), 64)
			return kb / 1024, err == nil
		}
	}
	return 0, false
}
