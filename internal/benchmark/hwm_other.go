//go:build !linux

package benchmark

// watchHWM reads nothing off Linux: the child's rusage is used.
func watchHWM(_ int, stop <-chan struct{}) <-chan float64 {
	out := make(chan float64, 1)
	go func() {
		<-stop
		out <- 0
	}()
	return out
}
