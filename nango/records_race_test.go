//go:build race

package nango

// raceEnabled: the race detector multiplies the cost of reading records
// (and of its own shadow memory); the memory test reads fewer of them.
const raceEnabled = true
