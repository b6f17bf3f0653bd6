//go:build unix

package nango

import (
	"syscall"
	"time"
)

// cpuTime is the CPU time this process has used, every thread included (the
// garbage collector's too): a loaded machine's other processes do not count
// in it, as they do in wall-clock time.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return time.Duration(time.Now().UnixNano())
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
