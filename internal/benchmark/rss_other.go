//go:build !unix

package benchmark

import "os"

// peakRSSMB is unknown (0) where the OS does not report it.
func peakRSSMB(*os.ProcessState) float64 { return 0 }
